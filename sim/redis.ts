/**
 * A private `redis-server` on loopback, for the load test and the Redis test suites: started on
 * a free port without persistence, answered with PING before it is handed out.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { Redis } from "ioredis";
import { freePort } from "./ports.js";

export interface RedisProcess {
  /** `redis://127.0.0.1:PORT`. */
  url: string;
  stop(): Promise<void>;
}

/**
 * A private `redis-server` on a loopback port (a free one by default), without persistence.
 * With `dir`, a snapshot taken there (`SAVE`) is loaded when a server is started again on it.
 */
export async function startRedisServer(port?: number, dir?: string): Promise<RedisProcess> {
  port ??= await freePort();
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  if (dir !== undefined) args.push("--dir", dir, "--dbfilename", "dump.rdb");
  const child = spawn("redis-server", args, { stdio: ["ignore", "ignore", "pipe"] });
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

/** Resolves once `url` answers PING (through `child`, when it is ours to watch). */
export async function ping(url: string, child?: ChildProcess): Promise<void> {
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
