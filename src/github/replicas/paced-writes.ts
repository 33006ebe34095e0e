/**
 * The App's write pacing, with evidence first (docs/deployment.md#evidence-first). Octokit's
 * throttling plugin paces an installation's writes through two Bottleneck groups — `write`
 * (one a second) and `notifications` (comment creation, one every three seconds) — in FIFO
 * order. The groups made here have the plugin's ids and settings, and Probot's Redis connection
 * when it has one, so the pace stays the one GitHub expects and stays shared with every replica;
 * only the order of a replica's own queue changes: a write inside `asEvidence` is queued ahead
 * of the writes without a priority, a write inside `asOptional` behind them. The plugin's retries keep the highest priority (0).
 *
 * The plugin runs every request through its own limiter first, and Bottleneck starts the queued
 * jobs from whichever caller drains the queue: the caller's async context — the evidence mark —
 * is lost there. So each client gets its own such limiter, which runs every request in the
 * context of its caller.
 */
import { AsyncResource } from "node:async_hooks";
import Bottleneck from "bottleneck";
import { recoverableOnRedis7 } from "./throttle-store.js";
import { isEvidenceWrite, isOptionalWrite } from "./write-priority.js";

/** Bottleneck's priority of an evidence write: after the plugin's retries (0), before the rest (5). */
export const EVIDENCE_PRIORITY = 1;
/** Bottleneck's priority of an optional write (a review request): behind the rest (5). */
export const OPTIONAL_PRIORITY = 8;

/** The parts of the throttling plugin's `throttle` option that decide how it paces writes. */
export interface ThrottleSetting {
  enabled?: boolean;
  Bottleneck?: typeof Bottleneck;
  connection?: Bottleneck.RedisConnection | Bottleneck.IORedisConnection;
  timeout?: number;
}

/** What the plugin takes in `throttle` in place of its own groups and request limiter. */
export interface PacedWrites {
  write: Bottleneck.Group;
  notifications: Bottleneck.Group;
  retryLimiter: Bottleneck;
}

/** What the App's Octokit is made with, as far as its pacing goes. */
export interface PacedClientOptions {
  throttle?: ThrottleSetting;
  auth?: { installationId?: number | string };
}

/**
 * The `throttle` settings of each client the App makes: its writes paced with its
 * installation's, evidence first. Probot gives the client of a webhook event no throttling id,
 * so without one here every installation's writes would wait in one queue (the plugin's
 * `no-id`), where GitHub limits each installation on its own.
 */
export function pacedWrites(options: PacedClientOptions): Partial<PacedWrites> & { id?: string } {
  const installationId = options.auth?.installationId;
  return {
    ...(installationId !== undefined ? { id: String(installationId) } : {}),
    ...evidenceFirst(options.throttle),
  };
}

/** The plugin's default for `timeout` (how long Redis keeps an idle limiter's state). */
const PLUGIN_TIMEOUT_MS = 2 * 60 * 1000;

/** The groups of one process (no Redis), and of each Redis connection. */
const local = {};
const groupsOf = new WeakMap<object, Omit<PacedWrites, "retryLimiter">>();

/**
 * The `throttle` settings that put evidence first, to merge into the plugin's options of each
 * client made (each needs its own request limiter; the groups are shared, as the plugin's are).
 */
export function evidenceFirst(throttle: ThrottleSetting | undefined): Partial<PacedWrites> {
  if (throttle?.enabled === false) return {};
  const Limiter = throttle?.Bottleneck ?? Bottleneck;
  const connection = throttle?.connection;
  // Every connection the plugin is given recovers from a Redis that restarted empty: the
  // plugin's own limiters (global, auth, search) are made once per process, on the first.
  if (connection) recoverableOnRedis7(connection);
  let groups = groupsOf.get(connection ?? local);
  if (!groups) {
    // As the plugin's createGroups builds them: same ids (the Redis keys), same pace.
    const common = {
      timeout: throttle?.timeout ?? PLUGIN_TIMEOUT_MS,
      ...(connection !== undefined ? { connection } : {}),
    };
    groups = {
      write: prioritised(
        new Limiter.Group({ id: "octokit-write", maxConcurrent: 1, minTime: 1000, ...common }),
      ),
      notifications: prioritised(
        new Limiter.Group({
          id: "octokit-notifications",
          maxConcurrent: 1,
          minTime: 3000,
          ...common,
        }),
      ),
    };
    groupsOf.set(connection ?? local, groups);
  }
  return { ...groups, retryLimiter: inCallerContext(new Limiter()) };
}

type Schedule = (...args: unknown[]) => Promise<unknown>;

/**
 * Each of the group's limiters queues an evidence write with `EVIDENCE_PRIORITY`, an optional
 * write with `OPTIONAL_PRIORITY`.
 */
function prioritised(group: Bottleneck.Group): Bottleneck.Group {
  // Bottleneck emits "created" inside key(), before the plugin schedules on the new limiter.
  group.on("created", (limiter) => {
    const schedule = limiter.schedule.bind(limiter) as Schedule;
    const withPriority: Schedule = (...args) => {
      if (typeof args[0] === "function") args.unshift({});
      const options = args[0] as Bottleneck.JobOptions;
      if (options.priority === undefined && isEvidenceWrite()) {
        args[0] = { ...options, priority: EVIDENCE_PRIORITY };
      } else if (options.priority === undefined && isOptionalWrite()) {
        args[0] = { ...options, priority: OPTIONAL_PRIORITY };
      }
      return schedule(...args);
    };
    limiter.schedule = withPriority as Bottleneck["schedule"];
  });
  return group;
}

/** The limiter runs each job in the async context it was scheduled from. */
function inCallerContext(limiter: Bottleneck): Bottleneck {
  const schedule = limiter.schedule.bind(limiter) as Schedule;
  const bound: Schedule = (...args) => {
    const at = typeof args[0] === "function" ? 0 : 1;
    args[at] = AsyncResource.bind(args[at] as (...a: unknown[]) => unknown);
    return schedule(...args);
  };
  limiter.schedule = bound as Bottleneck["schedule"];
  return limiter;
}
