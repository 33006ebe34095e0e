import { describe, expect, it } from "vitest";
import type { LandedPullRequest } from "../../../src/core/merge-verification/index.js";
import { judgeMerge } from "../../../src/core/merge-verification/index.js";
import { BLOB_A, BLOB_B, COMMIT, HEAD, mergedFacts } from "./helpers.js";

const PR: LandedPullRequest = {
  number: 12,
  url: "https://github.com/acme/credit-models/pull/12",
  title: "Retrain the credit model",
  merged: true,
  baseRef: "main",
  headSha: HEAD,
  mergeCommitSha: COMMIT,
};
const APPROVAL = {
  uri: "https://github.com/acme/credit-models/pull/12#issuecomment-101",
  digest: `sha256:${"e".repeat(64)}`,
  valid: true,
  approver: "carol",
  systems: ["credit-scoring"],
  commit: HEAD,
};

const kinds = (facts: Parameters<typeof judgeMerge>[0]) =>
  judgeMerge(facts).reasons.map((r) => r.kind);

describe("the verdict on a governed commit that landed", () => {
  it("passes a merged pull request with both checks green and the files approved", () => {
    const verdict = judgeMerge(mergedFacts());
    expect(verdict).toMatchObject({
      result: "PASSED",
      levels: ["ORG_SOURCE_AI_RISK_ASSESSED", "ORG_SOURCE_AI_HUMAN_OVERSIGHT"],
      reasons: [],
    });
    expect(verdict.inputs).toHaveLength(1);
  });

  it("fails a direct push: no pull request", () => {
    const verdict = judgeMerge(
      mergedFacts({ pullRequest: undefined, checks: undefined, files: undefined }),
    );
    expect(verdict.result).toBe("FAILED");
    expect(verdict.levels).toEqual([]);
    expect(verdict.reasons[0]?.message).toMatch(
      /^No pull request: commit bbbbbbb was pushed to main directly/,
    );
  });

  it("fails a commit whose pull request is open or merged elsewhere", () => {
    const facts = mergedFacts();
    const open = { ...PR, merged: false, mergeCommitSha: null };
    expect(kinds({ ...facts, pullRequest: open })).toEqual(["not_merged_here"]);
    const other = { ...PR, baseRef: "develop" };
    expect(kinds({ ...facts, pullRequest: other })).toEqual(["not_merged_here"]);
  });

  it("fails an admin merge with red or missing checks, keeping the property that held", () => {
    const verdict = judgeMerge(
      mergedFacts({ checks: { assessment: "success", oversight: "action_required" } }),
    );
    expect(verdict.result).toBe("FAILED");
    expect(verdict.levels).toEqual(["ORG_SOURCE_AI_RISK_ASSESSED"]);
    expect(verdict.reasons[0]?.message).toContain("human oversight action required");
    const missing = judgeMerge(
      mergedFacts({ checks: { assessment: "missing", oversight: "missing" } }),
    );
    expect(missing.levels).toEqual([]);
    expect(missing.reasons[0]?.message).toContain(
      "risk assessment missing, human oversight missing",
    );
  });

  it("fails a squash merge whose governed file differs from the approved head, naming both blobs", () => {
    const verdict = judgeMerge(
      mergedFacts({
        files: [{ path: "models/credit/model.onnx", landed: BLOB_B, approved: BLOB_A }],
      }),
    );
    expect(verdict.result).toBe("FAILED");
    expect(verdict.levels).toEqual([]);
    expect(verdict.reasons).toEqual([
      {
        kind: "files_differ",
        message: `models/credit/model.onnx differs from what was approved: blob ${BLOB_B} at bbbbbbb, blob ${BLOB_A} at the approved head ccccccc.`,
      },
    ]);
  });

  it("passes each commit of a rebase merge pushed with the pull request's last commit", () => {
    const last = "9".repeat(40);
    const facts = mergedFacts({ pushed: [COMMIT, last] });
    const pr = { ...PR, mergeCommitSha: last };
    expect(judgeMerge({ ...facts, pullRequest: pr }).result).toBe("PASSED");
    // The same commit pushed after the pull request's last one is not part of its merge.
    expect(kinds({ ...facts, pushed: [last, COMMIT], pullRequest: pr })).toEqual([
      "not_merged_here",
    ]);
  });

  it("fails when an approval no longer verifies, and names it", () => {
    const facts = mergedFacts();
    const broken = { ...APPROVAL, valid: false, reason: "signature does not verify" };
    const verdict = judgeMerge({ ...facts, attestations: [broken] });
    expect(verdict.result).toBe("FAILED");
    expect(verdict.levels).toEqual(["ORG_SOURCE_AI_RISK_ASSESSED"]);
    expect(verdict.inputs).toEqual([]);
    expect(verdict.reasons[0]?.message).toContain("no longer verifies: signature does not verify");
  });

  it("fails the head of a forced or too long push, saying what was not judged", () => {
    const verdict = judgeMerge(
      mergedFacts({ unjudged: { head: COMMIT, count: 12, forced: true } }),
    );
    expect(verdict.result).toBe("FAILED");
    expect(verdict.levels).toEqual([]);
    expect(verdict.reasons[0]?.message).toBe(
      "The push rewrote the branch's history (a forced push): commits it removed are not judged; 12 commits of the push beyond the first 250 were not judged one by one.",
    );
  });

  it("fails under an invalid manifest at the first parent", () => {
    const facts = mergedFacts();
    const commit = {
      ...facts.commit,
      manifest: {
        state: "invalid" as const,
        path: ".github/ai-governance.yml",
        commit: HEAD,
        sha256: "0".repeat(64),
        problem: "line 3: unknown key",
      },
    };
    expect(kinds({ ...facts, commit })).toEqual(["manifest_invalid"]);
  });
});
