import { describe, expect, it } from "vitest";
import {
  buildRegister,
  buildSoa,
  type CheckRunFact,
  checkRunCounts,
  mergedPullGate,
  RegisterSchema,
  registerHtml,
  registerMarkdown,
  registerTableNames,
  registerTables,
  repositoryGateCounts,
  tableCsv,
} from "../../../src/core/register/index.js";
import { ASSESSMENT_CHECK_NAME, OVERSIGHT_CHECK_NAME } from "../../../src/core/report/index.js";
import { oversightSummary } from "../attestation/helpers.js";
import { lending, OPTIONS } from "./fixtures.js";

const digest = (c: string) => `sha256:${c.repeat(64)}`;

function run(patch: Partial<CheckRunFact> & Pick<CheckRunFact, "id" | "name">): CheckRunFact {
  return {
    app: "aigate",
    status: "completed",
    conclusion: "success",
    summary: null,
    ...patch,
  };
}

const assessment = (id: number, patch: Partial<CheckRunFact> = {}) =>
  run({ id, name: ASSESSMENT_CHECK_NAME, ...patch });
const oversight = (id: number, patch: Partial<CheckRunFact> = {}) =>
  run({ id, name: OVERSIGHT_CHECK_NAME, ...patch });

describe("what aigate's checks said on a merged pull request", () => {
  it("takes the newest run of each check by the App, and the approvals its oversight summary counted", () => {
    const gate = mergedPullGate(
      7,
      [
        assessment(1, { conclusion: "failure" }),
        oversight(2, { conclusion: "action_required", summary: oversightSummary(digest("a")) }),
        assessment(3),
        oversight(4, { summary: oversightSummary(digest("a"), digest("b")) }),
      ],
      "aigate",
    );
    expect(gate).toEqual({
      pullRequest: 7,
      assessment: "success",
      oversight: "success",
      approvals: 2,
      settled: true,
    });
  });

  it("never counts runs with aigate's names written by another App or a workflow", () => {
    const gate = mergedPullGate(
      7,
      [
        assessment(5, { app: "github-actions" }),
        oversight(6, { app: "impostor", summary: oversightSummary(digest("c")) }),
        oversight(2, { conclusion: "failure" }),
      ],
      "aigate",
    );
    expect(gate).toMatchObject({ assessment: "missing", oversight: "failure", approvals: 0 });
    expect(gate.settled).toBe(false);
    // The same runs, counted for the App that wrote them.
    expect(mergedPullGate(7, [oversight(6, { app: "impostor" })], "impostor").oversight).toBe(
      "success",
    );
  });

  it("says other for a run that never completed or concluded otherwise, and keeps it unsettled only while one is running", () => {
    const running = mergedPullGate(
      8,
      [assessment(1, { status: "in_progress", conclusion: null }), oversight(2)],
      "aigate",
    );
    expect(running).toMatchObject({ assessment: "other", oversight: "success", settled: false });
    const neutral = mergedPullGate(
      8,
      [assessment(1, { conclusion: "neutral" }), oversight(2, { conclusion: "cancelled" })],
      "aigate",
    );
    expect(neutral).toMatchObject({ assessment: "other", oversight: "other", settled: true });
  });
});

describe("check-run counts in the register and the draft SoA", () => {
  const merged = [
    mergedPullGate(
      7,
      [assessment(1), oversight(2, { summary: oversightSummary(digest("a"), digest("b")) })],
      "aigate",
    ),
    mergedPullGate(
      6,
      [assessment(3), oversight(4, { conclusion: "action_required", summary: "Waiting" })],
      "aigate",
    ),
    mergedPullGate(5, [], "aigate"),
  ];
  const counts = checkRunCounts("aigate", 50, [
    repositoryGateCounts("acme/lending", 4, merged),
    repositoryGateCounts("acme/apps", 0, []),
  ]);
  const register = buildRegister([lending()], { ...OPTIONS, checkRuns: counts });

  it("counts per repository, sorted by name, with totals", () => {
    expect(counts.repositories.map((r) => r.repository)).toEqual(["acme/apps", "acme/lending"]);
    expect(counts.totals).toEqual({
      pull_requests: 4,
      merged: 3,
      merged_with_both_checks: 2,
      risk_assessment: { success: 2, failure: 0, action_required: 0, other: 0, missing: 1 },
      human_oversight: { success: 1, failure: 0, action_required: 1, other: 0, missing: 1 },
      approvals_counted: 2,
      merged_with_counted_approvals: 1,
    });
    expect(RegisterSchema.safeParse(register).success).toBe(true);
    expect(register.check_runs).toEqual(counts);
  });

  it("gives the SoA counts from check runs, saying which pull requests they cover", () => {
    const soa = buildSoa(register);
    const counted = (id: string) => soa.controls.find((c) => c.id === id)?.counts;
    const window = "3 pull request(s) merged among the last 50 closed of each governed repository";
    expect(counted("A.6.2.5")).toBe(
      `human-oversight check by aigate on ${window}: 1 success, 1 action required, 1 missing; 2 approval(s) counted, on 1 pull request(s)`,
    );
    expect(counted("A.9.2")).toBe(counted("A.6.2.5"));
    expect(counted("A.5.2")).toBe(
      `2 of 2 required assessment(s) current (0 expiring); 0 expired, 0 missing, 0 invalid; risk-assessment check by aigate on ${window}: 2 success, 1 missing`,
    );
    expect(counted("A.6.2.8")).toBe(`2 of ${window} carry both aigate check runs`);
  });

  it("says how to get them when they were not read", () => {
    const soa = buildSoa(buildRegister([lending()], OPTIONS));
    const counted = (id: string) => soa.controls.find((c) => c.id === id)?.counts;
    expect(counted("A.6.2.5")).toBe(
      "with --org or --repo, --with-approvals and --with-check-runs add counts of approved changes and of check runs",
    );
    expect(counted("A.6.2.8")).toBeNull();
  });

  it("adds the checks table to the register's views only when check runs were counted", () => {
    expect(registerTableNames(register)).toEqual(["systems", "risks", "problems", "checks"]);
    expect(registerTableNames(buildRegister([lending()], OPTIONS))).toEqual([
      "systems",
      "risks",
      "problems",
    ]);
    expect(registerMarkdown(buildRegister([lending()], OPTIONS))).not.toContain("Check runs");
    const markdown = registerMarkdown(register);
    expect(markdown).toContain("## Check runs of recently merged pull requests");
    expect(markdown).toContain(
      "| Repository | Merged | Merged with both checks | Risk assessment: success | Human oversight: success | Human oversight: failure | Approvals counted |",
    );
    expect(markdown).toContain("| acme/lending | 3 | 2 | 2 | 1 | 0 | 2 |");
    const html = registerHtml(register, buildSoa(register));
    expect(html).toContain('<section id="check-runs">');
    expect(html).toContain(
      "Pull requests merged before that window, changes pushed without a pull request, and check runs by other Apps are not counted.",
    );
    expect(html).toContain('<th scope="col">Human oversight: action required</th>');
    expect(registerHtml(buildRegister([lending()], OPTIONS), buildSoa(register))).not.toContain(
      'id="check-runs"',
    );
    const csv = tableCsv(registerTables(register).checks).split("\r\n");
    expect(csv[0]?.split(",")).toHaveLength(16);
    expect(csv[2]).toBe("acme/lending,4,3,2,2,0,0,0,1,1,0,1,0,1,2,1");
  });
});
