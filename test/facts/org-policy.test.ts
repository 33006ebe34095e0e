/** The one fact-gathering path reads the organisation policy a manifest extends, once. */
import { describe, expect, it } from "vitest";
import type { OrgPolicyRead } from "../../src/core/org-policy/parse.js";
import type { PolicyReference } from "../../src/core/org-policy/reference.js";
import { gatherChange } from "../../src/facts/gather.js";
import { fileContent, type SourceReader } from "../../src/facts/reader.js";

const MANIFEST = ".github/ai-governance.yml";
const BASE = "b".repeat(40);
const HEAD = "c".repeat(40);

function manifest(ref: string): string {
  return [
    "version: 1",
    `extends: acme/.github:policy.yml@${ref}`,
    "governance:",
    "  owners: { teams: [acme/gov] }",
    "  policy: docs/ai-policy.md",
    "systems: []",
    "",
  ].join("\n");
}

function reader(files: Record<string, Record<string, string>>, changed: string[]): SourceReader {
  return {
    async readFile(revision, path) {
      const text = files[revision]?.[path];
      return text === undefined ? null : fileContent(Buffer.from(text));
    },
    async changedFiles() {
      return { files: changed.map((path) => ({ path, status: "modified" })), truncated: false };
    },
  };
}

function policySource() {
  const asked: string[] = [];
  const readPolicy = async (reference: PolicyReference): Promise<OrgPolicyRead> => {
    asked.push(reference.ref);
    return {
      ok: true,
      policy: { file: "acme/.github:policy.yml", text: "version: 1\n", sha256: "0".repeat(64) },
    };
  };
  return { asked, readPolicy };
}

describe("gathering a change whose manifest extends an organisation policy", () => {
  it("reads the policy and prepares the manifest under it", async () => {
    const { asked, readPolicy } = policySource();
    const change = await gatherChange(reader({ [BASE]: { [MANIFEST]: manifest("v1") } }, []), {
      baseSha: BASE,
      headSha: HEAD,
      manifestPath: MANIFEST,
      readPolicy,
    });
    expect(asked).toEqual(["v1"]);
    expect(change.orgPolicy?.ok).toBe(true);
    expect(change.prepared?.preparation.ok).toBe(true);
  });

  it("reads it once when the proposed manifest extends the same policy, and again when it moves the pin", async () => {
    for (const [proposedRef, expected] of [
      ["v1", ["v1"]],
      ["v2", ["v1", "v2"]],
    ] as const) {
      const { asked, readPolicy } = policySource();
      const change = await gatherChange(
        reader(
          { [BASE]: { [MANIFEST]: manifest("v1") }, [HEAD]: { [MANIFEST]: manifest(proposedRef) } },
          [MANIFEST],
        ),
        { baseSha: BASE, headSha: HEAD, manifestPath: MANIFEST, readPolicy },
      );
      expect(asked).toEqual(expected);
      expect(change.proposedOrgPolicy?.ok).toBe(true);
    }
  });

  it("prepares no manifest without a way to read the policy: it is invalid, not half-applied", async () => {
    const change = await gatherChange(reader({ [BASE]: { [MANIFEST]: manifest("v1") } }, []), {
      baseSha: BASE,
      headSha: HEAD,
      manifestPath: MANIFEST,
    });
    expect(change.prepared?.preparation).toMatchObject({
      ok: false,
      errors: [{ field: "extends", message: expect.stringContaining("was not read") }],
    });
  });

  it("marks the preparation as failed for an unreadable policy, with the reason", async () => {
    const problem =
      "the organisation policy acme/.github:policy.yml@v1 could not be read: GitHub 403";
    const change = await gatherChange(reader({ [BASE]: { [MANIFEST]: manifest("v1") } }, []), {
      baseSha: BASE,
      headSha: HEAD,
      manifestPath: MANIFEST,
      readPolicy: async () => ({ ok: false, policy: "acme/.github:policy.yml@v1", problem }),
    });
    expect(change.prepared?.preparation).toMatchObject({
      ok: false,
      unreadablePolicy: { policy: "acme/.github:policy.yml@v1", problem },
    });
  });
});
