import { describe, expect, it } from "vitest";
import {
  countsAt,
  HOUR_MS,
  MINUTE_MS,
  mayWrite,
  OPTIONAL_WRITE_CEILING,
  type WriteKind,
} from "../../src/core/write-budget.js";

const EVIDENCE: WriteKind[] = ["attestation", "merge-verification", "check-run", "tracking-issue"];
const OPTIONAL: WriteKind[] = ["answer", "review-request"];

describe("the write budget's drop rule", () => {
  it("stops optional writes at 80 % of GitHub's limits: 64 a minute, 400 an hour", () => {
    expect(OPTIONAL_WRITE_CEILING).toEqual({ minute: 64, hour: 400 });
  });

  it.each(OPTIONAL)("%s: allowed just below the minute's ceiling, dropped at it", (kind) => {
    expect(mayWrite(kind, { minute: 63, hour: 63 })).toBe(true);
    expect(mayWrite(kind, { minute: 64, hour: 64 })).toBe(false);
  });

  it.each(OPTIONAL)("%s: allowed just below the hour's ceiling, dropped at it", (kind) => {
    expect(mayWrite(kind, { minute: 0, hour: 399 })).toBe(true);
    expect(mayWrite(kind, { minute: 0, hour: 400 })).toBe(false);
  });

  it.each(EVIDENCE)("%s is never dropped, even past GitHub's limits", (kind) => {
    expect(mayWrite(kind, { minute: 64, hour: 400 })).toBe(true);
    expect(mayWrite(kind, { minute: 10_000, hour: 10_000 })).toBe(true);
  });

  it("counts over a rolling minute and hour", () => {
    const now = 10 * HOUR_MS;
    const times = [
      now,
      now - MINUTE_MS + 1, // inside the minute
      now - MINUTE_MS, // just out of the minute
      now - HOUR_MS + 1, // inside the hour
      now - HOUR_MS, // just out of the hour
      now + 5, // a clock ahead of this replica's: not counted yet
    ];
    expect(countsAt(times, now)).toEqual({ minute: 2, hour: 4 });
  });
});
