/** The write budget's drop rule at its boundary, in one replica's memory and shared through a real Redis. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS, OPTIONAL_WRITE_CEILING } from "../../src/core/write-budget.js";
import {
  budgetKey,
  localWriteBudget,
  sharedWriteBudget,
  type WriteBudget,
} from "../../src/github/replicas/write-budget.js";
import { REDIS_SERVER, suiteNeeds } from "../support/prerequisites.js";
import { type TestRedis, testClients, testRedis, unreachableRedisUrl } from "./redis-server.js";

const BUDGET_DB = 8;
const redisServer = suiteNeeds(import.meta.url, REDIS_SERVER);
let redis: TestRedis;
const clients = testClients();
let installations = 0;
const installation = () => `${process.pid}-${++installations}`;

/** Fills the minute up to just below the ceiling with evidence writes. */
async function fillBelowCeiling(budget: WriteBudget, id: string) {
  for (let i = 0; i < OPTIONAL_WRITE_CEILING.minute - 1; i++) await budget.record(id);
}

async function boundary(budgets: WriteBudget[]) {
  const id = installation();
  const first = budgets[0];
  if (!first) throw new Error("no budget");
  const second = budgets[1] ?? first;
  await fillBelowCeiling(first, id);
  expect(await second.counts(id)).toEqual({ minute: 63, hour: 63 });
  // 63 writes: one more optional write fits; it takes the count to the ceiling, 80 % of 80.
  expect(await second.admit(id, "answer")).toBe(true);
  expect(await first.admit(id, "review-request")).toBe(false);
  expect(await second.admit(id, "answer")).toBe(false);
  // Evidence goes ahead whatever the count, and is counted.
  expect(await first.admit(id, "attestation")).toBe(true);
  await second.record(id);
  expect(await first.counts(id)).toEqual({ minute: 66, hour: 66 });
  return id;
}

describe("the write budget in one replica's memory", () => {
  it("drops optional writes at the ceiling, never evidence", async () => {
    await boundary([localWriteBudget()]);
  });

  it("admits optional writes again once the minute has passed, until the hour's ceiling", async () => {
    let now = 1_000_000;
    const budget = localWriteBudget(() => now);
    const id = installation();
    for (let i = 0; i < OPTIONAL_WRITE_CEILING.hour; i++) {
      if (i % 60 === 0) now += MINUTE_MS;
      await budget.record(id);
    }
    now += MINUTE_MS;
    expect(await budget.counts(id)).toEqual({ minute: 0, hour: 400 });
    expect(await budget.admit(id, "answer")).toBe(false);
  });
});

describe.skipIf(redisServer.skip)("the write budget shared through Redis", () => {
  beforeAll(async () => {
    redis = await testRedis(BUDGET_DB);
  });
  afterAll(async () => {
    clients.disconnectAll();
    await redis?.stop();
  });

  it("drops optional writes at the ceiling across two replicas, never evidence", async () => {
    const a = sharedWriteBudget(await clients.connect(redis.url));
    const b = sharedWriteBudget(await clients.connect(redis.url));
    const id = await boundary([a, b]);
    const ttl = await (await clients.connect(redis.url)).pttl(budgetKey(id));
    expect(ttl).toBeGreaterThan(0);
  });

  it("never admits past the ceiling when replicas ask at once", async () => {
    const replicas = await Promise.all(
      [1, 2, 3, 4].map(async () => sharedWriteBudget(await clients.connect(redis.url))),
    );
    const id = installation();
    const asked = await Promise.all(
      Array.from({ length: 100 }, (_, i) => replicas[i % 4]?.admit(id, "answer")),
    );
    expect(asked.filter(Boolean)).toHaveLength(OPTIONAL_WRITE_CEILING.minute);
  });

  it("falls back on the replica's own counts when Redis does not answer", async () => {
    const down = sharedWriteBudget(await clients.connect(await unreachableRedisUrl()));
    await boundary([down]);
  });
});
