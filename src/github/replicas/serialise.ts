/**
 * Per-pull-request serialisation (docs/architecture.md#scale): two events for the same PR never
 * reconcile at the same time, so a redelivery or a burst of reviews cannot issue the same
 * attestation twice. In one process a promise chain per key does it; across replicas a Redis
 * lock does, when REDIS_URL is set.
 *
 * Across replicas, events coalesce instead of waiting for the lock (coalesce.ts).
 *
 * This file holds what every serialiser promises and the in-process queue; the Redis lock and its
 * lease are in lease.ts, coalescing across replicas in coalesce.ts, the Redis client in
 * redis-client.ts.
 */
import { type HeldLock, PROCESS_LOCK } from "./lock.js";

/**
 * The work for one event of a key: `event` is the small text the event was queued as (what the
 * work needs beyond live facts), `lock` the lock to check before every write.
 */
export type Work = (event: string, lock: HeldLock) => Promise<void>;

/**
 * What became of an event: `ran` when this call ran its work (and, across replicas, the work of
 * the events queued behind it), `queued` when the event was left to the work in progress for
 * its key, which runs it after its own.
 */
export type RunOutcome = "ran" | "queued";

export interface Serialiser {
  /**
   * Runs `work(event)` under the key's lock, or leaves `event` to the work that holds it. Equal
   * `event` texts waiting for the same key coalesce into one run. Rejects with the work's own
   * error, or with a LockUnavailableError when Redis does not answer (the work did not run).
   */
  run(key: string, event: string, work: Work): Promise<RunOutcome>;
  /**
   * Gives back every lock still held and lets go of any connection (tests and shutdown);
   * work already running still settles; queued events stop watching.
   */
  close(): Promise<void>;
}

/**
 * The lock could not be taken nor the event queued, because Redis did not answer. The work did
 * not run; the caller fails closed (red checks that say why).
 */
export class LockUnavailableError extends Error {
  override name = "LockUnavailableError";
}

/**
 * One promise chain per key; keys are dropped when their chain drains. An event equal to one
 * already waiting in the chain (not yet started) is not queued twice: it resolves `queued` once
 * that one has run.
 */
export function inProcessSerialiser(): Serialiser {
  const chains = new Map<string, { tail: Promise<unknown>; waiting: Map<string, Promise<void>> }>();
  return {
    run(key: string, event: string, work: Work): Promise<RunOutcome> {
      let chain = chains.get(key);
      if (!chain) {
        chain = { tail: Promise.resolve(), waiting: new Map() };
        chains.set(key, chain);
      }
      const same = chain.waiting.get(event);
      if (same) {
        return same.then(
          () => "queued",
          () => "queued",
        );
      }
      const own = chain;
      const start = () => {
        own.waiting.delete(event);
        return work(event, PROCESS_LOCK);
      };
      const next = own.tail.then(start, start);
      own.waiting.set(event, next);
      const tail = next.then(
        () => undefined,
        () => undefined,
      );
      own.tail = tail;
      void tail.then(() => {
        if (chains.get(key)?.tail === tail) chains.delete(key);
      });
      return next.then(() => "ran");
    },
    async close() {},
  };
}
