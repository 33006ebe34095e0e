/**
 * A real Redis for the tests that need one. CI starts one on loopback and passes its URL in
 * AIGATE_TEST_REDIS_URL; without it (`npm test` on a laptop) a private `redis-server` is started
 * on a free loopback port and stopped by `stop()`. No Redis at all is an error that says what
 * to install: these tests are never skipped.
 */
import { Redis } from "ioredis";
import { freePort } from "../../sim/ports.js";
import { ping, startRedisServer } from "../../sim/redis.js";

export { startRedisServer };

export interface TestRedis {
  /** `redis://127.0.0.1:PORT/DB`. */
  url: string;
  /** Stops the server if this helper started it. */
  stop(): Promise<void>;
}

/**
 * The shared Redis (AIGATE_TEST_REDIS_URL) or a private one. `db` picks a logical database so
 * that test files running side by side on one server do not see each other's keys.
 */
export async function testRedis(db = 0): Promise<TestRedis> {
  const shared = process.env.AIGATE_TEST_REDIS_URL;
  if (shared) {
    const url = new URL(shared);
    url.pathname = `/${db}`;
    await ping(url.href);
    return { url: url.href, stop: async () => {} };
  }
  const server = await startRedisServer();
  return { url: `${server.url}/${db}`, stop: server.stop };
}

/** A loopback URL where nothing listens: a Redis that is down. */
export async function unreachableRedisUrl(): Promise<string> {
  return `redis://127.0.0.1:${await freePort()}`;
}

/**
 * Clients a test file opens, each disconnected by `disconnectAll()`. A client of a Redis that is
 * down fails its commands at once instead of queueing them.
 */
export function testClients(): { connect(url: string): Promise<Redis>; disconnectAll(): void } {
  const clients: Redis[] = [];
  return {
    async connect(url) {
      const client = new Redis(url, { maxRetriesPerRequest: 0, lazyConnect: true });
      client.on("error", () => {});
      clients.push(client);
      await client.connect().catch(() => undefined);
      return client;
    },
    disconnectAll() {
      for (const c of clients.splice(0)) c.disconnect();
    },
  };
}
