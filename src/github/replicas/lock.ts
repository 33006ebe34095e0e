/**
 * The per-pull-request lock as the reconcile flow sees it (docs/architecture.md, "Scale"): something to check before
 * every write. How it is held — a promise chain in one process, a Redis lease across replicas —
 * is src/github/replicas/serialise.ts's business.
 */

/** The per-pull-request lock as the work sees it while it runs. */
export interface HeldLock {
  /**
   * Resolves while the lock is still this work's; rejects with a LockLostError once it is
   * not (its lease ran out, or Redis cannot tell). Called before every write, so work that
   * lost its lock never writes over work that took it since.
   */
  assertHeld(): Promise<void>;
}

/** A lock that is always held: one process, one queue per pull request. */
export const PROCESS_LOCK: HeldLock = { assertHeld: async () => {} };

/**
 * The lock was taken but is no longer this work's: it must stop writing. Whoever holds the lock
 * now reconciles the same pull request from live facts, so nothing is lost by stopping.
 */
export class LockLostError extends Error {
  override name = "LockLostError";
}
