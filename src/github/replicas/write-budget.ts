/**
 * The installation's write budget, kept across replicas (docs/deployment.md#the-write-budget):
 * the times of its content-creating writes over the last hour, in one Redis sorted set per
 * installation when REDIS_URL is set, in the replica's memory otherwise. Every write is counted;
 * an optional write (an answer, a review request) is admitted only while the counts are below
 * the ceiling (src/core/write-budget.ts), checked and counted in one step so two replicas never
 * both take the last place. When Redis does not answer, the replica's own counts decide.
 */
import type { Redis } from "ioredis";
import {
  countsAt,
  HOUR_MS,
  MINUTE_MS,
  mayWrite,
  OPTIONAL_WRITE_CEILING,
  OPTIONAL_WRITES,
  type WriteCounts,
  type WriteKind,
} from "../../core/write-budget.js";

export interface WriteBudget {
  /** Counts a write of the installation that the budget never drops (evidence, check runs). */
  record(installation: string): Promise<void>;
  /** Whether an optional write of `kind` may go now; when it may, it is counted. */
  admit(installation: string, kind: WriteKind): Promise<boolean>;
  /** The installation's counts now (for the metrics and the tests). */
  counts(installation: string): Promise<WriteCounts>;
}

/** The key of an installation's write times in Redis. */
export function budgetKey(installation: string): string {
  return `aigate:writes:${installation}`;
}

/** One replica's counts: the write times of the last hour per installation. */
export function localWriteBudget(
  now: () => number = Date.now,
  ceiling: WriteCounts = OPTIONAL_WRITE_CEILING,
): WriteBudget {
  const times = new Map<string, number[]>();
  const live = (installation: string): number[] => {
    const at = now();
    const kept = (times.get(installation) ?? []).filter((t) => at - t < HOUR_MS);
    times.set(installation, kept);
    return kept;
  };
  return {
    async record(installation) {
      live(installation).push(now());
    },
    async admit(installation, kind) {
      const kept = live(installation);
      if (!mayWrite(kind, countsAt(kept, now()), ceiling)) return false;
      kept.push(now());
      return true;
    },
    async counts(installation) {
      return countsAt(live(installation), now());
    },
  };
}

/**
 * Drops the times older than an hour, counts the minute and the hour, and adds the write when
 * `optional` is 0 or both counts are below the ceiling. Returns 1 when the write was counted.
 * KEYS[1] the set; ARGV: now, member, optional (0|1), minute ceiling, hour ceiling.
 */
const ADMIT = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ${HOUR_MS})
if ARGV[3] == '1' then
  local minute = redis.call('ZCOUNT', KEYS[1], now - ${MINUTE_MS} + 1, '+inf')
  local hour = redis.call('ZCARD', KEYS[1])
  if minute >= tonumber(ARGV[4]) or hour >= tonumber(ARGV[5]) then return 0 end
end
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('PEXPIRE', KEYS[1], ${HOUR_MS})
return 1
`;

let sequence = 0;

/** How long a replica keeps to its own counts after Redis failed to answer. */
const REDIS_PAUSE_MS = 5_000;

/** The counts shared through Redis by every replica, with the replica's own as the fallback. */
export function sharedWriteBudget(
  redis: Redis,
  now: () => number = Date.now,
  ceiling: WriteCounts = OPTIONAL_WRITE_CEILING,
  local: WriteBudget = localWriteBudget(now, ceiling),
): WriteBudget {
  // A Redis that does not answer is not asked again for a moment: no write waits on it.
  let pausedUntil = 0;
  const shared = async <T>(ask: () => Promise<T>): Promise<T | undefined> => {
    if (now() < pausedUntil) return undefined;
    try {
      return await ask();
    } catch {
      pausedUntil = now() + REDIS_PAUSE_MS;
      return undefined;
    }
  };
  const member = () => `${process.pid}:${++sequence}:${Math.random().toString(36).slice(2, 8)}`;
  const run = (installation: string, optional: boolean) =>
    shared(async () => {
      const args = [now(), member(), optional ? "1" : "0", ceiling.minute, ceiling.hour];
      return (await redis.eval(ADMIT, 1, budgetKey(installation), ...args)) === 1;
    });
  return {
    async record(installation) {
      await local.record(installation);
      await run(installation, false);
    },
    async admit(installation, kind) {
      if (!OPTIONAL_WRITES.has(kind)) {
        await this.record(installation);
        return true;
      }
      const admitted = await run(installation, true);
      if (admitted === undefined) return local.admit(installation, kind);
      if (admitted) await local.record(installation);
      return admitted;
    },
    async counts(installation) {
      const at = now();
      const key = budgetKey(installation);
      const counted = await shared(() =>
        Promise.all([
          redis.zcount(key, at - MINUTE_MS + 1, "+inf"),
          redis.zcount(key, at - HOUR_MS + 1, "+inf"),
        ]),
      );
      return counted ? { minute: counted[0], hour: counted[1] } : local.counts(installation);
    },
  };
}
