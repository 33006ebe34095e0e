import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatPolicyReference,
  POLICY_REFERENCE_PATTERN,
  parsePolicyReference,
  policyFileName,
} from "../../../src/core/org-policy/reference.js";

const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";

describe("extends: OWNER/REPO:PATH@REF", () => {
  it("reads the owner, repository, path and a commit SHA, which pins the policy", () => {
    const parsed = parsePolicyReference(`acme/.github:ai-governance/policy.yml@${SHA}`);
    expect(parsed).toEqual({
      ok: true,
      reference: {
        owner: "acme",
        repo: ".github",
        path: "ai-governance/policy.yml",
        ref: SHA,
        pinned: true,
      },
    });
    if (!parsed.ok) return;
    expect(policyFileName(parsed.reference)).toBe("acme/.github:ai-governance/policy.yml");
    expect(formatPolicyReference(parsed.reference)).toBe(
      `acme/.github:ai-governance/policy.yml@${SHA}`,
    );
  });

  it("accepts a SHA-256 commit id as pinned too", () => {
    const parsed = parsePolicyReference(`acme/policies:policy.yaml@${"a".repeat(64)}`);
    expect(parsed.ok && parsed.reference.pinned).toBe(true);
  });

  it.each(["main", "v1.2.0", "release/2026", "3f786850", SHA.toUpperCase()])(
    "reads %s as a branch or tag: not pinned",
    (ref) => {
      const parsed = parsePolicyReference(`acme/.github:policy.yml@${ref}`);
      expect(parsed).toMatchObject({ ok: true, reference: { ref, pinned: false } });
    },
  );

  it.each([
    ["acme/.github/policy.yml@main", "the ':' between the repository and the path is missing"],
    ["acme:policy.yml@main", '"acme" is not OWNER/REPO'],
    ["-acme/x:policy.yml@main", "is not OWNER/REPO"],
    ["acme/..:policy.yml@main", "is not OWNER/REPO"],
    ["acme/.github:policy.yml", "add @REF after the path"],
    ["acme/.github:@main", "the path of the policy file is missing"],
    ["acme/.github:/policy.yml@main", "relative to the policy repository's root"],
    ["acme/.github:a\\policy.yml@main", "relative to the policy repository's root"],
    ["acme/.github:../policy.yml@main", "without '..'"],
    ["acme/.github:a/../../policy.yml@main", "without '..'"],
    ["acme/.github:policy.json@main", '"policy.json" is not a YAML file (.yml or .yaml)'],
    ["acme/.github:README.md@main", "is not a YAML file"],
    ["acme/.github:policy.yml@", '"" is not a commit SHA, branch or tag name'],
    ["acme/.github:policy.yml@a..b", "is not a commit SHA, branch or tag name"],
    ["acme/.github:policy.yml@main branch", "is not a commit SHA, branch or tag name"],
    ["acme/.github:policy.yml@-x", "is not a commit SHA, branch or tag name"],
    ["acme/.github:policy.yml@x.lock", "is not a commit SHA, branch or tag name"],
  ])("rejects %s, saying what is wrong", (text, message) => {
    const parsed = parsePolicyReference(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });
});

describe("the JSON Schema pattern for extends", () => {
  const pattern = new RegExp(POLICY_REFERENCE_PATTERN, "u");

  it("accepts exactly what the parser accepts, on hand-picked strings", () => {
    const samples = [
      `acme/.github:ai-governance/policy.yml@${SHA}`,
      "acme/.github:policy.yaml@main",
      "a/b:c/d/e.yml@release/1.0",
      "acme/.github:a/..b/policy.yml@main",
      "acme/.github:a/../policy.yml@main",
      "acme/.github:..@main.yml@x",
      "acme/.github:-x.yml@main",
      "acme/.github:x.yml@main/",
      "acme/.:x.yml@main",
    ];
    for (const text of samples) {
      expect([text, pattern.test(text)]).toEqual([text, parsePolicyReference(text).ok]);
    }
  });

  it("accepts exactly what the parser accepts, on generated strings", () => {
    const piece = fc.constantFrom(
      "acme",
      "/",
      ".github",
      ":",
      "policy",
      ".yml",
      ".yaml",
      "@",
      "main",
      SHA,
      "..",
      ".",
      "-",
      "\\",
      " ",
      "\n",
      "a",
      ".lock",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), (pieces) => {
        const text = pieces.join("");
        expect(pattern.test(text)).toBe(parsePolicyReference(text).ok);
      }),
      { numRuns: 3000 },
    );
  });
});
