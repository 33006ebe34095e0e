import { describe, expect, it } from "vitest";
import { daysUntil, isPastReview, reviewState } from "../../../src/core/assessment/review.js";

describe("when a risk assessment is due", () => {
  it("is current on its review_by date and expired the day after", () => {
    expect(isPastReview("2026-10-01", "2026-10-01")).toBe(false);
    expect(isPastReview("2026-10-01", "2026-10-02")).toBe(true);
  });

  it("counts whole days to review_by, negative once past, across month and leap-day ends", () => {
    expect(daysUntil("2026-10-01", "2026-10-01")).toBe(0);
    expect(daysUntil("2026-10-01", "2026-09-01")).toBe(30);
    expect(daysUntil("2028-03-01", "2028-02-28")).toBe(2);
    expect(daysUntil("2026-10-01", "2026-10-11")).toBe(-10);
  });

  it.each([
    ["2026-09-30", "expired"],
    ["2026-10-01", "expiring"],
    ["2026-10-31", "expiring"],
    ["2026-11-01", "current"],
  ] as const)("review_by %s is %s on 2026-10-01 with 30 days' notice", (reviewBy, state) => {
    expect(reviewState(reviewBy, "2026-10-01", 30)).toBe(state);
  });

  it("with no notice, only an assessment due today is expiring", () => {
    expect(reviewState("2026-10-01", "2026-10-01", 0)).toBe("expiring");
    expect(reviewState("2026-10-02", "2026-10-01", 0)).toBe("current");
  });
});
