/**
 * Coalescing across replicas (docs/app.md#8-scaling): events for a pull request whose lock
 * another replica holds are queued for that holder instead of waiting for the lock. One Lua step
 * takes the lock (`SET NX PX`) or, when another holds it, records the event as pending for that
 * key and leaves it there: a queued event writes nothing itself. When the holder's work ends, one
 * Lua step either gives the lock back or, when events are pending, takes them and keeps the lock,
 * and the holder runs the work again for each of them — from live facts, with what the event
 * itself carries. A queued event keeps watching its mark, cheaply, until a holder has taken it,
 * or until the lock is gone with the mark still there (its holder died): then it takes the lock
 * and runs. Only a Redis that does not answer fails an event closed.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Log } from "../client.js";
import type { FlowTelemetry } from "../operator/telemetry.js";
import { giveBack, leaseWatchdog, lockKey } from "./lease.js";
import { messageOf, redisFailure } from "./redis-client.js";
import { LockUnavailableError, type RunOutcome, type Serialiser, type Work } from "./serialise.js";

export interface RedisLockOptions {
  /**
   * How long a lock outlives a holder that died without releasing it (ms). Longer than any
   * reconcile, retries included, and short enough that a crash delays a PR only briefly.
   */
  ttlMs?: number;
  /**
   * How long an event may go without an answer from Redis — before it could take the lock or
   * be queued, or while it watches its mark — before it fails closed (ms). An outage shorter
   * than this delays events; a longer one ends them in red checks naming Redis.
   */
  waitMs?: number;
  /** Mean pause between two looks of a queued event at its mark (ms); jittered ±50 %. */
  watchMs?: number;
  log?: Log;
  telemetry?: Pick<FlowTelemetry, "lockWaited">;
}

const LOCK_TTL_MS = 120_000;
export const LOCK_WAIT_MS = 150_000;
const WATCH_MS = 1_000;
/**
 * How long pending marks outlive the last replica that touched them (ms): every mark and every
 * look of a waiter renews it, so only marks nobody watches any more expire.
 */
const PENDING_TTL_MS = 15 * 60_000;
/** How many times an event whose work lost the lock is entered again. */
const MAX_ROUNDS = 3;
/** The longest a queued event watches a live holder; past it the mark stays for the holder. */
const MAX_WATCH_MS = 60 * 60_000;

/**
 * Takes the lock, or marks the event pending. KEYS: lock, pending list, drained counter.
 * ARGV: token, ttl, event, the counter the caller's mark was made at ("" for a new event),
 * pending TTL, a fresh epoch. The counter reads `epoch:count`; its epoch is drawn anew whenever
 * the key is created, so a Redis that restarted empty (or keys that expired) never passes for
 * a holder having taken the mark. Answers {0} when the caller's mark was taken by a holder
 * since (same epoch, the count moved), {1} when the caller now holds the lock, {3} when it
 * holds it and the event is pending already (the holder's drain runs it, once), {2, counter}
 * when the event is (still) marked pending, with the counter its mark was made at. A mark that
 * vanished is made again: doubt costs a rerun, never an event.
 */
const ACQUIRE_OR_MARK = `
local drained = redis.call("get", KEYS[3])
if not drained then
  drained = ARGV[6] .. ":0"
  redis.call("set", KEYS[3], drained, "PX", ARGV[5])
end
if ARGV[4] ~= "" and drained ~= ARGV[4] then
  local epoch = string.match(drained, "^(.*):%d+$")
  local markedEpoch = string.match(ARGV[4], "^(.*):%d+$")
  if epoch == markedEpoch then return {0} end
end
if redis.call("set", KEYS[1], ARGV[1], "PX", ARGV[2], "NX") then
  if redis.call("lpos", KEYS[2], ARGV[3]) then return {3} end
  return {1}
end
if not redis.call("lpos", KEYS[2], ARGV[3]) then redis.call("rpush", KEYS[2], ARGV[3]) end
redis.call("pexpire", KEYS[2], ARGV[5])
redis.call("pexpire", KEYS[3], ARGV[5])
return {2, drained}`;

/**
 * Gives the lock back, or takes the pending events and keeps it. KEYS: lock, pending list,
 * drained counter. ARGV: token, ttl, pending TTL, a fresh epoch. Answers {"lost"} when the lock
 * is no longer the caller's (its marks stay for their watchers), {"released"} when it was
 * deleted, and {"rerun", event…} when pending events were taken: the counter's count moves on,
 * so their waiters know, and the lease is renewed for the reruns.
 */
const RELEASE_OR_RERUN = `
if redis.call("get", KEYS[1]) ~= ARGV[1] then return {"lost"} end
local pending = redis.call("lrange", KEYS[2], 0, -1)
if #pending == 0 then
  redis.call("del", KEYS[1])
  return {"released"}
end
redis.call("del", KEYS[2])
local drained = redis.call("get", KEYS[3]) or (ARGV[4] .. ":0")
local epoch, count = string.match(drained, "^(.*):(%d+)$")
if not epoch then epoch, count = ARGV[4], "0" end
redis.call("set", KEYS[3], epoch .. ":" .. (tonumber(count) + 1), "PX", ARGV[3])
redis.call("pexpire", KEYS[1], ARGV[2])
table.insert(pending, 1, "rerun")
return pending`;

/** The Redis list of events pending for a key, each once, in the order they were marked. */
export function pendingKey(key: string): string {
  return `aigate:pending:${key}`;
}

/** How many times a holder has taken the pending events of a key (`epoch:count`). */
export function drainedKey(key: string): string {
  return `aigate:drained:${key}`;
}

/**
 * The Redis lock with coalescing (see the top of this file and serialise.ts). `run` resolves `ran` once this
 * call's holder has run its own work and every event queued behind it, `queued` once a holder
 * has taken this event, and rejects with a LockUnavailableError when Redis does not answer.
 */
export function redisSerialiser(
  redis: Pick<Redis, "get" | "eval" | "quit">,
  options: RedisLockOptions = {},
): Serialiser {
  const ttlMs = options.ttlMs ?? LOCK_TTL_MS;
  const waitMs = options.waitMs ?? LOCK_WAIT_MS;
  const watchMs = options.watchMs ?? WATCH_MS;
  const log = options.log;

  /** Locks this process holds, key → token, so shutdown can give them back. */
  const held = new Map<string, string>();
  let closed = false;

  const keysOf = (key: string): [string, string, string] => [
    lockKey(key),
    pendingKey(key),
    drainedKey(key),
  ];

  /** One ACQUIRE_OR_MARK step; throws what Redis threw. */
  async function acquireOrMark(
    key: string,
    token: string,
    event: string,
    markedAt: string | undefined,
  ): Promise<"consumed" | "acquired" | "acquired, pending" | { marked: string }> {
    const answer = (await redis.eval(
      ACQUIRE_OR_MARK,
      3,
      ...keysOf(key),
      token,
      String(ttlMs),
      event,
      markedAt ?? "",
      String(PENDING_TTL_MS),
      randomUUID(),
    )) as [number, string?];
    if (answer[0] === 0) return "consumed";
    if (answer[0] === 1) return "acquired";
    if (answer[0] === 3) return "acquired, pending";
    return { marked: String(answer[1] ?? "") };
  }

  /**
   * The first step of an event: take the lock or be marked pending. While Redis does not
   * answer (an outage, a restart) the step is tried again, every `watchMs`, for up to `waitMs`:
   * an event that arrives during a short outage is evaluated once Redis is back, not failed.
   * Past that it fails closed: nothing was recorded for it.
   */
  async function enter(
    key: string,
    token: string,
    event: string,
  ): Promise<"acquired" | "acquired, pending" | { marked: string }> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const step = await acquireOrMark(key, token, event, undefined);
        if (attempt > 0) log?.info(`aigate: ${key}: Redis answers again; the event goes on`);
        // A new event has no mark to compare, so it is never "consumed"; should it be, it is
        // watched as a new mark.
        return step === "consumed" ? { marked: "" } : step;
      } catch (error) {
        const waited = Date.now() - started;
        if (closed || waited >= waitMs) {
          throw new LockUnavailableError(
            `the per-pull-request lock for ${key} could not be taken: Redis did not answer${waited > 0 ? ` for ${Math.round(waited / 1000)} s` : ""} (${redisFailure(error)})`,
          );
        }
        if (attempt === 0) {
          log?.warn(
            `aigate: ${key}: Redis did not answer (${redisFailure(error)}); the event waits up to ${waitMs / 1000} s for it`,
          );
        }
        const pause = Math.min(watchMs * (0.5 + Math.random()), waitMs - waited);
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  /**
   * Watches a queued event's mark until a holder has taken it (`consumed`) or the lock is gone
   * with the mark still there (`acquired`: this call now holds the lock). Redis not answering
   * for `waitMs` fails the event closed.
   */
  async function watchMark(
    key: string,
    token: string,
    event: string,
    marked: string,
  ): Promise<"consumed" | "acquired" | "acquired, pending" | "closed"> {
    const started = Date.now();
    let markedAt = marked;
    let silentSince: number | undefined;
    let failure = "";
    for (;;) {
      if (closed) return "closed";
      if (Date.now() - started > MAX_WATCH_MS) {
        log?.warn(
          `aigate: ${key}: an event queued ${MAX_WATCH_MS / 60_000} min ago is still pending behind a live holder; it stays queued for it`,
        );
        return "consumed";
      }
      await new Promise((resolve) => setTimeout(resolve, watchMs * (0.5 + Math.random())));
      if (closed) return "closed";
      try {
        const step = await acquireOrMark(key, token, event, markedAt);
        silentSince = undefined;
        if (typeof step === "string") return step;
        markedAt = step.marked;
      } catch (error) {
        silentSince ??= Date.now();
        failure = redisFailure(error);
        if (Date.now() - silentSince >= waitMs) {
          throw new LockUnavailableError(
            `the per-pull-request lock for ${key} could not be taken: Redis did not answer for ${waitMs / 1000} s while the event was queued (${failure})`,
          );
        }
      }
    }
  }

  /** Gives back the lock, or takes the pending events: undefined once there is nothing to do. */
  async function releaseOrRerun(key: string, token: string): Promise<string[] | undefined> {
    let answer: string[];
    try {
      answer = (await redis.eval(
        RELEASE_OR_RERUN,
        3,
        ...keysOf(key),
        token,
        String(ttlMs),
        String(PENDING_TTL_MS),
        randomUUID(),
      )) as string[];
    } catch (error) {
      // The work is done and its result stands; the lock expires on its own, and the events
      // still pending are then taken over by their watchers.
      held.delete(key);
      log?.warn(
        `aigate: could not release the lock for ${key} (${messageOf(error)}); it expires within ${ttlMs} ms`,
      );
      return undefined;
    }
    const [status, ...events] = answer;
    if (status === "rerun") return events;
    held.delete(key);
    if (status === "lost") {
      log?.warn(
        `aigate: the lock for ${key} had expired before its work ended (TTL ${ttlMs} ms); another replica may have overlapped it`,
      );
    }
    return undefined;
  }

  /**
   * Holds the lock: runs `own` (when this call brought an event of its own), then the events
   * queued meanwhile, batch after batch, until none is pending and the lock is given back.
   * Resolves the events whose work lost the lock before it ended (its lease ran out, or Redis
   * stopped answering or restarted empty), and those taken but not run then: they must be
   * entered again, or their decision would be lost.
   */
  async function hold(
    key: string,
    token: string,
    own: string | undefined,
    work: Work,
  ): Promise<{ unfinished: string[]; failed?: { error: unknown } }> {
    held.set(key, token);
    const lock = leaseWatchdog(redis, key, token, ttlMs);
    const unfinished: string[] = [];
    let failed: { error: unknown } | undefined;
    try {
      if (own !== undefined) {
        try {
          await work(own, lock);
        } catch (error) {
          failed = { error };
        }
        if (lock.lost()) {
          held.delete(key);
          return { unfinished: [own], ...(failed ? { failed } : {}) };
        }
      }
      for (;;) {
        const events = await releaseOrRerun(key, token);
        if (events === undefined) break;
        log?.debug?.(
          `aigate: ${key}: running again for ${events.length} event(s) queued meanwhile`,
        );
        for (const [i, event] of events.entries()) {
          try {
            await work(event, lock);
          } catch (error) {
            log?.error(`aigate: ${key}: a queued event's work failed: ${messageOf(error)}`);
          }
          if (lock.lost()) {
            held.delete(key);
            unfinished.push(...events.slice(i));
            return { unfinished, ...(failed ? { failed } : {}) };
          }
        }
      }
    } finally {
      lock.stop();
    }
    return { unfinished, ...(failed ? { failed } : {}) };
  }

  /**
   * One event: take the lock and hold it, or be queued and watch the mark (taking the lock
   * over from a holder that went away). Events whose work lost the lock are entered again, a
   * few times at most.
   */
  async function runEvent(
    key: string,
    event: string,
    work: Work,
    round: number,
  ): Promise<RunOutcome> {
    const token = randomUUID();
    const started = Date.now();
    const entered = await enter(key, token, event);
    let held: Awaited<ReturnType<typeof hold>>;
    if (typeof entered === "string") {
      options.telemetry?.lockWaited((Date.now() - started) / 1000);
      held = await hold(key, token, entered === "acquired" ? event : undefined, work);
    } else {
      log?.debug?.(
        `aigate: ${key} is being reconciled by another event; this one is queued for it`,
      );
      const watched = await watchMark(key, token, event, entered.marked);
      options.telemetry?.lockWaited((Date.now() - started) / 1000);
      if (watched === "consumed" || watched === "closed") return "queued";
      // The holder went away with this event still pending: it is run here, with the others
      // (once: when its mark is still there, with them; when Redis lost it, first).
      log?.warn(
        `aigate: ${key}: the lock's holder went away with events pending; this replica takes them over`,
      );
      held = await hold(key, token, watched === "acquired" ? event : undefined, work);
    }
    for (const again of held.unfinished) {
      if (closed) break;
      if (round >= MAX_ROUNDS) {
        log?.error(
          `aigate: ${key}: lost the lock ${MAX_ROUNDS + 1} times in a row; an event is left to the next one on this pull request`,
        );
        break;
      }
      log?.warn(
        `aigate: the lock for ${key} had expired before its work ended (TTL ${ttlMs} ms); another replica may have overlapped it, and the event runs again`,
      );
      await runEvent(key, again, work, round + 1);
    }
    if (held.failed) throw held.failed.error;
    return "ran";
  }

  return {
    run(key: string, event: string, work: Work): Promise<RunOutcome> {
      return runEvent(key, event, work, 0);
    },
    async close() {
      closed = true;
      // Work cut off by a shutdown still holds its lock: give it back rather than make the
      // next replica wait out the lease; events pending are taken over by their watchers.
      await Promise.all(
        [...held].map(async ([key, token]) => {
          held.delete(key);
          await giveBack(redis, key, token);
        }),
      );
      await redis.quit().catch(() => undefined);
    },
  };
}
