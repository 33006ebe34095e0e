import { describe, expect, it } from "vitest";
import { BYPASS_ISSUE_TITLE, planBypassIssue } from "../../../src/core/merge-verification/index.js";

const bypass = (sha: string) => ({
  sha,
  url: `https://github.com/acme/m/commit/${sha}`,
  branch: "main",
  reason: "No pull request: commit | pushed <directly>.",
  at: "2026-11-02T10:00:00.000Z",
});
const A = "a".repeat(40);
const B = "b".repeat(40);

describe("the issue of changes that bypassed the gates", () => {
  it("is created on the first bypass, with the row escaped", () => {
    const plan = planBypassIssue(null, bypass(A));
    expect(plan).toMatchObject({
      kind: "create",
      title: BYPASS_ISSUE_TITLE,
      labels: ["ai-governance-bypass"],
    });
    expect(plan.kind === "create" && plan.body).toContain(
      `| \`${A}\` | main | 2026-11-02T10:00:00.000Z | No pull request: commit \\| pushed &lt;directly>. |`,
    );
  });

  it("is updated in place, newest first, and reopened when it was closed", () => {
    const first = planBypassIssue(null, bypass(A));
    const body = first.kind === "create" ? first.body : "";
    const plan = planBypassIssue({ number: 7, state: "closed", body }, bypass(B));
    expect(plan).toMatchObject({ kind: "update", number: 7, reopen: true });
    const text = plan.kind === "update" ? plan.body : "";
    expect(text.indexOf(B)).toBeLessThan(text.indexOf(A));
  });

  it("changes nothing for a commit listed already (a redelivery)", () => {
    const first = planBypassIssue(null, bypass(A));
    const body = first.kind === "create" ? first.body : "";
    expect(planBypassIssue({ number: 7, state: "open", body }, bypass(A))).toEqual({
      kind: "none",
    });
  });
});
