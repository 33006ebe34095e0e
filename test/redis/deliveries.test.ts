/** Handled deliveries shared through a real Redis, as replicas share them. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DELIVERY_MEMORY_MS,
  deliveryKey,
  localDeliveryLog,
  sharedDeliveryLog,
} from "../../src/github/replicas/deliveries.js";
import { REDIS_SERVER, suiteNeeds } from "../support/prerequisites.js";
import { type TestRedis, testClients, testRedis, unreachableRedisUrl } from "./redis-server.js";

const DELIVERIES_DB = 6;
const redisServer = suiteNeeds(import.meta.url, REDIS_SERVER);
let redis: TestRedis;
const clients = testClients();
const connection = (url = redis.url) => clients.connect(url);

describe.skipIf(redisServer.skip)("handled deliveries shared through Redis", () => {
  beforeAll(async () => {
    redis = await testRedis(DELIVERIES_DB);
  });
  afterAll(async () => {
    clients.disconnectAll();
    await redis?.stop();
  });

  it("lets one replica know a delivery another replica handled, for GitHub's three days", async () => {
    const a = sharedDeliveryLog(await connection());
    const b = sharedDeliveryLog(await connection());
    const id = `d-${process.pid}-1`;
    expect(await b.handled(id)).toBe(false);
    await a.record(id);
    expect(await b.handled(id)).toBe(true);
    expect(await b.handled(`d-${process.pid}-2`)).toBe(false);
    const ttl = await (await connection()).pttl(deliveryKey(id));
    expect(ttl).toBeGreaterThan(DELIVERY_MEMORY_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(DELIVERY_MEMORY_MS);
  });

  it("handles a delivery again when Redis does not answer, and never fails the event for it", async () => {
    const down = sharedDeliveryLog(await connection(await unreachableRedisUrl()));
    const id = `d-${process.pid}-3`;
    expect(await down.handled(id)).toBe(false);
    await expect(down.record(id)).resolves.toBeUndefined();
    // The replica itself still remembers what it handled.
    expect(await down.handled(id)).toBe(true);
    // A Redis that lost its data (restarted empty) makes another replica handle it again.
    const other = sharedDeliveryLog(await connection());
    expect(await other.handled(id)).toBe(false);
  });

  it("never remembers a delivery without an id", async () => {
    const log = localDeliveryLog();
    await log.record("");
    expect(await log.handled("")).toBe(false);
  });
});
