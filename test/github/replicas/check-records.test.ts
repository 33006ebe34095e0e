/** What the App last wrote to its check runs, kept in memory (an App without Redis). */
import { describe, expect, it } from "vitest";
import {
  localCheckRecords,
  type RecordedRuns,
} from "../../../src/github/replicas/check-records.js";

const NAMES = ["AI governance: risk assessment", "AI governance: human oversight"];
const at = { owner: "acme", repo: "models", headSha: "a".repeat(40), appId: 42 };
const runs = (fingerprint: string): RecordedRuns =>
  new Map(NAMES.map((name, i) => [name, { id: i + 1, fingerprint, annotationsCount: 0 }]));

describe("check-run records in memory", () => {
  it("follows the same rules as in Redis: alone, handed back once, an hour at most", async () => {
    let now = 1_800_000_000_000;
    const records = localCheckRecords({ now: () => now });
    const a = await records.begin(at, NAMES);
    expect(a.recorded).toBeNull();
    await records.end(at, a.ticket, NAMES, { runs: runs("v1"), listedAt: now });
    const b = await records.begin(at, NAMES);
    expect(b.recorded?.runs).toEqual(runs("v1"));
    const c = await records.begin(at, NAMES);
    expect(c.recorded).toBeNull();
    await records.end(at, b.ticket, NAMES, { runs: runs("b"), listedAt: now });
    await records.end(at, b.ticket, NAMES, { runs: runs("b"), listedAt: now });
    await records.end(at, c.ticket, NAMES, { runs: runs("c"), listedAt: now });
    // b and c overlapped: neither is kept.
    const d = await records.begin(at, NAMES);
    expect(d.recorded).toBeNull();
    await records.end(at, d.ticket, NAMES, { runs: runs("d"), listedAt: now });
    now += 61 * 60_000;
    expect((await records.begin(at, NAMES)).recorded).toBeNull();
  });

  it("keeps no record while a write that never ended is under a day old", async () => {
    let now = 1_800_000_000_000;
    const records = localCheckRecords({ now: () => now });
    await records.begin(at, NAMES); // its write failed: never ended
    const later = await records.begin(at, NAMES);
    await records.end(at, later.ticket, NAMES, { runs: runs("v1"), listedAt: now });
    expect((await records.begin(at, NAMES)).recorded).toBeNull();
    now += 25 * 60 * 60_000;
    const next = await records.begin(at, NAMES);
    await records.end(at, next.ticket, NAMES, { runs: runs("v2"), listedAt: now });
    expect((await records.begin(at, NAMES)).recorded?.runs).toEqual(runs("v2"));
  });

  it("keeps none from a write under way when the App wrote without a ticket", async () => {
    const records = localCheckRecords();
    const a = await records.begin(at, NAMES);
    await records.forget(at);
    await records.end(at, a.ticket, NAMES, { runs: runs("v1"), listedAt: Date.now() });
    expect((await records.begin(at, NAMES)).recorded).toBeNull();
  });
});
