/**
 * The Redis lock of one pull request and its lease (docs/app.md#8-scaling): the key that holds a
 * holder's token, a watchdog that renews the lease while the work runs, and the step that gives
 * the lock back — each only while the key still holds the caller's token.
 */
import type { Redis } from "ioredis";
import { type HeldLock, LockLostError } from "./lock.js";
import { redisFailure } from "./redis-client.js";

/** Deletes the key only if it still holds our token: never someone else's lock. */
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
/** Extends the lease only if the key still holds our token. */
const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

/** The Redis key that locks one pull request (`owner/repo#number`) or merge group. */
export function lockKey(key: string): string {
  return `aigate:lock:${key}`;
}

/**
 * Keeps the lease alive while the work runs (a watchdog renewing it every third of the TTL),
 * so a reconcile that waits out a rate limit keeps its pull request. A renewal that finds the
 * key gone or taken marks the lock lost; `assertHeld` also asks Redis itself.
 */
export function leaseWatchdog(
  redis: Pick<Redis, "get" | "eval">,
  key: string,
  token: string,
  ttlMs: number,
): HeldLock & { stop(): void; lost(): boolean } {
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
    lost: () => lost !== undefined,
  };
}

/** Gives the lock back if it is still the caller's; a Redis that does not answer lets it expire. */
export async function giveBack(
  redis: Pick<Redis, "eval">,
  key: string,
  token: string,
): Promise<void> {
  await redis.eval(RELEASE, 1, lockKey(key), token).catch(() => undefined);
}
