import { describe, expect, it } from "vitest";
import { buildRegister } from "../../../src/core/register/index.js";
import {
  planTrackingBypass,
  planTrackingIssue,
  TRACKING_LABEL,
  trackingBody,
  trackingMarker,
} from "../../../src/core/register/tracking.js";
import { assessmentYaml, CREDIT_ASSESSMENT, lending, OPTIONS } from "./fixtures.js";

const due = buildRegister(
  [lending({ [CREDIT_ASSESSMENT]: assessmentYaml({ review_by: "2026-11-01" }) })],
  OPTIONS,
);
const nothingDue = buildRegister([lending()], OPTIONS);

describe("the tracking issue plan", () => {
  it("creates the issue, labelled and marked for its source, when an assessment is due", () => {
    const plan = planTrackingIssue(null, due);
    expect(plan).toMatchObject({ kind: "create", labels: [TRACKING_LABEL] });
    const body = trackingBody(due) ?? "";
    expect(body.startsWith(trackingMarker("organisation acme"))).toBe(true);
    expect(body).toContain(
      "| acme/lending | credit-scoring | @acme/credit-ml | **expired** | 2026-11-01 |",
    );
  });

  it("writes nothing when the open issue already lists exactly what is due", () => {
    const body = trackingBody(due) ?? "";
    expect(planTrackingIssue({ number: 5, state: "open", body }, due)).toEqual({
      kind: "none",
      number: 5,
    });
  });

  it("keeps the body the same from one day to the next while the same assessments are due", () => {
    const tomorrow = buildRegister(
      [lending({ [CREDIT_ASSESSMENT]: assessmentYaml({ review_by: "2026-11-01" }) })],
      { ...OPTIONS, today: "2026-11-28", generatedAt: "2026-11-28T06:00:00.000Z" },
    );
    expect(trackingBody(tomorrow)).toBe(trackingBody(due));
  });

  it("updates in place, reopening a closed issue, when what is due changed", () => {
    expect(planTrackingIssue({ number: 5, state: "open", body: "old" }, due)).toMatchObject({
      kind: "update",
      number: 5,
      reopen: false,
    });
    expect(planTrackingIssue({ number: 5, state: "closed", body: "old" }, due)).toMatchObject({
      kind: "update",
      reopen: true,
    });
  });

  it("closes the open issue when nothing is left to list, and leaves a closed one alone", () => {
    expect(planTrackingIssue({ number: 5, state: "open", body: "old" }, nothingDue)).toMatchObject({
      kind: "close",
      number: 5,
    });
    expect(planTrackingIssue({ number: 5, state: "closed", body: "x" }, nothingDue)).toEqual({
      kind: "none",
      number: 5,
    });
    expect(planTrackingIssue(null, nothingDue)).toEqual({ kind: "none", number: null });
  });

  it("never lets text from a manifest break the issue's table", () => {
    const hostile = buildRegister(
      [
        {
          ...lending({ [CREDIT_ASSESSMENT]: assessmentYaml({ review_by: "2026-11-01" }) }),
          repository: "acme/a|b",
        },
      ],
      OPTIONS,
    );
    expect(trackingBody(hostile)).toContain("| acme/a\\|b |");
  });
});

describe("bypassed commits in the tracking issue", () => {
  const bypass = (n: number) => ({
    sha: String(n).repeat(40),
    url: `https://github.com/acme/lending/commit/${String(n).repeat(40)}`,
    branch: "main",
    reason: `No pull request ${n} | <b>`,
    at: "2026-11-27T06:00:00.000Z",
  });
  const bodyOf = (plan: ReturnType<typeof planTrackingBypass>) => ("body" in plan ? plan.body : "");

  it("creates the issue for the repository's source on the first bypass", () => {
    const plan = planTrackingBypass(null, "repositories acme/lending", bypass(1));
    expect(plan).toMatchObject({ kind: "create", labels: [TRACKING_LABEL] });
    const body = bodyOf(plan);
    expect(body.startsWith(trackingMarker("repositories acme/lending"))).toBe(true);
    expect(body).toContain(
      `| \`${"1".repeat(40)}\` | main | 2026-11-27T06:00:00.000Z | No pull request 1 \\| &lt;b> |`,
    );
  });

  it("adds later bypasses on top in place, reopening a closed issue, and none twice", () => {
    const body = trackingBody(due) ?? "";
    const first = planTrackingBypass({ number: 7, state: "closed", body }, "ignored", bypass(1));
    expect(first).toMatchObject({ kind: "update", number: 7, reopen: true });
    expect(bodyOf(first).startsWith(body)).toBe(true);
    const second = planTrackingBypass(
      { number: 7, state: "open", body: bodyOf(first) },
      "ignored",
      bypass(2),
    );
    const shas = [...bodyOf(second).matchAll(/^\| `([0-9a-f]{40})`/gm)].map((m) => m[1]?.[0]);
    expect(shas).toEqual(["2", "1"]);
    expect(
      planTrackingBypass({ number: 7, state: "open", body: bodyOf(second) }, "x", bypass(1)),
    ).toEqual({ kind: "none", number: 7 });
  });

  it("is kept by the register's updates, closing included", () => {
    const withBypass = bodyOf(planTrackingBypass(null, "organisation acme", bypass(3)));
    const update = planTrackingIssue({ number: 9, state: "open", body: withBypass }, due);
    expect(update.kind).toBe("update");
    expect(bodyOf(update)).toContain("| acme/lending | credit-scoring |");
    expect(bodyOf(update)).toContain(`| \`${"3".repeat(40)}\``);
    const same = planTrackingIssue({ number: 9, state: "open", body: bodyOf(update) }, due);
    expect(same).toEqual({ kind: "none", number: 9 });
    const close = planTrackingIssue({ number: 9, state: "open", body: bodyOf(update) }, nothingDue);
    expect(close.kind).toBe("close");
    expect(bodyOf(close)).toContain(`| \`${"3".repeat(40)}\``);
    expect(bodyOf(close)).not.toContain("| acme/lending | credit-scoring |");
  });
});
