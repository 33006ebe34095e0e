/**
 * When a risk assessment is due (docs/assessment.md): it is current up to and including its `review_by`
 * date and expired from the day after. One rule for the gate and the register. Dates are
 * `YYYY-MM-DD`, compared in UTC.
 */

export type ReviewState = "current" | "expiring" | "expired";

/** Whether an assessment reviewed by `reviewBy` is past due on `today`. */
export function isPastReview(reviewBy: string, today: string): boolean {
  // ISO dates order correctly as strings.
  return reviewBy < today;
}

const DAY_MS = 86_400_000;

/** Whole days from `today` to `reviewBy`: negative once it has passed. */
export function daysUntil(reviewBy: string, today: string): number {
  return Math.round(
    (Date.parse(`${reviewBy}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY_MS,
  );
}

/**
 * `expired` past `review_by`; `expiring` when `review_by` falls within the next
 * `expiringWithinDays` days (today included); `current` otherwise.
 */
export function reviewState(
  reviewBy: string,
  today: string,
  expiringWithinDays: number,
): ReviewState {
  if (isPastReview(reviewBy, today)) return "expired";
  return daysUntil(reviewBy, today) <= expiringWithinDays ? "expiring" : "current";
}
