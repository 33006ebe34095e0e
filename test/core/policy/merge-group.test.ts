import { describe, expect, it } from "vitest";
import { parseManifest } from "../../../src/core/manifest/parse.js";
import { compileMatcher } from "../../../src/core/match.js";
import { evaluate } from "../../../src/core/policy/index.js";
import {
  governedOutsidePullRequest,
  judgeMergeGroup,
  queuedPullRequest,
} from "../../../src/core/policy/merge-group.js";
import {
  ALICE,
  approval,
  CAROL,
  changed,
  creditChange,
  MANIFEST_FILE,
  MANIFEST_YAML,
  NOW,
} from "./fixtures.js";

const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";

describe("the pull request a merge queue ref names", () => {
  it.each([
    [`refs/heads/gh-readonly-queue/main/pr-42-${SHA}`, 42, "main"],
    [`gh-readonly-queue/main/pr-42-${SHA}`, 42, "main"],
    [`refs/heads/gh-readonly-queue/release/2026/pr-7-${SHA}`, 7, "release/2026"],
  ])("reads %s as #%i on %s", (ref, pullNumber, base) => {
    expect(queuedPullRequest(ref)).toEqual({ ok: true, pullNumber, base });
  });

  it.each([
    ["refs/heads/main", "is not a merge queue branch"],
    ["refs/heads/gh-readonly-queue/main/feature", "names no pull request"],
    [`refs/heads/gh-readonly-queue/main/pr-1-${SHA}/pr-2-${SHA}`, "names 2 pull requests"],
    [`refs/heads/gh-readonly-queue/pr-1-${SHA}`, "is not gh-readonly-queue/<base>/pr-<N>-<sha>"],
    ["refs/heads/gh-readonly-queue/main/pr-x-abc", "names no pull request"],
    [
      "refs/heads/gh-readonly-queue/main/pr-0-abcdef1",
      "is not gh-readonly-queue/<base>/pr-<N>-<sha>",
    ],
    [
      "refs/heads/gh-readonly-queue/main/pr-12-nothex!",
      "is not gh-readonly-queue/<base>/pr-<N>-<sha>",
    ],
    ["", "is not a merge queue branch"],
  ])("refuses %j: %s", (ref, why) => {
    const read = queuedPullRequest(ref);
    expect(read.ok).toBe(false);
    if (!read.ok)
      expect(read.reason).toContain(`the merge queue ref ${JSON.stringify(ref)} ${why}`);
  });
});

describe("judging a merge group", () => {
  const parsed = parseManifest(MANIFEST_YAML, MANIFEST_FILE);
  if (!parsed.ok) throw new Error("fixture manifest is invalid");
  const compiled = compileMatcher(parsed.manifest, MANIFEST_FILE);

  it("finds the governed paths the group changes and the pull request does not", () => {
    const group = [
      ...changed("models/credit/weights.bin", "data/credit/extra.csv", "README.md", MANIFEST_FILE),
      { path: "models/legacy/new.bin", status: "renamed" as const, previousPath: "old/place.bin" },
    ];
    expect(
      governedOutsidePullRequest(compiled, group, changed("models/credit/weights.bin")),
    ).toEqual(["data/credit/extra.csv", MANIFEST_FILE, "models/legacy/new.bin"]);
    expect(governedOutsidePullRequest(compiled, group, group)).toEqual([]);
  });

  it("fails both gates for a governed path outside the pull request, first in the title", () => {
    const approvals = [
      approval(ALICE, ["credit-scoring"]),
      approval(CAROL, [{ system: "credit-scoring", reason: "member of acme/model-risk" }]),
    ];
    const decision = judgeMergeGroup(
      evaluate(creditChange({ approvals }), NOW),
      ["data/credit/extra.csv"],
      7,
    );
    for (const gate of [decision.assessment, decision.oversight]) {
      expect(gate).toMatchObject({
        conclusion: "failure",
        title:
          "the merge group changes governed files that pull request #7 does not: data/credit/extra.csv",
      });
    }
  });

  it("fails a gate still waiting for approvals: nobody can approve a group", () => {
    const decision = judgeMergeGroup(evaluate(creditChange(), NOW), [], 7);
    expect(decision.oversight).toMatchObject({
      conclusion: "failure",
      title: "Waiting for 2 of 2 approvals (credit-scoring)",
    });
    expect(decision.assessment.conclusion).toBe("success");
  });
});
