/**
 * Fast acknowledgement (docs/deployment.md#3-how-webhooks-are-answered): a verified webhook is answered as soon
 * as its work is queued, and the work runs after, under the same per-pull-request
 * serialisation. The queue is bounded; when it is full, or the server is shutting down, a
 * delivery is refused with 503 so GitHub records the failure and it can be redelivered.
 */
/** Refuses a delivery; Probot's webhook middleware answers with `status`. */
export class DeliveryRefusedError extends Error {
  override name = "DeliveryRefusedError";
  readonly status = 503;
}

export interface WorkQueue {
  /**
   * Starts `job` (which serialises itself per pull request and reports its own failures), or
   * throws a DeliveryRefusedError.
   */
  submit(job: () => Promise<void>): void;
  /** Jobs accepted and not yet settled. */
  readonly depth: number;
  /** Resolves once no job is pending. */
  idle(): Promise<void>;
  /** Stops accepting; resolves true once every job settled, false when `timeoutMs` ran out first. */
  drain(timeoutMs: number): Promise<boolean>;
}

export function createWorkQueue(
  limit: number,
  onDepth: (depth: number) => void = () => {},
): WorkQueue {
  let pending = 0;
  let closed = false;
  let waiters: (() => void)[] = [];

  const settle = () => {
    pending--;
    onDepth(pending);
    if (pending === 0) {
      const ready = waiters;
      waiters = [];
      for (const wake of ready) wake();
    }
  };
  const idle = () =>
    pending === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve));

  return {
    submit(job) {
      if (closed) {
        throw new DeliveryRefusedError("aigate is shutting down; redeliver this webhook");
      }
      if (pending >= limit) {
        throw new DeliveryRefusedError(
          `aigate's queue is full (${limit} deliveries waiting); redeliver this webhook`,
        );
      }
      pending++;
      onDepth(pending);
      // Jobs end their own failures in red checks; a rejection here is already reported.
      void Promise.resolve()
        .then(job)
        .catch(() => undefined)
        .finally(settle);
    },
    get depth() {
      return pending;
    },
    idle,
    async drain(timeoutMs) {
      closed = true;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const drained = await Promise.race([idle().then(() => true as const), timedOut]);
      clearTimeout(timer);
      return drained;
    },
  };
}
