/**
 * The per-pull-request lock across replicas, against a real Redis: each "replica" is its own
 * serialiser on its own connection, as two App processes would be.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Log } from "../../src/github/client.js";
import {
  connectRedis,
  LockLostError,
  LockUnavailableError,
  lockKey,
  type RedisLockOptions,
  redisSerialiser,
  type Serialiser,
} from "../../src/github/serialise.js";
import { REDIS_SERVER, suiteNeeds } from "../support/prerequisites.js";
import {
  startRedisServer,
  type TestRedis,
  testRedis,
  unreachableRedisUrl,
} from "./redis-server.js";

const redisServer = suiteNeeds(import.meta.url, REDIS_SERVER);

let redis: TestRedis;
let observer: Redis;
const opened: Serialiser[] = [];

beforeAll(async () => {
  redis = await testRedis(0);
  observer = new Redis(redis.url);
});
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  observer?.disconnect();
  await redis?.stop();
});

interface Replica {
  serialiser: Serialiser;
  /** The replica's own connection: dropping it is how a crashed process leaves Redis. */
  connection: Redis;
  lines: string[];
  /** Resolves when this replica first finds a lock held by another. */
  waiting: Promise<void>;
}

/** One App process: its own Redis connection, its own in-process queue, its own log. */
async function replica(options: RedisLockOptions = {}, url = redis.url): Promise<Replica> {
  const lines: string[] = [];
  let noticeWaiting = () => {};
  const waiting = new Promise<void>((resolve) => {
    noticeWaiting = resolve;
  });
  const log: Log = {
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    debug: (m) => {
      lines.push(`debug ${m}`);
      if (m.includes("waiting for the lock")) noticeWaiting();
    },
  };
  const connection = await connectRedis(url, log);
  const serialiser = redisSerialiser(connection, { log, ...options });
  opened.push(serialiser);
  return { serialiser, connection, lines, waiting };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A pull request no other test uses. */
function pullRequest(): string {
  return `acme/models-${randomUUID()}#1`;
}

describe.skipIf(redisServer.skip)("the per-pull-request Redis lock", () => {
  it("makes a second replica wait until the first releases the same pull request", async () => {
    const [a, b] = [await replica(), await replica()];
    const pr = pullRequest();
    const order: string[] = [];
    const aStarted = deferred();
    const aGate = deferred();
    const first = a.serialiser.run(pr, async () => {
      order.push("a:start");
      aStarted.resolve();
      await aGate.promise;
      order.push("a:end");
    });
    await aStarted.promise;
    const second = b.serialiser.run(pr, async () => {
      order.push("b");
    });
    await b.waiting;
    order.push("b:waiting");
    aGate.resolve();
    await Promise.all([first, second]);
    expect(order).toEqual(["a:start", "b:waiting", "a:end", "b"]);
    expect(await observer.exists(lockKey(pr))).toBe(0);
  });

  it("lets replicas work on different pull requests at the same time", async () => {
    const [a, b] = [await replica(), await replica()];
    const order: string[] = [];
    const aStarted = deferred();
    const aGate = deferred();
    const first = a.serialiser.run(pullRequest(), async () => {
      order.push("a:start");
      aStarted.resolve();
      await aGate.promise;
      order.push("a:end");
    });
    await aStarted.promise;
    await b.serialiser.run(pullRequest(), async () => {
      order.push("b");
    });
    aGate.resolve();
    await first;
    expect(order).toEqual(["a:start", "b", "a:end"]);
    expect(b.lines.filter((l) => l.includes("waiting"))).toEqual([]);
  });

  it("recovers the lock of a replica that died holding it once its TTL runs out", async () => {
    const pr = pullRequest();
    const dead = await replica({ ttlMs: 300 });
    const started = deferred();
    // The work never ends and the process is gone: nothing will ever release this lock.
    void dead.serialiser.run(pr, async () => {
      started.resolve();
      await new Promise(() => {});
    });
    await started.promise;
    dead.connection.disconnect();
    expect(await observer.exists(lockKey(pr))).toBe(1);

    const survivor = await replica({ waitMs: 10_000 });
    const ran = survivor.serialiser.run(pr, async () => "ran after the TTL");
    await survivor.waiting;
    await expect(ran).resolves.toBe("ran after the TTL");
  });

  it("gives back the locks of work still running when it is closed (shutdown)", async () => {
    const pr = pullRequest();
    const stopping = await replica();
    const started = deferred();
    void stopping.serialiser.run(pr, async () => {
      started.resolve();
      await new Promise(() => {});
    });
    await started.promise;
    expect(await observer.exists(lockKey(pr))).toBe(1);
    await stopping.serialiser.close();
    expect(await observer.exists(lockKey(pr))).toBe(0);
  });

  it("keeps the lock while the work outlives its lease (a watchdog renews it)", async () => {
    const pr = pullRequest();
    const slow = await replica({ ttlMs: 300 });
    const next = await replica({ waitMs: 10_000 });
    const order: string[] = [];
    const slowStarted = deferred();
    const first = slow.serialiser.run(pr, async (lock) => {
      slowStarted.resolve();
      // Four leases long: without renewal the lock would have expired three times over.
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      await lock.assertHeld();
      order.push("slow:end");
    });
    await slowStarted.promise;
    const second = next.serialiser.run(pr, async () => {
      order.push("next");
    });
    await next.waiting;
    await Promise.all([first, second]);
    expect(order).toEqual(["slow:end", "next"]);
    expect(await observer.exists(lockKey(pr))).toBe(0);
  });

  it("tells work whose lease ran out that it lost the lock, and never deletes the next holder's", async () => {
    const pr = pullRequest();
    const slow = await replica({ ttlMs: 5_000 });
    const next = await replica({ waitMs: 10_000 });
    const order: string[] = [];
    const slowStarted = deferred();
    const slowGate = deferred();
    const nextHolding = deferred();
    const nextGate = deferred();
    let lost: unknown;
    const first = slow.serialiser.run(pr, async (lock) => {
      slowStarted.resolve();
      await slowGate.promise;
      lost = await lock.assertHeld().catch((error: unknown) => error);
      order.push("slow:end");
    });
    await slowStarted.promise;
    // The lease runs out as if the slow replica had been cut off from Redis for a while.
    await observer.del(lockKey(pr));
    const second = next.serialiser.run(pr, async () => {
      order.push("next:start");
      nextHolding.resolve();
      await nextGate.promise;
    });
    await nextHolding.promise;
    const held = await observer.get(lockKey(pr));
    slowGate.resolve();
    await first;
    expect(lost).toBeInstanceOf(LockLostError);
    expect(String((lost as Error).message)).toMatch(/lock for .* was lost/);
    // The slow replica's release found someone else's token and left it alone.
    expect(await observer.get(lockKey(pr))).toBe(held);
    expect(held).not.toBeNull();
    expect(slow.lines.some((l) => l.startsWith("warn") && l.includes("had expired"))).toBe(true);
    nextGate.resolve();
    await second;
    expect(order).toEqual(["next:start", "slow:end"]);
    expect(await observer.exists(lockKey(pr))).toBe(0);
  });

  it("fails with LockUnavailableError, without running the work, when the wait runs out", async () => {
    const pr = pullRequest();
    const holder = await replica();
    const impatient = await replica({ waitMs: 300 });
    const holding = deferred();
    const gate = deferred();
    const held = holder.serialiser.run(pr, async () => {
      holding.resolve();
      await gate.promise;
    });
    await holding.promise;
    let ran = false;
    const attempt = impatient.serialiser.run(pr, async () => {
      ran = true;
    });
    await expect(attempt).rejects.toThrow(LockUnavailableError);
    await expect(attempt).rejects.toThrow(/still held by another replica/);
    expect(ran).toBe(false);
    gate.resolve();
    await held;
  });

  it("keeps one replica's own events for a pull request in arrival order", async () => {
    const a = await replica();
    const pr = pullRequest();
    const order: string[] = [];
    const gate = deferred();
    const first = a.serialiser.run(pr, async () => {
      await gate.promise;
      order.push("first");
    });
    const second = a.serialiser.run(pr, async () => {
      order.push("second");
    });
    gate.resolve();
    await Promise.all([first, second]);
    expect(order).toEqual(["first", "second"]);
    // The queue, not Redis, kept them apart: the process never waited on itself.
    expect(a.lines.filter((l) => l.includes("waiting"))).toEqual([]);
  });
});

describe.skipIf(redisServer.skip)("the lock when Redis is unreachable", () => {
  it("fails closed at once, says why, and logs the outage once without the password", async () => {
    const url = new URL(await unreachableRedisUrl());
    url.password = "s3cret-redis-password";
    const down = await replica({}, url.href);
    let ran = false;
    const work = async () => {
      ran = true;
    };
    const first = down.serialiser.run(pullRequest(), work);
    await expect(first).rejects.toThrow(LockUnavailableError);
    await expect(first).rejects.toThrow(/Redis did not answer/);
    await expect(down.serialiser.run(pullRequest(), work)).rejects.toThrow(LockUnavailableError);
    expect(ran).toBe(false);
    const errors = down.lines.filter((l) => l.startsWith("error"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable/);
    expect(down.lines.join("\n")).not.toContain("s3cret-redis-password");
  });

  it("keeps the result of work done when Redis went away mid-run, and fails the next event", async () => {
    const own = await startRedisServer();
    try {
      const a = await replica({}, own.url);
      const pr = pullRequest();
      const result = await a.serialiser.run(pr, async () => {
        await own.stop();
        return "reconciled";
      });
      expect(result).toBe("reconciled");
      expect(a.lines.some((l) => l.startsWith("warn") && l.includes("could not release"))).toBe(
        true,
      );
      await expect(a.serialiser.run(pr, async () => "again")).rejects.toThrow(LockUnavailableError);
    } finally {
      await own.stop();
    }
  });

  it("refuses a REDIS_URL that is not a Redis URL at start-up", async () => {
    const log: Log = { info: () => {}, warn: () => {}, error: () => {} };
    await expect(connectRedis("http://127.0.0.1:6379", log)).rejects.toThrow(
      /REDIS_URL must start with redis:\/\//,
    );
    await expect(connectRedis("not a url", log)).rejects.toThrow(/REDIS_URL is not a URL/);
  });
});
