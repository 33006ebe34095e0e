/**
 * A real Redis for the tests that need one. CI starts one on loopback and passes its URL in
 * AIGATE_TEST_REDIS_URL; without it (`npm test` on a laptop) a private `redis-server` is started
 * on a free loopback port and stopped by `stop()`. No Redis at all is an error that says what
 * to install: these tests are never skipped.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { Redis } from "ioredis";
import { freePort } from "../../sim/ports.js";

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

/** A private `redis-server` on a loopback port (a free one by default), without persistence. */
export async function startRedisServer(port?: number): Promise<TestRedis> {
  port ??= await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "ENOENT"
          ? new Error(
              "These tests need Redis: install redis-server (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis), or set AIGATE_TEST_REDIS_URL to a Redis they may use.",
            )
          : error,
      );
    });
  });
  await spawned;
  const url = `redis://127.0.0.1:${port}`;
  try {
    await ping(url, child);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`redis-server did not answer on port ${port}: ${String(error)} ${stderr}`);
  }
  return { url, stop: () => stopChild(child) };
}

/** A loopback URL where nothing listens: a Redis that is down. */
export async function unreachableRedisUrl(): Promise<string> {
  return `redis://127.0.0.1:${await freePort()}`;
}

async function ping(url: string, child?: ChildProcess): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on("error", () => {});
  try {
    for (let attempt = 0; ; attempt++) {
      if (child && child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
      try {
        if (redis.status !== "ready") await redis.connect();
        if ((await redis.ping()) === "PONG") return;
      } catch (error) {
        if (attempt >= 100) throw new Error(`no PONG from ${url}: ${String(error)}`);
        redis.disconnect();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } finally {
    redis.disconnect();
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
