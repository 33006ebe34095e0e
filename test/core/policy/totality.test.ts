import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluate } from "../../../src/core/policy/index.js";
import { renderCheck } from "../../../src/core/report/index.js";
import type { Facts } from "../../../src/core/types.js";
import {
  ALICE,
  AUTHOR,
  approval,
  BOT,
  CAROL,
  CREDIT_ASSESSMENT,
  commit,
  creditChange,
  file,
  HEAD_SHA,
  MANIFEST_FILE,
  MANIFEST_YAML,
  NOW,
  OLD_HEAD_SHA,
} from "./fixtures.js";

const CONCLUSIONS = ["success", "failure", "action_required", "neutral"];

const path = fc.constantFrom(
  "models/credit/w.bin",
  "data/credit/a.csv",
  "models/fraud/x.py",
  "models/legacy/y",
  "prompts/chat/a.md",
  MANIFEST_FILE,
  CREDIT_ASSESSMENT,
  "README.md",
);

/** Facts that vary in every field the engine reads, within their types. */
const arbitraryFacts: fc.Arbitrary<Facts> = fc
  .record({
    changed: fc.array(
      fc.record({
        path,
        status: fc.constantFrom("added", "modified", "removed", "renamed" as const),
        previousPath: fc.option(path, { nil: undefined }),
      }),
      { maxLength: 6 },
    ),
    truncated: fc.boolean(),
    manifestText: fc.oneof(
      fc.constant(MANIFEST_YAML),
      fc.string(),
      fc.constant(MANIFEST_YAML.slice(0, 300)),
      fc.constant(MANIFEST_YAML.replace("approvals: 2", "approvals: -1")),
    ),
    assessment: fc.oneof(fc.constant(null), fc.string(), fc.constant("version: 1\n")),
    proposed: fc.option(fc.oneof(fc.string(), fc.constant(MANIFEST_YAML)), { nil: undefined }),
    approvers: fc.array(fc.constantFrom(ALICE, CAROL, AUTHOR, BOT), { maxLength: 4 }),
    commits: fc.array(
      fc.constantFrom(commit(HEAD_SHA), { sha: "f".repeat(40), author: null, committer: null }),
      {
        maxLength: 3,
      },
    ),
    onOldHead: fc.boolean(),
    changedSince: fc.option(fc.array(path, { maxLength: 3 }), { nil: null }),
    evaluateApprovals: fc.boolean(),
  })
  .map((r) =>
    creditChange({
      changedFiles: r.changed.map((c) => (c.previousPath ? c : { path: c.path, status: c.status })),
      changedFilesTruncated: r.truncated,
      manifest: {
        status: "present",
        path: MANIFEST_FILE,
        baseSha: "b",
        sha256: "m",
        text: r.manifestText,
      },
      headFiles: {
        [CREDIT_ASSESSMENT]: r.assessment === null ? null : file(CREDIT_ASSESSMENT, r.assessment),
      },
      ...(r.proposed !== undefined ? { proposedManifest: { text: r.proposed, sha256: "p" } } : {}),
      approvals: r.approvers.map((a) =>
        approval(
          a,
          ["credit-scoring", "aigate:manifest"],
          r.onOldHead ? { commit: OLD_HEAD_SHA } : {},
        ),
      ),
      commits: r.commits,
      changedSince: { [OLD_HEAD_SHA]: r.changedSince },
      evaluateApprovals: r.evaluateApprovals,
    }),
  );

describe("evaluate: total over any facts", () => {
  it("always returns a decision with a conclusion and a title for both gates, and renders it", () => {
    fc.assert(
      fc.property(arbitraryFacts, (facts) => {
        const decision = evaluate(facts, NOW);
        for (const gate of ["assessment", "oversight"] as const) {
          expect(CONCLUSIONS).toContain(decision[gate].conclusion);
          expect(decision[gate].title.length).toBeGreaterThan(0);
          const output = renderCheck(decision, gate);
          expect(output.summary.length).toBeLessThanOrEqual(65_535);
          expect(output.annotations.length).toBeLessThanOrEqual(50);
        }
        expect(decision.error).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("never passes the oversight gate with an approval from the author, a bot or on a stale head", () => {
    fc.assert(
      fc.property(arbitraryFacts, (facts) => {
        const decision = evaluate(facts, NOW);
        for (const system of decision.oversight.systems) {
          for (const counted of system.counted) {
            expect(["paula", "helper[bot]"]).not.toContain(counted.approver);
            if (counted.commit !== HEAD_SHA) {
              const since = facts.changedSince[counted.commit];
              expect(since === null || since === undefined).toBe(false);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
