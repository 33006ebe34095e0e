/**
 * Where Octokit's throttling keeps its state across replicas: Bottleneck in Redis, on a client
 * of the App's own. Probot would make that client itself from REDIS_URL, with ioredis' defaults:
 * a GitHub call then failed after twenty reconnection attempts (about twenty seconds) of a Redis
 * outage, and the work of the event with it. The client made here keeps a GitHub call waiting
 * for Redis as long as the per-pull-request lock waits for it (`waitMs`), so an outage shorter
 * than that delays events instead of ending them.
 *
 * Bottleneck's own recovery, made to work on Redis 7. Bottleneck keeps a limiter's state in
 * Redis (the settings key, the registered clients) and its scripts raise two sentinels when that
 * state is gone — `SETTINGS_KEY_NOT_FOUND` and `UNKNOWN_CLIENT` — which it answers by creating
 * the state again and re-running the script. It recognises them by comparing the message with
 * `===`; Redis 7 prefixes `ERR ` to a script's error reply that carries no code of its own, so
 * the comparison never matches and, after a Redis that restarted empty, every GitHub call of
 * the App failed until the replicas were restarted. Here the connection hands Bottleneck those
 * two errors without the prefix; every other error is passed on untouched.
 */
import Bottleneck from "bottleneck";
import { Redis } from "ioredis";
import type { Log } from "../client.js";
import { reconnectDelay, redisAddress } from "./redis-client.js";

/** The sentinels Bottleneck's scripts raise and its datastore recovers from. */
const SENTINEL = /^ERR (SETTINGS_KEY_NOT_FOUND|UNKNOWN_CLIENT)$/;

type ScriptCallback = (err: Error | null | undefined, replies: unknown) => void;

interface ScriptArgs {
  __scriptArgs__(name: string, id: string, args: unknown[], cb: ScriptCallback): unknown[];
}

const adapted = new WeakSet<object>();

/** The error Bottleneck can recognise: a sentinel's message without Redis 7's `ERR ` prefix. */
function asBottleneckSentinel<E extends Error | null | undefined>(err: E): E {
  const sentinel = err ? SENTINEL.exec(err.message) : null;
  if (err && sentinel?.[1]) err.message = sentinel[1];
  return err;
}

/** Makes `connection` hand Bottleneck its sentinels as it expects them. Idempotent. */
export function recoverableOnRedis7(
  connection: Bottleneck.RedisConnection | Bottleneck.IORedisConnection,
): void {
  const target = connection as unknown as ScriptArgs;
  if (adapted.has(target) || typeof target.__scriptArgs__ !== "function") return;
  const original = target.__scriptArgs__.bind(target);
  target.__scriptArgs__ = (name, id, args, cb) =>
    original(name, id, args, (err, replies) => cb(asBottleneckSentinel(err), replies));
  adapted.add(target);
}

/** Octokit's throttling settings for a store in Redis: the full Bottleneck, and its connection. */
export interface ThrottleStore {
  Bottleneck: typeof Bottleneck;
  connection: Bottleneck.IORedisConnection;
  /** Lets go of the connection (shutdown). */
  close(): Promise<void>;
}

/** How many reconnection attempts, paced as the lock's client makes them, take at least `ms`. */
function attemptsCovering(ms: number): number {
  let attempts = 0;
  for (let waited = 0; waited < ms; ) waited += reconnectDelay(++attempts);
  return attempts;
}

/**
 * The throttling store for REDIS_URL. The client connects in the background; while Redis is
 * away a GitHub call waits for it (up to `waitMs`), and the outage is logged once.
 */
export function throttleStore(url: string, waitMs: number, log: Log): ThrottleStore {
  const client = new Redis(url, {
    maxRetriesPerRequest: attemptsCovering(waitMs),
    retryStrategy: reconnectDelay,
    connectTimeout: 5_000,
    // No command timeout: it would also end the calls queued while Redis reconnects.
  });
  // Made to recover from a Redis that restarted empty where the plugin is given it (evidenceFirst).
  const connection = new Bottleneck.IORedisConnection({ client });
  let down = false;
  connection.on("error", (error: unknown) => {
    if (down) return;
    down = true;
    log.warn(
      `aigate: Octokit's throttling cannot reach Redis at ${redisAddress(url)} (${error instanceof Error ? error.message : String(error)}); GitHub calls wait for it`,
    );
  });
  client.on("ready", () => {
    down = false;
  });
  return {
    Bottleneck,
    connection,
    close: async () => {
      await connection.disconnect(false);
    },
  };
}
