/**
 * What the App remembers of each pull request's review requests (docs/app.md#review-requests):
 * when each reviewer requested now was asked, and the notes for the repository's owners that
 * still hold. Learnt for free (the answer to aigate's own request, the timeline whenever the
 * flow reads it anyway), so that an event that asks no one can still say when each was asked
 * without reading the timeline again.
 *
 * Without REDIS_URL the App is one process, and the memory lives in its adapter cache (a
 * bounded LRU). With REDIS_URL it is shared by every replica, one key per pull request with a
 * time to live; Redis is the one copy then, since another replica may have learnt newer facts.
 * A memory that cannot be read (Redis away, a record that does not parse) is no memory: the
 * flow reads the timeline, so no time shown is ever a stale one.
 */
import type { Redis } from "ioredis";
import * as z from "zod";
import type { RequestMemory } from "../../core/policy/request-memory.js";
import type { PullRequestTarget } from "../client.js";
import type { BoundedCache } from "../reads/cache.js";

/** How long a pull request's memory is kept after its last change (ms). */
export const REQUEST_MEMORY_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export interface RequestMemoryStore {
  /** The pull request's memory, or undefined when none is known (or it cannot be read). */
  read(target: PullRequestTarget): Promise<RequestMemory | undefined>;
  /** Keeps the memory; a store that does not answer loses it, and the timeline is read again. */
  write(target: PullRequestTarget, memory: RequestMemory): Promise<void>;
}

/** The key of a pull request's memory, in the adapter cache and (prefixed) in Redis. */
export function requestMemoryKey(target: PullRequestTarget): string {
  return `${target.owner}/${target.repo}#${target.pullNumber}`.toLowerCase();
}

/** The Redis key of a pull request's memory. */
export function redisRequestMemoryKey(target: PullRequestTarget): string {
  return `aigate:requests:${requestMemoryKey(target)}`;
}

const AskedSchema = z.object({
  at: z.string(),
  by: z.string().optional(),
  aigate: z.literal(true).optional(),
});
const MemorySchema = z.object({
  asked: z.record(z.string(), AskedSchema),
  unknown: z.array(z.string()).optional(),
  notes: z.object({
    manifest: z.string(),
    refused: z.array(z.object({ reviewers: z.array(z.string()), reason: z.string() })),
    unreadable: z.array(z.object({ system: z.string(), team: z.string() })),
  }),
});

/** One process's memory, in its adapter cache. */
export function localRequestMemory(cache: BoundedCache<RequestMemory>): RequestMemoryStore {
  return {
    read: async (target) => cache.get(requestMemoryKey(target)),
    write: async (target, memory) => cache.set(requestMemoryKey(target), memory),
  };
}

/** The memory shared by every replica through Redis. */
export function sharedRequestMemory(redis: Redis): RequestMemoryStore {
  return {
    async read(target) {
      let text: string | null;
      try {
        text = await redis.get(redisRequestMemoryKey(target));
      } catch {
        return undefined;
      }
      if (text === null) return undefined;
      try {
        const parsed = MemorySchema.safeParse(JSON.parse(text));
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    },
    async write(target, memory) {
      await redis
        .set(redisRequestMemoryKey(target), JSON.stringify(memory), "PX", REQUEST_MEMORY_TTL_MS)
        .catch(() => undefined);
    },
  };
}
