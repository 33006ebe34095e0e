/**
 * Per-pull-request serialisation (DESIGN §9): two events for the same PR never reconcile at
 * the same time, so a redelivery or a burst of reviews cannot issue the same attestation twice.
 * In one process a promise chain per key does it; across replicas a Redis lock (SET NX PX,
 * released only by its owner) does, when REDIS_URL is set.
 */
import { randomUUID } from "node:crypto";

export interface Serialiser {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

/** One promise chain per key; keys are dropped when their chain drains. */
export function inProcessSerialiser(): Serialiser {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, work: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const next = previous.then(work, work);
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
  };
}

/** The part of an ioredis client the lock needs. */
export interface RedisLike {
  set(key: string, value: string, px: "PX", ttl: number, nx: "NX"): Promise<string | null>;
  eval(script: string, keys: number, ...args: string[]): Promise<unknown>;
}

export interface RedisLockOptions {
  /** How long a lock lives if its holder dies (ms). */
  ttlMs?: number;
  /** How long to wait for a lock before giving up (ms). */
  waitMs?: number;
  retryMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

/**
 * A Redis lock around the in-process queue: the queue keeps one process orderly, the lock
 * keeps replicas apart. A lock that cannot be taken in time throws, which ends in a red check
 * saying so rather than in two concurrent reconciles.
 */
export function redisSerialiser(redis: RedisLike, options: RedisLockOptions = {}): Serialiser {
  const ttlMs = options.ttlMs ?? 60_000;
  const waitMs = options.waitMs ?? 30_000;
  const retryMs = options.retryMs ?? 100;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const local = inProcessSerialiser();
  return {
    run<T>(key: string, work: () => Promise<T>): Promise<T> {
      return local.run(key, async () => {
        const lockKey = `aigate:lock:${key}`;
        const token = randomUUID();
        let waited = 0;
        while ((await redis.set(lockKey, token, "PX", ttlMs, "NX")) !== "OK") {
          if (waited >= waitMs) {
            throw new Error(`could not take the lock for ${key} within ${waitMs} ms`);
          }
          await sleep(retryMs);
          waited += retryMs;
        }
        try {
          return await work();
        } finally {
          await redis.eval(RELEASE, 1, lockKey, token);
        }
      });
    },
  };
}

/**
 * Connects to Redis with ioredis, the client Probot itself uses for REDIS_URL. It is not a
 * dependency of ours (Probot fetches it on demand too), so it is imported only when Redis is
 * configured, and its absence is a startup error that says what to install.
 */
export async function connectRedis(url: string): Promise<RedisLike> {
  const specifier = "ioredis";
  let mod: { Redis: new (url: string) => RedisLike };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch {
    throw new Error(
      "REDIS_URL is set but the ioredis package is not installed: run `npm install ioredis@5` next to aigate",
    );
  }
  return new mod.Redis(url);
}
