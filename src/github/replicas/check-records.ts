/**
 * What the App last wrote to its check runs on a commit, so that the next event need not list
 * them again (docs/deployment.md#11-rate-limit-economy). The App's own check runs change only
 * when the App writes them, and each write is answered with the run's id; listing them again
 * after a write is a full, counted answer that says nothing the App did not already know.
 *
 * A record is trusted only when it cannot be out of date:
 * - **One writer at a time.** A write of a commit's check runs begins by taking a ticket, which
 *   takes the record away (and answers it, when it can be trusted, in the same step); it ends
 *   by handing back its ticket with the runs as written. The tickets in flight are a set, so a
 *   ticket handed back twice (a reply lost and the command sent again) counts once, and a
 *   ticket that is not in the set (its key vanished and was made again) changes nothing. The
 *   record is kept only when its writer was alone from its ticket to its end — no other ticket
 *   in flight when it began, none begun meanwhile — and every one of its requests was answered.
 *   Any doubt leaves no record, and the runs are listed.
 * - **The same Redis run.** Each record carries the Redis server's `run_id`, which changes with
 *   every start of the server; a record that comes back from a snapshot after a restart or a
 *   crash, or from a replica after a failover, belongs to another run and is ignored.
 * - **No ticket, no record.** A write whose ticket Redis does not give is still made (red checks
 *   saying why must not wait for Redis); before it and after it the record is marked untrusted,
 *   at once or as soon as Redis answers the replica again. A write that was not answered is
 *   never ended: a request that failed may still land, so its ticket stays in flight and no
 *   record is kept until it is a day old.
 * - **Not older than an hour.** A record answers for the runs as they were last listed and
 *   written since; an hour after the list it was made from, the runs are listed again. Whatever
 *   slipped past the rules above lasts an hour at most.
 *
 * A re-run of a check or `/aigate recheck` lists the runs and makes the record again from what
 * GitHub lists. Without REDIS_URL the App is one process, and the records live in its memory.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";

/** What the App knows of one of its check runs on a commit. */
export interface RecordedRun {
  id: number;
  /** The run's content as compared before a write (`checkFingerprint`). */
  fingerprint: string;
  annotationsCount: number;
}

/** The App's runs on one commit, by check name. */
export type RecordedRuns = Map<string, RecordedRun>;

/** The commit whose check runs are recorded, and the App that writes them. */
export interface RecordTarget {
  owner: string;
  repo: string;
  headSha: string;
  appId: number;
}

/** Handed out when a write begins; handed back when it ends. */
export interface WriteTicket {
  id: string;
  /** The Redis server run it was taken in. */
  run: string;
}

/** What a record holds besides the runs: when the runs were last listed from GitHub (ms). */
export interface RecordedAt {
  listedAt: number;
}

export interface CheckRecords {
  /**
   * Begins a write, and answers the runs of `names` as last written when that is known for
   * certain (null otherwise): the record is taken away in the same step, and comes back only
   * when this write ends alone. Throws when the store does not answer.
   */
  begin(
    target: RecordTarget,
    names: readonly string[],
  ): Promise<{ ticket: WriteTicket; recorded: (RecordedAt & { runs: RecordedRuns }) | null }>;
  /**
   * The App writes, or wrote, without a ticket (the store did not answer): whatever record
   * there is must not be trusted, nor kept by a write in flight. Now, or as soon as the store
   * answers this replica again.
   */
  forget(target: RecordTarget): Promise<void>;
  /**
   * Ends a write whose requests were all answered: `runs` are the App's runs of `names` as they
   * now are on GitHub, last listed at `listedAt`. A write that was not answered is never ended.
   */
  end(
    target: RecordTarget,
    ticket: WriteTicket,
    names: readonly string[],
    record: RecordedAt & { runs: RecordedRuns },
  ): Promise<void>;
}

/** How long a commit's record is kept after its last write (ms). */
export const CHECK_RECORD_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** How long after the list it was made from a record is trusted (ms). */
export const CHECK_RECORD_FRESH_MS = 60 * 60 * 1000;
/** A ticket in flight this long belongs to a write that never ended (ms). */
const TICKET_LIFE_MS = 24 * 60 * 60 * 1000;
/** Commits a process remembers without Redis. */
const LOCAL_RECORDS = 10_000;

/**
 * The fingerprint of a check run's content, as a write compares it: the status, conclusion,
 * title, summary (without its evaluation time), text and number of annotations.
 */
export function checkFingerprint(run: {
  status: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  text: string | null | undefined;
  annotationsCount: number;
}): string {
  const summary =
    run.summary === null ? null : run.summary.replace(/^\| Evaluated at \|[^\n]*$/m, "");
  return createHash("sha256")
    .update(
      JSON.stringify([
        run.status,
        run.conclusion,
        run.title,
        summary,
        run.text ?? null,
        run.annotationsCount,
      ]),
    )
    .digest("base64url");
}

/** The Redis key of a commit's record. */
export function checkRecordKey(target: RecordTarget): string {
  return `aigate:checks:${target.appId}:${target.owner}/${target.repo}@${target.headSha}`.toLowerCase();
}

/** A record: the names it covers (which runs exist, and which do not), and the runs. */
interface StoredRecord {
  names: string[];
  runs: Record<string, RecordedRun>;
  listedAt: number;
}

function encode(names: readonly string[], record: RecordedAt & { runs: RecordedRuns }): string {
  const stored: StoredRecord = {
    names: [...names],
    runs: Object.fromEntries(record.runs),
    listedAt: record.listedAt,
  };
  return JSON.stringify(stored);
}

function decode(
  text: string,
  names: readonly string[],
  now: number,
): (RecordedAt & { runs: RecordedRuns }) | null {
  let stored: StoredRecord;
  try {
    stored = JSON.parse(text) as StoredRecord;
  } catch {
    return null;
  }
  // A record written for other names says nothing of these; an old one is listed again.
  if (!Array.isArray(stored.names) || !names.every((n) => stored.names.includes(n))) return null;
  if (typeof stored.listedAt !== "number" || now - stored.listedAt > CHECK_RECORD_FRESH_MS) {
    return null;
  }
  const runs: RecordedRuns = new Map();
  for (const name of names) {
    const run = stored.runs[name];
    if (run) runs.set(name, run);
  }
  return { runs, listedAt: stored.listedAt };
}

const RUN_ID = `local run = string.match(redis.call("INFO", "server"), "run_id:(%w+)")`;

/**
 * KEYS: the record (a hash), its tickets in flight (a sorted set by start time). ARGV: TTL,
 * ticket, ticket life. Takes the record away — answering it when it can be trusted: same server
 * run, no ticket in flight — and adds the ticket; a ticket added while another is in flight
 * marks an overlap, and no record is kept until all have ended. Answers {run id, record or ""}.
 */
const BEGIN = `${RUN_ID}
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call("HGET", KEYS[1], "run") ~= run then
  redis.call("DEL", KEYS[1], KEYS[2])
  redis.call("HSET", KEYS[1], "run", run, "overlap", 0)
end
redis.call("ZREMRANGEBYSCORE", KEYS[2], "-inf", now - tonumber(ARGV[3]))
local recorded = ""
if redis.call("ZCARD", KEYS[2]) == 0 then
  recorded = redis.call("HGET", KEYS[1], "record") or ""
  redis.call("HSET", KEYS[1], "overlap", 0)
else
  redis.call("HSET", KEYS[1], "overlap", 1)
end
redis.call("ZADD", KEYS[2], now, ARGV[2])
redis.call("HDEL", KEYS[1], "record")
redis.call("PEXPIRE", KEYS[1], ARGV[1])
redis.call("PEXPIRE", KEYS[2], ARGV[1])
return {run, recorded}`;

/**
 * KEYS: the record, its tickets. ARGV: TTL, ticket, its run id, record. Hands the ticket back
 * (once: a ticket no longer in flight changes nothing), and keeps the record only when no
 * ticket is left in flight and none overlapped.
 */
const END = `${RUN_ID}
if run ~= ARGV[3] or redis.call("HGET", KEYS[1], "run") ~= run then return 0 end
if redis.call("ZREM", KEYS[2], ARGV[2]) == 0 then return 0 end
if redis.call("ZCARD", KEYS[2]) == 0 and redis.call("HGET", KEYS[1], "overlap") == "0" then
  redis.call("HSET", KEYS[1], "record", ARGV[4])
end
redis.call("PEXPIRE", KEYS[1], ARGV[1])
return 1`;

/**
 * KEYS: the record. Removes the record and marks an overlap, so that no write in flight keeps
 * one: a write without a ticket is, or was, under way.
 */
const FORGET = `${RUN_ID}
if redis.call("HGET", KEYS[1], "run") ~= run then return 0 end
redis.call("HDEL", KEYS[1], "record")
redis.call("HSET", KEYS[1], "overlap", 1)
return 1`;

/** The key of the tickets in flight for a commit's record. */
function ticketsKey(target: RecordTarget): string {
  return `${checkRecordKey(target)}:writing`;
}

/** Records shared by every replica through Redis. */
export function redisCheckRecords(
  redis: Redis,
  options: { now?: () => number } = {},
): CheckRecords {
  const ttlMs = CHECK_RECORD_TTL_MS;
  const now = options.now ?? Date.now;
  // Records to mark once Redis answers again: this replica wrote without a ticket.
  const forgotten = new Set<string>();
  const flush = async () => {
    for (const key of [...forgotten]) {
      await redis.eval(FORGET, 1, key);
      forgotten.delete(key);
    }
  };
  redis.on("ready", () => void flush().catch(() => undefined));
  return {
    async begin(target, names) {
      await flush();
      const id = randomUUID();
      const [run, recorded] = (await redis.eval(
        BEGIN,
        2,
        checkRecordKey(target),
        ticketsKey(target),
        String(ttlMs),
        id,
        String(TICKET_LIFE_MS),
      )) as [string, string];
      return {
        ticket: { id, run },
        recorded: recorded ? decode(recorded, names, now()) : null,
      };
    },
    async forget(target) {
      forgotten.add(checkRecordKey(target));
      await flush().catch(() => undefined);
    },
    async end(target, ticket, names, record) {
      await redis
        .eval(
          END,
          2,
          checkRecordKey(target),
          ticketsKey(target),
          String(ttlMs),
          ticket.id,
          ticket.run,
          encode(names, record),
        )
        .catch(() => undefined);
    },
  };
}

interface LocalState {
  /** Tickets in flight, with when each began. */
  writing: Map<string, number>;
  overlap: boolean;
  record?: string;
}

/**
 * Records in this process's memory, for an App without Redis (one process). A commit whose
 * state is evicted while a write is in flight leaves that write's ticket unknown: it is then
 * handed back to no effect.
 */
export function localCheckRecords(options: { now?: () => number } = {}): CheckRecords {
  const now = options.now ?? Date.now;
  const states = new LRUCache<string, LocalState>({ max: LOCAL_RECORDS });
  return {
    async begin(target, names) {
      const key = checkRecordKey(target);
      const state: LocalState = states.get(key) ?? { writing: new Map(), overlap: false };
      for (const [ticket, began] of state.writing) {
        if (now() - began > TICKET_LIFE_MS) state.writing.delete(ticket);
      }
      const record = state.writing.size === 0 ? state.record : undefined;
      state.overlap = state.writing.size > 0;
      const id = randomUUID();
      state.writing.set(id, now());
      delete state.record;
      states.set(key, state);
      return {
        ticket: { id, run: "local" },
        recorded: record === undefined ? null : decode(record, names, now()),
      };
    },
    async forget(target) {
      const state = states.get(checkRecordKey(target));
      if (!state) return;
      delete state.record;
      state.overlap = true;
    },
    async end(target, ticket, names, record) {
      const state = states.get(checkRecordKey(target));
      if (!state?.writing.delete(ticket.id)) return;
      if (state.writing.size === 0 && !state.overlap) state.record = encode(names, record);
    },
  };
}
