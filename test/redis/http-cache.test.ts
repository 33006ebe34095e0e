/** The conditional-request cache shared through a real Redis, as replicas share it. */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryResponseStore, sharedResponseStore } from "../../src/github/reads/http-cache.js";
import { REDIS_SERVER, suiteNeeds } from "../support/prerequisites.js";
import { type TestRedis, testClients, testRedis } from "./redis-server.js";

const CACHE_DB = 3;
const redisServer = suiteNeeds(import.meta.url, REDIS_SERVER);
let redis: TestRedis;
const clients = testClients();
const connection = (url = redis.url) => clients.connect(url);

const entry = {
  etag: 'W/"1"',
  url: "https://api.github.test/x",
  headers: { link: "" },
  body: '{"a":1}',
};

describe.skipIf(redisServer.skip)("the response cache shared through Redis", () => {
  beforeAll(async () => {
    redis = await testRedis(CACHE_DB);
  });
  afterAll(async () => {
    clients.disconnectAll();
    await redis?.stop();
  });

  it("lets one replica answer a 304 from an entry another replica stored", async () => {
    const a = sharedResponseStore(await connection(), memoryResponseStore());
    const b = sharedResponseStore(await connection(), memoryResponseStore());
    await a.set("installation-1 key", entry);
    expect(await b.get("installation-1 key")).toEqual(entry);
    expect(await b.get("installation-2 key")).toBeUndefined();
  });

  it("stores entries under aigate:etag: with an expiry, never forever", async () => {
    const store = sharedResponseStore(await connection(), memoryResponseStore());
    await store.set("expiring", entry);
    const observer = await connection();
    const ttl = await observer.ttl("aigate:etag:expiring");
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(24 * 60 * 60);
  });

  it("goes on from its own memory, without waiting, when Redis is not connected", async () => {
    const down = new Redis("redis://127.0.0.1:1", { lazyConnect: true, maxRetriesPerRequest: 0 });
    down.on("error", () => {});
    try {
      const store = sharedResponseStore(down, memoryResponseStore());
      await store.set("local", entry);
      expect(await store.get("local")).toEqual(entry);
      expect(await store.get("absent")).toBeUndefined();
    } finally {
      down.disconnect();
    }
  });
});
