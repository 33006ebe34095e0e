/**
 * What the App last wrote to its check runs on a commit, so that the next event need not list
 * them again (docs/deployment.md#11-rate-limit-economy). The App's own check runs change only
 * when the App writes them, and each write is answered with the run as written; listing them
 * again after a write is a full, counted answer that says nothing the App did not already know.
 *
 * A record is trusted only when it cannot be out of date:
 * - **One writer at a time.** A write of a commit's check runs begins by taking a ticket, which
 *   takes the record away (and answers it, when it can be trusted, in the same step); it ends
 *   by handing in the runs as written. The record is kept only when
 *   that writer was alone from its ticket to its end — no other writer began meanwhile (the
 *   generation did not move) or was still writing (none in flight, none overlapped) — and every
 *   one of its writes was answered. Any doubt leaves no record, and the runs are listed.
 * - **The same Redis run.** Each record carries the Redis server's `run_id`, which changes with
 *   every start of the server; a record that comes back from a snapshot after a restart or a
 *   crash, or from a replica after a failover, belongs to another run and is ignored.
 * - **No ticket, no record.** A write whose ticket Redis does not give is still made (red
 *   checks saying why must not wait for Redis), and the record is removed as soon as Redis
 *   answers again (`forget`); a write that was not answered is never ended, so its record stays
 *   "in flight" and is never trusted, until it expires. A re-run or a recheck lists the runs
 *   and makes the record again from what GitHub lists.
 *
 * Without REDIS_URL the App is one process, and the record is kept in its memory.
 */
import { createHash } from "node:crypto";
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
  generation: number;
  run: string;
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
  ): Promise<{ ticket: WriteTicket; recorded: RecordedRuns | null }>;
  /**
   * The App wrote without a ticket (the store did not answer): whatever record there is must
   * not be trusted again. Removed now, or as soon as the store answers.
   */
  forget(target: RecordTarget): Promise<void>;
  /**
   * Ends a write whose requests were all answered: `runs` are the App's runs of `names` as they
   * now are on GitHub. A write that was not answered is never ended: a request that failed may
   * still land, so its record stays in flight, untrusted, until it expires.
   */
  end(
    target: RecordTarget,
    ticket: WriteTicket,
    names: readonly string[],
    runs: RecordedRuns,
  ): Promise<void>;
}

/** How long a commit's record is kept after its last write (ms). */
export const CHECK_RECORD_TTL_MS = 7 * 24 * 60 * 60 * 1000;
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
}

function encode(names: readonly string[], runs: RecordedRuns): string {
  const stored: StoredRecord = { names: [...names], runs: Object.fromEntries(runs) };
  return JSON.stringify(stored);
}

function decode(text: string, names: readonly string[]): RecordedRuns | null {
  let stored: StoredRecord;
  try {
    stored = JSON.parse(text) as StoredRecord;
  } catch {
    return null;
  }
  // A record written for other names says nothing of these.
  if (!Array.isArray(stored.names) || !names.every((n) => stored.names.includes(n))) return null;
  const runs: RecordedRuns = new Map();
  for (const name of names) {
    const run = stored.runs[name];
    if (run) runs.set(name, run);
  }
  return runs;
}

const RUN_ID = `local run = string.match(redis.call("INFO", "server"), "run_id:(%w+)")`;

/**
 * KEYS: the record. ARGV: TTL. Takes the record away (answering it when it can be trusted: same
 * server run, no writer in flight) and counts the writer in; a writer that begins while another
 * is in flight leaves both unable to keep a record. Answers {generation, run id, record or ""}.
 */
const BEGIN = `${RUN_ID}
if redis.call("HGET", KEYS[1], "run") ~= run then
  redis.call("DEL", KEYS[1])
  redis.call("HSET", KEYS[1], "run", run, "gen", 0, "inflight", 0, "overlap", 0)
end
local h = redis.call("HMGET", KEYS[1], "inflight", "record")
local recorded = ""
if h[1] == "0" and h[2] then recorded = h[2] end
local inflight = redis.call("HINCRBY", KEYS[1], "inflight", 1)
if inflight > 1 then redis.call("HSET", KEYS[1], "overlap", 1) else redis.call("HSET", KEYS[1], "overlap", 0) end
local gen = redis.call("HINCRBY", KEYS[1], "gen", 1)
redis.call("HDEL", KEYS[1], "record")
redis.call("PEXPIRE", KEYS[1], ARGV[1])
return {gen, run, recorded}`;

/**
 * KEYS: the record. ARGV: TTL, generation, run id, record. Counts the writer out, and keeps
 * its record only when it wrote alone.
 */
const END = `${RUN_ID}
if run ~= ARGV[3] or redis.call("HGET", KEYS[1], "run") ~= run then return 0 end
local inflight = redis.call("HINCRBY", KEYS[1], "inflight", -1)
if inflight == 0 and redis.call("HGET", KEYS[1], "overlap") == "0"
  and redis.call("HGET", KEYS[1], "gen") == ARGV[2] then
  redis.call("HSET", KEYS[1], "record", ARGV[4])
end
redis.call("PEXPIRE", KEYS[1], ARGV[1])
return 1`;

/** Records shared by every replica through Redis. */
export function redisCheckRecords(redis: Redis, ttlMs = CHECK_RECORD_TTL_MS): CheckRecords {
  // Records to remove once Redis answers again: this replica wrote without a ticket.
  const forgotten = new Set<string>();
  const flush = async () => {
    for (const key of [...forgotten]) {
      await redis.del(key);
      forgotten.delete(key);
    }
  };
  redis.on("ready", () => void flush().catch(() => undefined));
  return {
    async begin(target, names) {
      await flush();
      const [generation, run, recorded] = (await redis.eval(
        BEGIN,
        1,
        checkRecordKey(target),
        String(ttlMs),
      )) as [number, string, string];
      return {
        ticket: { generation, run },
        recorded: recorded ? decode(recorded, names) : null,
      };
    },
    async forget(target) {
      forgotten.add(checkRecordKey(target));
      await flush().catch(() => undefined);
    },
    async end(target, ticket, names, runs) {
      await redis
        .eval(
          END,
          1,
          checkRecordKey(target),
          String(ttlMs),
          String(ticket.generation),
          ticket.run,
          encode(names, runs),
        )
        .catch(() => undefined);
    },
  };
}

interface LocalState {
  generation: number;
  inflight: number;
  overlap: boolean;
  record?: string;
}

/** Records in this process's memory, for an App without Redis (one process). */
export function localCheckRecords(): CheckRecords {
  const states = new LRUCache<string, LocalState>({ max: LOCAL_RECORDS });
  return {
    async begin(target, names) {
      const key = checkRecordKey(target);
      const state = states.get(key) ?? { generation: 0, inflight: 0, overlap: false };
      const record = state.inflight === 0 ? state.record : undefined;
      state.inflight += 1;
      state.overlap = state.inflight > 1;
      state.generation += 1;
      delete state.record;
      states.set(key, state);
      return {
        ticket: { generation: state.generation, run: "local" },
        recorded: record === undefined ? null : decode(record, names),
      };
    },
    async forget(target) {
      states.delete(checkRecordKey(target));
    },
    async end(target, ticket, names, runs) {
      const state = states.get(checkRecordKey(target));
      if (!state) return;
      state.inflight -= 1;
      if (state.inflight === 0 && !state.overlap && state.generation === ticket.generation) {
        state.record = encode(names, runs);
      }
    },
  };
}
