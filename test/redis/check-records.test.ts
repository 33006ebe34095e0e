/**
 * What the App last wrote to its check runs, shared through a real Redis: kept only for a
 * writer that was alone, never trusted across a restart of the server.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../sim/ports.js";
import { startRedisServer } from "../../sim/redis.js";
import {
  type CheckRecords,
  checkRecordKey,
  type RecordedRuns,
  type RecordTarget,
  redisCheckRecords,
} from "../../src/github/replicas/check-records.js";
import { REDIS_SERVER, suiteNeeds } from "../support/prerequisites.js";
import { type TestRedis, testClients, testRedis } from "./redis-server.js";

const RECORDS_DB = 7;
const redisServer = suiteNeeds(import.meta.url, REDIS_SERVER);
let redis: TestRedis;
const clients = testClients();
const NAMES = ["AI governance: risk assessment", "AI governance: human oversight"];

const client = (url = redis.url) => clients.connect(url);

let commits = 0;
function target(): RecordTarget {
  commits++;
  return { owner: "Acme", repo: "Models", headSha: `${commits}`.padStart(40, "a"), appId: 42 };
}

function runs(id: number, fingerprint: string): RecordedRuns {
  return new Map(NAMES.map((name, i) => [name, { id: id + i, fingerprint, annotationsCount: 0 }]));
}

/** One writer: begins, recalls what it may, and ends having written `fingerprint`. */
async function write(records: CheckRecords, at: RecordTarget, id: number, fingerprint: string) {
  const { ticket, recorded } = await records.begin(at, NAMES);
  await records.end(at, ticket, NAMES, { runs: runs(id, fingerprint), listedAt: Date.now() });
  return recorded?.runs ?? null;
}

describe.skipIf(redisServer.skip)("check-run records shared through Redis", () => {
  beforeAll(async () => {
    redis = await testRedis(RECORDS_DB);
  });
  afterAll(async () => {
    clients.disconnectAll();
    await redis?.stop();
  });

  it("lets the next writer, on any replica, recall what a writer alone wrote", async () => {
    const [a, b] = [redisCheckRecords(await client()), redisCheckRecords(await client())];
    const at = target();
    expect(await write(a, at, 100, "v1")).toBeNull();
    expect(await write(b, at, 100, "v2")).toEqual(runs(100, "v1"));
    expect(await write(a, at, 100, "v3")).toEqual(runs(100, "v2"));
    expect(checkRecordKey(at)).toBe(`aigate:checks:42:acme/models@${at.headSha}`);
    expect(await (await client()).exists(checkRecordKey(at))).toBe(1);
    // Another App's runs, or a record of other names, are not recalled.
    expect(await write(b, { ...at, appId: 43 }, 1, "other")).toBeNull();
    const { ticket, recorded } = await a.begin(at, [...NAMES, "another check"]);
    expect(recorded).toBeNull();
    await a.end(at, ticket, NAMES, { runs: runs(100, "v3"), listedAt: Date.now() });
  });

  it("recalls nothing while a write is in flight, or after two writers overlapped", async () => {
    const [a, b] = [redisCheckRecords(await client()), redisCheckRecords(await client())];
    const at = target();
    await write(a, at, 100, "v1");
    const first = await a.begin(at, NAMES);
    expect(first.recorded?.runs).toEqual(runs(100, "v1"));
    const second = await b.begin(at, NAMES);
    expect(second.recorded).toBeNull();
    // Each ends having written alone as far as it knows; their writes may have landed in
    // either order, so neither is kept.
    await b.end(at, second.ticket, NAMES, { runs: runs(200, "v2"), listedAt: Date.now() });
    await a.end(at, first.ticket, NAMES, { runs: runs(100, "v3"), listedAt: Date.now() });
    expect(await write(b, at, 200, "v4")).toBeNull();
    // The next writer alone is recalled again.
    expect(await write(a, at, 200, "v5")).toEqual(runs(200, "v4"));
  });

  it("recalls nothing again after a write that was not answered (it may still land)", async () => {
    const records = redisCheckRecords(await client());
    const at = target();
    await write(records, at, 100, "v1");
    const failed = await records.begin(at, NAMES); // its write failed: never ended
    expect(failed.recorded?.runs).toEqual(runs(100, "v1"));
    expect(await write(records, at, 100, "v2")).toBeNull();
    expect(await write(records, at, 100, "v3")).toBeNull();
  });

  it("forgets the record when a replica writes without a ticket, and a write in flight keeps none", async () => {
    const [a, b] = [redisCheckRecords(await client()), redisCheckRecords(await client())];
    const at = target();
    await write(a, at, 100, "v1");
    await b.forget(at);
    expect(await write(a, at, 100, "v2")).toBeNull();
    const inFlight = await a.begin(at, NAMES);
    expect(inFlight.recorded?.runs).toEqual(runs(100, "v2"));
    await b.forget(at); // b wrote meanwhile, without a ticket
    await a.end(at, inFlight.ticket, NAMES, { runs: runs(100, "v3"), listedAt: Date.now() });
    expect(await write(a, at, 100, "v4")).toBeNull();
    expect(await write(a, at, 100, "v5")).toEqual(runs(100, "v4"));
    // Forgetting while Redis does not answer never fails the write it follows.
    const down = redisCheckRecords(await client(`redis://127.0.0.1:${await freePort()}`));
    await expect(down.forget(at)).resolves.toBeUndefined();
  });

  it("hands a ticket back once: a reply lost and its command sent again changes nothing", async () => {
    const records = redisCheckRecords(await client());
    const at = target();
    const w = await records.begin(at, NAMES);
    const record = { runs: runs(100, "v1"), listedAt: Date.now() };
    await records.end(at, w.ticket, NAMES, record);
    await records.end(at, w.ticket, NAMES, record);
    // E is in flight; F begins beside it and ends: nothing is kept while E may still land.
    const e = await records.begin(at, NAMES);
    const f = await records.begin(at, NAMES);
    await records.end(at, f.ticket, NAMES, { runs: runs(300, "f"), listedAt: Date.now() });
    expect(await write(records, at, 400, "g")).toBeNull();
    expect(e.recorded?.runs).toEqual(runs(100, "v1"));
  });

  it("ignores a ticket whose record vanished and was made again meanwhile", async () => {
    const records = redisCheckRecords(await client());
    const at = target();
    const a = await records.begin(at, NAMES);
    // The keys vanish (an eviction, a flush) while A writes; B begins on fresh keys.
    await (await client()).del(checkRecordKey(at), `${checkRecordKey(at)}:writing`);
    const b = await records.begin(at, NAMES);
    await records.end(at, a.ticket, NAMES, { runs: runs(100, "a"), listedAt: Date.now() });
    // A's ticket is not B's: A's record is not kept while B is in flight.
    expect(await records.begin(at, NAMES)).toMatchObject({ recorded: null });
    expect(b.recorded).toBeNull();
  });

  it("lists the runs again an hour after the list a record was made from", async () => {
    let now = Date.now();
    const records = redisCheckRecords(await client(), { now: () => now });
    const at = target();
    const first = await records.begin(at, NAMES);
    await records.end(at, first.ticket, NAMES, { runs: runs(100, "v1"), listedAt: now });
    now += 59 * 60_000;
    const recalled = await records.begin(at, NAMES);
    expect(recalled.recorded).toEqual({
      runs: runs(100, "v1"),
      listedAt: recalled.recorded?.listedAt,
    });
    // Written since, from the recalled runs: the record still dates from that list.
    await records.end(at, recalled.ticket, NAMES, {
      runs: runs(100, "v2"),
      listedAt: recalled.recorded?.listedAt ?? 0,
    });
    now += 2 * 60_000;
    expect((await records.begin(at, NAMES)).recorded).toBeNull();
  });

  it("ignores a record that came back from a snapshot after the server restarted", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aigate-redis-"));
    const port = await freePort();
    let server = await startRedisServer(port, dir);
    try {
      const before = await client(server.url);
      const at = target();
      await write(redisCheckRecords(before), at, 100, "v1");
      expect(await write(redisCheckRecords(before), at, 100, "v1")).toEqual(runs(100, "v1"));
      await before.save();
      before.disconnect();
      await server.stop();
      server = await startRedisServer(port, dir);
      const after = await client(server.url);
      // The data came back with the snapshot; the record is not recalled.
      expect(await after.exists(checkRecordKey(at))).toBe(1);
      expect(await write(redisCheckRecords(after), at, 300, "v2")).toBeNull();
      // A write on the new server is recalled.
      expect(await write(redisCheckRecords(after), at, 300, "v3")).toEqual(runs(300, "v2"));
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses to begin a write when Redis does not answer", async () => {
    const records = redisCheckRecords(await client(`redis://127.0.0.1:${await freePort()}`));
    await expect(records.begin(target(), NAMES)).rejects.toThrow();
  });
});
