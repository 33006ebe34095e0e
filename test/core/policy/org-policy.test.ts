import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createSigner,
  generateKeyPair,
  signStatements,
} from "../../../src/core/attestation/index.js";
import type { OrgPolicyRead } from "../../../src/core/org-policy/parse.js";
import { evaluate } from "../../../src/core/policy/index.js";
import { renderCheck } from "../../../src/core/report/index.js";
import type { Facts } from "../../../src/core/types.js";
import {
  ALICE,
  approval,
  BASE_SHA,
  CAROL,
  changed,
  creditChange,
  DAVE,
  facts,
  MANIFEST_FILE,
  MANIFEST_YAML,
  NOW,
} from "./fixtures.js";

const POLICY_COMMIT = "e".repeat(40);
const EXTENDS = "extends: acme/.github:ai-governance/policy.yml@main";
/** The fixture manifest extending the policy, without its own approvals for credit-scoring. */
const EXTENDING = MANIFEST_YAML.replace("version: 1\n", `version: 1\n${EXTENDS}\n`).replace(
  "    approvals: 2\n",
  "",
);
const POLICY = [
  "version: 1",
  "governance:",
  "  owners: { teams: [acme/compliance] }",
  "defaults:",
  "  tiers:",
  "    high: { approvals: 3 }",
  "",
].join("\n");

function read(text = POLICY): OrgPolicyRead {
  return {
    ok: true,
    policy: {
      file: "acme/.github:ai-governance/policy.yml",
      text,
      sha256: createHash("sha256").update(text).digest("hex"),
      commit: POLICY_COMMIT,
    },
  };
}

function extending(overrides: Partial<Facts> = {}, manifest = EXTENDING): Facts {
  const base = creditChange(overrides);
  return {
    ...base,
    manifest: {
      status: "present",
      path: MANIFEST_FILE,
      baseSha: BASE_SHA,
      sha256: createHash("sha256").update(manifest).digest("hex"),
      text: manifest,
    },
  };
}

const byEligible = (...who: (typeof ALICE)[]) =>
  who.map((actor) => approval(actor, [{ system: "credit-scoring", reason: "listed user" }]));

describe("evaluate under an organisation policy", () => {
  const twoListed = MANIFEST_YAML.replace('users: ["alice"]', 'users: ["alice", "carol", "dave"]');
  const manifest = twoListed
    .replace("version: 1\n", `version: 1\n${EXTENDS}\n`)
    .replace("    approvals: 2\n", "");

  it("raises the approvals a system needs to the organisation's floor: two of three is not enough", () => {
    const decision = evaluate(
      extending({ approvals: byEligible(ALICE, CAROL), orgPolicy: read() }, manifest),
      NOW,
    );
    expect(decision.oversight).toMatchObject({
      conclusion: "action_required",
      title: "Waiting for 1 of 3 approvals (credit-scoring)",
    });
  });

  it("passes with three", () => {
    const decision = evaluate(
      extending({ approvals: byEligible(ALICE, CAROL, DAVE), orgPolicy: read() }, manifest),
      NOW,
    );
    expect(decision.oversight).toMatchObject({
      conclusion: "success",
      title: "3 of 3 approvals recorded",
    });
  });

  it("records the policy beside the manifest, and the summary shows it", () => {
    const decision = evaluate(extending({ orgPolicy: read() }), NOW);
    expect(decision.manifest.policy).toEqual({
      repository: "acme/.github",
      path: "ai-governance/policy.yml",
      ref: "main",
      commit: POLICY_COMMIT,
      sha256: createHash("sha256").update(POLICY).digest("hex"),
    });
    expect(renderCheck(decision, "assessment").summary).toContain(
      `| Organisation policy | \`acme/.github:ai-governance/policy.yml\` (main at \`${POLICY_COMMIT}\`), \`sha256:${createHash("sha256").update(POLICY).digest("hex")}\` |`,
    );
  });

  it("fails both gates, naming the policy and the call, when the policy could not be read", () => {
    const problem =
      "the organisation policy acme/.github:ai-governance/policy.yml@main could not be read: GitHub 404 on GET /repos/acme/.github/commits/main (request id AB:CD)";
    const policy = "acme/.github:ai-governance/policy.yml@main";
    const decision = evaluate(extending({ orgPolicy: { ok: false, policy, problem } }), NOW);
    for (const gate of [decision.assessment, decision.oversight]) {
      expect(gate).toMatchObject({
        conclusion: "failure",
        title: `Organisation policy ${policy} could not be read`,
        problems: [problem],
      });
    }
    expect(decision.manifest).toMatchObject({ status: "invalid", unreadablePolicy: problem });
    expect(decision.manifest.errors).toEqual([
      { file: MANIFEST_FILE, line: 2, column: 10, field: "extends", message: problem },
    ]);
    expect(renderCheck(decision, "oversight").summary).toContain(
      "The governance manifest extends an organisation policy that could not be read",
    );
  });

  it("fails both gates as an invalid manifest when the manifest loosens the policy", () => {
    const loose = EXTENDING.replace(
      '    approvers:\n      teams: ["acme/model-risk"]',
      '    approvals: 1\n    approvers:\n      teams: ["acme/model-risk"]',
    );
    const decision = evaluate(extending({ orgPolicy: read() }, loose), NOW);
    expect(decision.assessment).toMatchObject({
      conclusion: "failure",
      title: "Invalid governance manifest",
    });
    expect(decision.manifest.errors.map((e) => `${e.field}: ${e.message}`)).toEqual([
      expect.stringContaining(
        "systems[0].approvals: 1 for credit-scoring is fewer than the organisation policy requires of tier high (acme/.github:ai-governance/policy.yml line 6 sets defaults.tiers.high.approvals: 3)",
      ),
    ]);
  });

  it("is required: a manifest that extends a policy nobody read is invalid", () => {
    const decision = evaluate(extending(), NOW);
    expect(decision.oversight).toMatchObject({
      conclusion: "failure",
      title: "Invalid governance manifest",
    });
  });

  it("validates a proposed manifest under the policy it extends", () => {
    const proposed = EXTENDING.replace(
      "    approvers:\n      teams",
      "    approvals: 1\n    approvers:\n      teams",
    );
    const decision = evaluate(
      facts({
        changedFiles: changed(MANIFEST_FILE),
        proposedManifest: { text: proposed, sha256: "p" },
        proposedOrgPolicy: read(),
      }),
      NOW,
    );
    expect(decision.proposedManifest?.status).toBe("invalid");
    expect(decision.proposedManifest?.errors.map((e) => e.field)).toEqual(["systems[0].approvals"]);
    const fixed = evaluate(
      facts({
        changedFiles: changed(MANIFEST_FILE),
        proposedManifest: { text: EXTENDING, sha256: "p" },
        proposedOrgPolicy: read(),
      }),
      NOW,
    );
    expect(fixed.proposedManifest?.status).toBe("ok");
  });

  it("lets the organisation's owners approve a change to the manifest", () => {
    const owner = approval(CAROL, [
      { system: "aigate:manifest", reason: "governance owner (member of acme/compliance)" },
    ]);
    const decision = evaluate(
      extending({
        changedFiles: changed(MANIFEST_FILE),
        headFiles: {},
        proposedManifest: { text: EXTENDING, sha256: "p" },
        orgPolicy: read(),
        proposedOrgPolicy: read(),
        approvals: [owner],
      }),
      NOW,
    );
    expect(decision.oversight).toMatchObject({
      conclusion: "success",
      title: "1 of 1 approval recorded",
    });
  });
});

describe("attestations under an organisation policy", () => {
  it("record the policy's repository, path, commit and sha256 beside the manifest", () => {
    const signer = createSigner(generateKeyPair().privateKeyPem);
    const [issued] = signStatements(
      [
        {
          key: "review:1",
          decision: "approved",
          approver: { id: 1, login: "alice", type: "User" },
          systems: [{ system: "credit-scoring", reason: "listed user" }],
          source: { kind: "review", id: 1, at: "2026-11-27T10:00:00Z", commit: "c".repeat(40) },
        },
      ],
      {
        repository: { id: 42, fullName: "acme/lending" },
        pullRequest: {
          number: 7,
          author: ALICE,
          baseRef: "main",
          baseSha: BASE_SHA,
          headSha: "c".repeat(40),
        },
        manifest: { path: MANIFEST_FILE, baseSha: BASE_SHA, sha256: "f".repeat(64) },
        policy: {
          repository: "acme/.github",
          path: "ai-governance/policy.yml",
          ref: "main",
          commit: POLICY_COMMIT,
          sha256: "9".repeat(64),
        },
        assessments: [],
        issuer: { kind: "app" },
        issuedAt: NOW,
        prev: null,
      },
      signer,
    );
    expect(issued?.statement.predicate.policy).toEqual({
      repository: "acme/.github",
      path: "ai-governance/policy.yml",
      commit: POLICY_COMMIT,
      sha256: "9".repeat(64),
    });
  });
});
