/**
 * The App counts keyless approvals (docs/app.md#keyless-approvals): a Sigstore bundle posted by
 * an allowed workflow counts toward the quorum exactly as a keyed attestation does; another
 * workflow's counts for nothing, and the check says why. Sigstore's mock services on loopback
 * issue the certificates; AIGATE_TRUSTED_ROOT holds the mocks' trusted root.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushEvent, type SimPullRequest, type SimRepo } from "../../sim/index.js";
import { FIXTURE_REPO, governedRepo, readTree, type Stack, startStack } from "../../sim/stack.js";
import {
  type ApprovalStatement,
  digestOfCanonicalEnvelope,
  extractAttestation,
  renderAttestationComment,
} from "../../src/core/attestation/index.js";
import { MERGE_VERIFICATION_CHECK_NAME } from "../../src/core/report/index.js";
import { createKeylessSigner } from "../../src/sigstore/sign.js";
import { actionsToken, type MockSigstore, startMockSigstore } from "../support/sigstore.js";
import { driver, modelChange } from "./driver.js";

let sigstore: MockSigstore;
let stack: Stack;
beforeAll(async () => {
  sigstore = await startMockSigstore();
  stack = await startStack({ env: { AIGATE_TRUSTED_ROOT: JSON.stringify(sigstore.trustedRoot) } });
});
afterAll(async () => {
  await stack?.stop();
  await sigstore?.close();
});

const app = driver(() => stack);
const MAIN = "refs/heads/main";

/** A governed repository whose manifest allows its aigate workflow to sign keyless. */
function keylessRepo(): { repo: SimRepo; workflow: string } {
  const files = readTree(FIXTURE_REPO);
  const name = `keyless-app-${Math.random().toString(36).slice(2, 8)}`;
  const workflow = `acme/${name}/.github/workflows/aigate.yml`;
  files[".github/ai-governance.yml"] = (files[".github/ai-governance.yml"] ?? "").replace(
    "  policy: docs/ai-policy.md\n",
    `  policy: docs/ai-policy.md\n  signers:\n    - workflow: ${workflow}\n      ref: ${MAIN}\n`,
  );
  return { repo: governedRepo(stack.sim, files, name), workflow };
}

/**
 * erin approves, and `workflow` records it keyless (as the Action does) on the comment the
 * App reads: the statement is the App's own for alice, made erin's and chained after it.
 */
async function keylessApproval(repo: SimRepo, pr: SimPullRequest, workflow: string) {
  const [keyed] = app.attestations(repo, pr);
  const extracted = extractAttestation(keyed?.body ?? "");
  if (!extracted.ok) throw new Error("alice's attestation was expected");
  const alice = JSON.parse(extracted.envelope.payload.toString("utf8")) as ApprovalStatement;
  const review = pr.addReview({ user: "erin", state: "APPROVED", body: "" });
  const statement: ApprovalStatement = {
    ...alice,
    predicate: {
      ...alice.predicate,
      approver: { id: review.user.id, login: review.user.login },
      systems: alice.predicate.systems.map((s) => ({ ...s, reason: "member of acme/model-risk" })),
      source: { kind: "review", id: review.id, at: review.submittedAt, commit: pr.headSha },
      issuer: { kind: "action", signing: "sigstore" },
      issued_at: new Date().toISOString(),
      prev: digestOfCanonicalEnvelope(extracted.envelope.canonical),
    },
  };
  const signer = createKeylessSigner({
    endpoints: { fulcioURL: sigstore.fulcioURL, rekorURL: sigstore.rekorURL },
    getToken: async () => actionsToken(workflow, MAIN),
    entryType: "intoto",
  });
  const signed = await signer.sign(statement);
  await app.comment(
    repo,
    pr,
    "github-actions[bot]",
    renderAttestationComment(signed.envelope, statement, signed.bundle),
  );
  return signed.digest;
}

describe("keyless approvals on the App", { timeout: 60_000 }, () => {
  it("count toward the oversight quorum when an allowed workflow signed them", async () => {
    const { repo, workflow } = keylessRepo();
    const pr = await app.open(repo, modelChange("k1"));
    await app.review(repo, pr, "alice");
    expect(app.checks(repo, pr).oversight?.title).toBe(
      "Waiting for 1 of 2 approvals (credit-scoring)",
    );
    const digest = await keylessApproval(repo, pr, workflow);
    const oversight = app.checks(repo, pr).oversight;
    expect(oversight?.conclusion).toBe("success");
    // erin's approval is counted from the bundle: the App recorded nothing of its own for it.
    expect(oversight?.summary).toMatch(
      new RegExp(`\\| erin \\(\\d+\\) \\| member of acme/model-risk \\|.*\\| \`${digest}\` \\|`),
    );
    expect(app.attestations(repo, pr)).toHaveLength(2);
    expect(oversight?.summary).not.toContain("count for nothing");

    // Merged, the merge verification counts the bundle among its input attestations too.
    const before = repo.resolveRef("main") ?? "";
    const merge = pr.merge("frank");
    expect(await stack.send("push", pushEvent(repo, "main", before))).toBe(200);
    const [record] = stack.sim.state
      .checkRuns(repo, merge)
      .all.filter((r) => r.name === MERGE_VERIFICATION_CHECK_NAME);
    expect(record?.conclusion).toBe("success");
    expect(record?.output.summary).toContain("@erin");
    expect(record?.output.summary).toContain(digest);
    expect(record?.output.summary).not.toMatch(/count for nothing|does not verify/);
  });

  it("count for nothing when another workflow of the repository signed them, and the check says why", async () => {
    const { repo, workflow } = keylessRepo();
    const pr = await app.open(repo, modelChange("k2"));
    await app.review(repo, pr, "alice");
    const other = workflow.replace("aigate.yml", "other.yml");
    const digest = await keylessApproval(repo, pr, other);
    const oversight = app.checks(repo, pr).oversight;
    const bundle = app
      .attestations(repo, pr)
      .find((c) => c.user.login === "github-actions[bot]")?.id;
    expect(oversight?.summary).toContain(
      `| ${bundle} | github-actions\\[bot\\] | untrusted\\_identity: signed by https://github.com/${other}@${MAIN}, which is not an allowed signer |`,
    );
    // Not counted: erin's review is recorded again, by the App's own key.
    expect(oversight?.summary).not.toContain(digest);
    expect(app.attestations(repo, pr)).toHaveLength(3);
  });
});
