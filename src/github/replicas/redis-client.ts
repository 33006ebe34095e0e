/**
 * aigate's Redis clients (docs/deployment.md): how they connect, reconnect and fail fast while
 * Redis is away, and how a Redis URL is named in log lines without its credentials.
 */
import type { Redis, RedisOptions } from "ioredis";
import type { Log } from "../client.js";
import { StartupError } from "../operator/config.js";

/** The pause before each reconnection attempt of aigate's Redis clients (ms). */
export function reconnectDelay(attempt: number): number {
  return Math.min(attempt * 200, 2_000);
}

/** What an ioredis client does when Redis is away: fail commands fast, keep reconnecting. */
const CLIENT_OPTIONS: RedisOptions = {
  // A command waits for one reconnect attempt, then fails: the event ends in a red check
  // instead of queueing behind a Redis that is down.
  maxRetriesPerRequest: 1,
  connectTimeout: 5_000,
  commandTimeout: 5_000,
  retryStrategy: reconnectDelay,
};

/**
 * A client for the lock, from REDIS_URL. It connects in the background: a Redis that is down
 * at start-up, or goes away later, is logged once per outage and makes each event fail closed
 * until it is back; the App keeps running.
 */
export async function connectRedis(url: string, log: Log): Promise<Redis> {
  const where = redisAddress(url);
  const { Redis } = await import("ioredis");
  const redis = new Redis(url, CLIENT_OPTIONS);
  let down = false;
  redis.on("error", (error: unknown) => {
    if (down) return;
    down = true;
    log.error(
      `aigate: Redis at ${where} is unreachable (${messageOf(error)}); pull requests get red checks until it is back`,
    );
  });
  redis.on("ready", () => {
    log.info(
      `aigate: Redis at ${where} ${down ? "is back" : "connected"}; per-pull-request lock shared across replicas`,
    );
    down = false;
  });
  return redis;
}

/** `redis://host:port/db` without credentials, for log lines; a malformed URL stops start-up. */
export function redisAddress(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StartupError(
      "REDIS_URL is not a URL: expected redis://[user:password@]host:port[/db]",
    );
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    // The value itself is not repeated: it may carry a password.
    throw new StartupError(
      "REDIS_URL must start with redis:// or rediss:// (for example redis://localhost:6379)",
    );
  }
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
}

/** ioredis's "max retries per request" means no connection: say that, not the option name. */
export function redisFailure(error: unknown): string {
  if (error instanceof Error && error.name === "MaxRetriesPerRequestError") return "no connection";
  return messageOf(error);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
