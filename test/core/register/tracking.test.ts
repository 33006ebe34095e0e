import { describe, expect, it } from "vitest";
import { buildRegister } from "../../../src/core/register/index.js";
import {
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
