/**
 * Per-pull-request serialisation (docs/architecture.md#scale): two events for the same PR never reconcile at
 * the same time, so a redelivery or a burst of reviews cannot issue the same attestation twice.
 * In one process a promise chain per key does it; across replicas a Redis lock does, when
 * REDIS_URL is set: `SET key token NX PX ttl` to take it, a watchdog renewing the lease while
 * the work runs, a compare-and-delete script to give it back, a bounded wait with jittered
 * retries in between.
 */
import { randomUUID } from "node:crypto";
import type { Redis, RedisOptions } from "ioredis";
import type { Log } from "./client.js";
import { StartupError } from "./config.js";
import { type HeldLock, LockLostError, PROCESS_LOCK } from "./lock.js";
import type { FlowTelemetry } from "./telemetry.js";

export { type HeldLock, LockLostError, PROCESS_LOCK };

export interface Serialiser {
  run<T>(key: string, work: (lock: HeldLock) => Promise<T>): Promise<T>;
  /**
   * Gives back every lock still held and lets go of any connection (tests and shutdown);
   * work already queued still settles.
   */
  close(): Promise<void>;
}

/**
 * The lock could not be taken: another replica held it for the whole wait, or Redis did not
 * answer. The work did not run; the caller fails closed (red checks that say why).
 */
export class LockUnavailableError extends Error {
  override name = "LockUnavailableError";
}

/** One promise chain per key; keys are dropped when their chain drains. */
export function inProcessSerialiser(): Serialiser {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, work: (lock: HeldLock) => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const start = () => work(PROCESS_LOCK);
      const next = previous.then(start, start);
      const tail = next.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return next;
    },
    async close() {},
  };
}

export interface RedisLockOptions {
  /**
   * How long a lock outlives a holder that died without releasing it (ms). Longer than any
   * reconcile, retries included, and short enough that a crash blocks a PR only briefly.
   */
  ttlMs?: number;
  /**
   * How long to wait for a lock another replica holds before failing closed (ms). Longer
   * than the TTL, so a crashed holder is always waited out rather than reported.
   */
  waitMs?: number;
  /** Mean pause between attempts (ms); each pause is drawn from half to one and a half of it. */
  retryMs?: number;
  log?: Log;
  telemetry?: Pick<FlowTelemetry, "lockWaited">;
}

const LOCK_TTL_MS = 120_000;
const LOCK_WAIT_MS = 150_000;
const LOCK_RETRY_MS = 100;

/** Deletes the key only if it still holds our token: never someone else's lock. */
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
/** Extends the lease only if the key still holds our token. */
const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

/** The Redis key that locks one pull request (`owner/repo#number`). */
export function lockKey(key: string): string {
  return `aigate:lock:${key}`;
}

/**
 * The in-process queue in front of a Redis lock: the queue keeps one process orderly (and
 * off Redis while it waits), the lock keeps replicas apart. When the lock cannot be taken the
 * work does not run and `run` rejects with a LockUnavailableError.
 */
export function redisSerialiser(
  redis: Pick<Redis, "set" | "get" | "eval" | "quit">,
  options: RedisLockOptions = {},
): Serialiser {
  const ttlMs = options.ttlMs ?? LOCK_TTL_MS;
  const waitMs = options.waitMs ?? LOCK_WAIT_MS;
  const retryMs = options.retryMs ?? LOCK_RETRY_MS;
  const local = inProcessSerialiser();

  /** Locks this process holds, key → token, so shutdown can give them back. */
  const held = new Map<string, string>();

  async function acquire(key: string, token: string): Promise<void> {
    const started = Date.now();
    const deadline = started + waitMs;
    let waiting = false;
    for (;;) {
      let taken: string | null;
      try {
        taken = await redis.set(lockKey(key), token, "PX", ttlMs, "NX");
      } catch (error) {
        throw new LockUnavailableError(
          `the per-pull-request lock for ${key} could not be taken: Redis did not answer (${redisFailure(error)})`,
        );
      }
      if (taken === "OK") {
        held.set(key, token);
        options.telemetry?.lockWaited((Date.now() - started) / 1000);
        return;
      }
      if (!waiting) {
        waiting = true;
        options.log?.debug?.(`aigate: waiting for the lock for ${key}, held by another replica`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new LockUnavailableError(
          `the per-pull-request lock for ${key} is still held by another replica after ${waitMs / 1000} s`,
        );
      }
      const pause = retryMs * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    }
  }

  async function release(key: string, token: string): Promise<void> {
    if (held.get(key) !== token) return;
    held.delete(key);
    try {
      const deleted = await redis.eval(RELEASE, 1, lockKey(key), token);
      if (deleted !== 1) {
        options.log?.warn(
          `aigate: the lock for ${key} had expired before its work ended (TTL ${ttlMs} ms); another replica may have overlapped it`,
        );
      }
    } catch (error) {
      // The work is done and its result stands; the lock expires on its own.
      options.log?.warn(
        `aigate: could not release the lock for ${key} (${messageOf(error)}); it expires within ${ttlMs} ms`,
      );
    }
  }

  /**
   * Keeps the lease alive while the work runs (a watchdog renewing it every third of the TTL),
   * so a reconcile that waits out a rate limit keeps its pull request. A renewal that finds the
   * key gone or taken marks the lock lost; `assertHeld` also asks Redis itself.
   */
  function watch(key: string, token: string): HeldLock & { stop(): void } {
    let lost: string | undefined;
    const renew = async () => {
      try {
        const renewed = await redis.eval(RENEW, 1, lockKey(key), token, String(ttlMs));
        if (renewed !== 1) lost ??= "its lease ran out before it could be renewed";
      } catch (error) {
        // Redis did not answer: the lease may still run, but this work can no longer know.
        lost ??= `Redis did not answer its renewal (${redisFailure(error)})`;
      }
    };
    const timer = setInterval(() => void renew(), Math.max(10, Math.floor(ttlMs / 3)));
    timer.unref();
    return {
      async assertHeld() {
        if (lost === undefined) {
          try {
            if ((await redis.get(lockKey(key))) !== token) lost = "another replica holds it now";
          } catch (error) {
            lost = `Redis did not answer (${redisFailure(error)})`;
          }
        }
        if (lost !== undefined) {
          throw new LockLostError(`the per-pull-request lock for ${key} was lost: ${lost}`);
        }
      },
      stop: () => clearInterval(timer),
    };
  }

  return {
    run<T>(key: string, work: (lock: HeldLock) => Promise<T>): Promise<T> {
      return local.run(key, async () => {
        const token = randomUUID();
        await acquire(key, token);
        const lock = watch(key, token);
        try {
          return await work(lock);
        } finally {
          lock.stop();
          await release(key, token);
        }
      });
    },
    async close() {
      // Work cut off by a shutdown still holds its lock: give it back rather than make the
      // next replica wait out the lease. A late `release` of the same token is then a no-op.
      await Promise.all([...held].map(([key, token]) => release(key, token)));
      await redis.quit().catch(() => undefined);
    },
  };
}

/** What an ioredis client does when Redis is away: fail commands fast, keep reconnecting. */
const CLIENT_OPTIONS: RedisOptions = {
  // A command waits for one reconnect attempt, then fails: the event ends in a red check
  // instead of queueing behind a Redis that is down.
  maxRetriesPerRequest: 1,
  connectTimeout: 5_000,
  commandTimeout: 5_000,
  retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
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
function redisFailure(error: unknown): string {
  if (error instanceof Error && error.name === "MaxRetriesPerRequestError") return "no connection";
  return messageOf(error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
