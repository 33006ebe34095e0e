/**
 * Deliveries already handled, by their `X-GitHub-Delivery` id. GitHub gives an event one id and
 * keeps it when the event is redelivered (from its settings page, its API, or a retry racing
 * the first delivery), and advises receivers to drop a delivery whose id they have processed.
 * A delivery is remembered only once its work ended without an error, so a redelivery of one
 * that failed, was cut off by a shutdown, or was left queued for another replica's work is
 * still handled. A redelivery adds nothing to a reconcile that already ran after the event
 * happened: every later change has an event of its own, and `/aigate recheck` or a re-run of a
 * check evaluates afresh (docs/app.md#redeliveries).
 *
 * With REDIS_URL the record is shared by every replica; when Redis does not answer, the
 * replica's own memory is used and the delivery is handled again rather than dropped.
 */
import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";

/** GitHub lets a delivery be redelivered for three days. */
export const DELIVERY_MEMORY_MS = 3 * 24 * 60 * 60 * 1000;
/** Deliveries a replica remembers in its own memory (about 100 bytes each). */
const LOCAL_DELIVERIES = 50_000;

export interface DeliveryLog {
  /** Whether the delivery's work already ended without an error, here or on another replica. */
  handled(id: string): Promise<boolean>;
  /** Notes that the delivery's work ended without an error. */
  record(id: string): Promise<void>;
}

/** The key of a handled delivery in Redis. */
export function deliveryKey(id: string): string {
  return `aigate:delivery:${id}`;
}

/** One replica's memory of handled deliveries, bounded and forgotten after three days. */
export function localDeliveryLog(): DeliveryLog {
  const seen = new LRUCache<string, true>({ max: LOCAL_DELIVERIES, ttl: DELIVERY_MEMORY_MS });
  return {
    handled: async (id) => id !== "" && seen.has(id),
    record: async (id) => {
      if (id !== "") seen.set(id, true);
    },
  };
}

/** Handled deliveries shared through Redis, remembered locally as well. */
export function sharedDeliveryLog(redis: Redis, local = localDeliveryLog()): DeliveryLog {
  return {
    async handled(id) {
      if (await local.handled(id)) return true;
      if (id === "") return false;
      try {
        return (await redis.exists(deliveryKey(id))) === 1;
      } catch {
        return false;
      }
    },
    async record(id) {
      await local.record(id);
      if (id === "") return;
      await redis.set(deliveryKey(id), "1", "PX", DELIVERY_MEMORY_MS).catch(() => undefined);
    },
  };
}
