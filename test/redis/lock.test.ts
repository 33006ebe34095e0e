/**
 * The per-pull-request lock across replicas, against a real Redis: each "replica" is its own
 * serialiser on its own connection, as two App processes would be. An event that finds the lock
 * held is queued for its holder, which runs it after its own work.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Log } from "../../src/github/client.js";
import {
  pendingKey,
  type RedisLockOptions,
  redisSerialiser,
} from "../../src/github/replicas/coalesce.js";
import { lockKey } from "../../src/github/replicas/lease.js";
import { LockLostError } from "../../src/github/replicas/lock.js";
import { connectRedis } from "../../src/github/replicas/redis-client.js";
import { LockUnavailableError, type Serialiser } from "../../src/github/replicas/serialise.js";
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
      if (m.includes("is queued for it")) noticeWaiting();
    },
  };
  const connection = await connectRedis(url, log);
  const serialiser = redisSerialiser(connection, { log, watchMs: 20, ...options });
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

/** Records every run of the work: `replica:event`. */
function recorder(name: string, runs: string[], gate?: Promise<void>) {
  return async (event: string) => {
    runs.push(`${name}:${event}:start`);
    if (gate) await gate;
    runs.push(`${name}:${event}`);
  };
}

describe.skipIf(redisServer.skip)("the per-pull-request Redis lock", () => {
  it("queues a second replica's event for the holder, which runs it after its own", async () => {
    const [a, b] = [await replica(), await replica()];
    const pr = pullRequest();
    const runs: string[] = [];
    const aStarted = deferred();
    const aGate = deferred();
    const first = a.serialiser.run(pr, "review", async (event) => {
      if (runs.length === 0) {
        aStarted.resolve();
        await aGate.promise;
      }
      runs.push(`a:${event}`);
    });
    await aStarted.promise;
    const second = b.serialiser.run(pr, "comment", recorder("b", runs));
    await b.waiting;
    runs.push("b:queued");
    aGate.resolve();
    expect(await Promise.all([first, second])).toEqual(["ran", "queued"]);
    // b wrote nothing: a ran b's event, as b queued it, after its own.
    expect(runs).toEqual(["b:queued", "a:review", "a:comment"]);
    expect(await observer.exists(lockKey(pr), pendingKey(pr))).toBe(0);
  });

  it("coalesces equal events queued behind one holder into one rerun", async () => {
    const [a, b] = [await replica(), await replica()];
    const pr = pullRequest();
    const runs: string[] = [];
    const gate = deferred();
    const started = deferred();
    const first = a.serialiser.run(pr, "own", async (event) => {
      runs.push(event);
      if (event === "own") {
        started.resolve();
        await gate.promise;
      }
    });
    await started.promise;
    const queued = [
      b.serialiser.run(pr, "recheck", async () => {}),
      b.serialiser.run(pr, "recheck", async () => {}),
      a.serialiser.run(pr, "recheck", async () => {}),
      b.serialiser.run(pr, "deleted 7", async () => {}),
    ];
    await b.waiting;
    await until(async () => (await observer.llen(pendingKey(pr))) === 2);
    gate.resolve();
    expect(await Promise.all([first, ...queued])).toEqual([
      "ran",
      "queued",
      "queued",
      "queued",
      "queued",
    ]);
    expect(runs).toEqual(["own", "recheck", "deleted 7"]);
  });

  it("never lets an event queued behind a holder outlasting the wait write after it", async () => {
    // What an App event does: its work writes checks; a failure to lock writes red ones.
    const holder = await replica();
    const impatient = await replica({ waitMs: 300 });
    const pr = pullRequest();
    const writes: string[] = [];
    const event = (name: string, serialiser: Serialiser, slow = false) =>
      serialiser
        .run(pr, name, async (e) => {
          // The holder's writes wait their turn in the installation's pacing, for minutes.
          if (slow && e === "first") await new Promise((resolve) => setTimeout(resolve, 1_500));
          writes.push(`checks for ${e}`);
        })
        .catch((error: unknown) => {
          writes.push(`red: ${(error as Error).message}`);
        });
    const first = event("first", holder.serialiser, true);
    await until(async () => (await observer.exists(lockKey(pr))) === 1);
    const second = event("second", impatient.serialiser);
    await Promise.all([first, second]);
    // Five times the waiter's wait, and no red check: the holder ran the queued event last.
    expect(writes).toEqual(["checks for first", "checks for second"]);
    expect(impatient.lines.filter((l) => l.startsWith("error"))).toEqual([]);
  });

  it("loses no mark made while the holder releases the lock (race, many times over)", async () => {
    const [a, b] = [await replica(), await replica()];
    const iterations = 300;
    for (let i = 0; i < iterations; i++) {
      const pr = pullRequest();
      const runs: string[] = [];
      let marking: Promise<unknown> = Promise.resolve();
      const holder = a.serialiser.run(pr, "own", async (event) => {
        runs.push(event);
        if (event !== "own") return;
        // The other replica's event arrives as this work ends: its mark races the release,
        // sometimes before, sometimes after, sometimes while the release's script runs.
        const late = () =>
          b.serialiser.run(pr, "late", async (e) => {
            runs.push(`b:${e}`);
          });
        marking = [
          async () => late(),
          () => new Promise<void>((resolve) => queueMicrotask(resolve)).then(late),
          () => new Promise((resolve) => setImmediate(resolve)).then(late),
          () => new Promise((resolve) => setTimeout(resolve, 0)).then(late),
          () => new Promise((resolve) => setTimeout(resolve, 1)).then(late),
        ][i % 5]?.() as Promise<unknown>;
      });
      await holder;
      const outcome = await marking;
      // The late event ran exactly once, whoever ran it, and left nothing behind.
      expect(runs.filter((r) => r.endsWith("late"))).toHaveLength(1);
      expect(outcome === "queued" ? runs.includes("late") : runs.includes("b:late")).toBe(true);
      expect(await observer.exists(lockKey(pr), pendingKey(pr))).toBe(0);
    }
    // No holder died, so no event had to be taken over: the release itself saw every mark.
    expect(b.lines.filter((l) => l.includes("takes them over"))).toEqual([]);
  }, 120_000);

  it("takes over an event queued behind a holder that died, once its lease runs out", async () => {
    const pr = pullRequest();
    const dead = await replica({ ttlMs: 300 });
    const started = deferred();
    // The work never ends and the process is gone: nothing will ever release this lock.
    void dead.serialiser.run(pr, "own", async () => {
      started.resolve();
      await new Promise(() => {});
    });
    await started.promise;
    dead.connection.disconnect();
    expect(await observer.exists(lockKey(pr))).toBe(1);

    const survivor = await replica({ waitMs: 10_000 });
    const runs: string[] = [];
    const ran = survivor.serialiser.run(pr, "queued", recorder("survivor", runs));
    await survivor.waiting;
    expect(await observer.lrange(pendingKey(pr), 0, -1)).toEqual(["queued"]);
    await expect(ran).resolves.toBe("ran");
    expect(runs).toContain("survivor:queued");
    expect(survivor.lines.some((l) => l.includes("takes them over"))).toBe(true);
    expect(await observer.exists(lockKey(pr), pendingKey(pr))).toBe(0);
  });

  it("runs again an event whose mark Redis lost (a restart) rather than count it done", async () => {
    const own = await startRedisServer();
    try {
      const [a, b] = [await replica({}, own.url), await replica({}, own.url)];
      const pr = pullRequest();
      const runs: string[] = [];
      const gate = deferred();
      const holding = deferred();
      const first = a.serialiser.run(pr, "own", async (event) => {
        holding.resolve();
        if (event === "own") await gate.promise;
        runs.push(`a:${event}`);
      });
      await holding.promise;
      const second = b.serialiser.run(pr, "queued", recorder("b", runs));
      await b.waiting;
      // Redis restarts empty: the lock, the mark and the counter are gone.
      const port = Number(new URL(own.url).port);
      await own.stop();
      const again = await startRedisServer(port);
      try {
        gate.resolve();
        expect(await Promise.all([first, second])).toEqual(["ran", "ran"]);
        expect(runs).toEqual(["a:own", "b:queued:start", "b:queued"]);
      } finally {
        await again.stop();
      }
    } finally {
      await own.stop();
    }
  });

  it("never takes a drain after Redis restarted empty for the taking of a mark it lost", async () => {
    const own = await startRedisServer();
    const port = Number(new URL(own.url).port);
    let again: Awaited<ReturnType<typeof startRedisServer>> | undefined;
    try {
      const a = await replica({}, own.url);
      // b looks at its mark seldom, so that all of the below happens between two looks.
      const b = await replica({ watchMs: 4_000 }, own.url);
      const [c, d] = [await replica({}, own.url), await replica({}, own.url)];
      const pr = pullRequest();
      const runs: string[] = [];
      const aGate = deferred();
      const aHolding = deferred();
      const first = a.serialiser.run(pr, "a", async (event) => {
        aHolding.resolve();
        if (event === "a" && runs.length === 0) await aGate.promise;
        runs.push(`a ran ${event}`);
      });
      await aHolding.promise;
      const queued = b.serialiser.run(pr, "b", recorder("b", runs));
      await b.waiting;
      // Redis restarts empty; another holder takes and drains a pending event at once.
      await own.stop();
      again = await startRedisServer(port);
      const cGate = deferred();
      const cHolding = deferred();
      const third = c.serialiser.run(pr, "c", async (event) => {
        cHolding.resolve();
        if (event === "c") await cGate.promise;
        runs.push(`c ran ${event}`);
      });
      await cHolding.promise;
      const fourth = d.serialiser.run(pr, "d", async () => {});
      await d.waiting;
      cGate.resolve();
      await Promise.all([third, fourth]);
      expect(runs).toEqual(["c ran c", "c ran d"]);
      // b's mark went with the restart: b must run, not count the drain of "d" as its own.
      expect(await queued).toBe("ran");
      expect(runs).toContain("b:b");
      aGate.resolve();
      await first;
    } finally {
      await again?.stop();
      await own.stop();
    }
  }, 30_000);

  it("lets replicas work on different pull requests at the same time", async () => {
    const [a, b] = [await replica(), await replica()];
    const order: string[] = [];
    const aStarted = deferred();
    const aGate = deferred();
    const first = a.serialiser.run(pullRequest(), "e", async () => {
      order.push("a:start");
      aStarted.resolve();
      await aGate.promise;
      order.push("a:end");
    });
    await aStarted.promise;
    await b.serialiser.run(pullRequest(), "e", async () => {
      order.push("b");
    });
    aGate.resolve();
    await first;
    expect(order).toEqual(["a:start", "b", "a:end"]);
    expect(b.lines.filter((l) => l.includes("queued"))).toEqual([]);
  });

  it("gives back the locks of work still running when it is closed (shutdown)", async () => {
    const pr = pullRequest();
    const stopping = await replica();
    const started = deferred();
    void stopping.serialiser.run(pr, "e", async () => {
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
    const next = await replica();
    const order: string[] = [];
    const slowStarted = deferred();
    const first = slow.serialiser.run(pr, "slow", async (event, lock) => {
      if (event !== "slow") {
        order.push(`slow ran ${event}`);
        return;
      }
      slowStarted.resolve();
      // Four leases long: without renewal the lock would have expired three times over.
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      await lock.assertHeld();
      order.push("slow:end");
    });
    await slowStarted.promise;
    const second = next.serialiser.run(pr, "next", async () => {
      order.push("next ran itself");
    });
    await next.waiting;
    expect(await Promise.all([first, second])).toEqual(["ran", "queued"]);
    expect(order).toEqual(["slow:end", "slow ran next"]);
    expect(await observer.exists(lockKey(pr))).toBe(0);
  });

  it("tells work whose lease ran out that it lost the lock, never deletes the next holder's, and queues its event again", async () => {
    const pr = pullRequest();
    const slow = await replica({ ttlMs: 5_000 });
    const next = await replica();
    const order: string[] = [];
    const slowStarted = deferred();
    const slowGate = deferred();
    const slowEnded = deferred();
    const nextHolding = deferred();
    const nextGate = deferred();
    let lost: unknown;
    const first = slow.serialiser.run(pr, "slow event", async (_event, lock) => {
      slowStarted.resolve();
      await slowGate.promise;
      lost = await lock.assertHeld().catch((error: unknown) => error);
      order.push("slow:end");
      slowEnded.resolve();
    });
    await slowStarted.promise;
    // The lease runs out as if the slow replica had been cut off from Redis for a while.
    await observer.del(lockKey(pr));
    const second = next.serialiser.run(pr, "next event", async (event) => {
      order.push(`next ran ${event}`);
      if (event !== "next event") return;
      nextHolding.resolve();
      await nextGate.promise;
    });
    await nextHolding.promise;
    const held = await observer.get(lockKey(pr));
    slowGate.resolve();
    await slowEnded.promise;
    expect(lost).toBeInstanceOf(LockLostError);
    expect(String((lost as Error).message)).toMatch(/lock for .* was lost/);
    // The slow replica left the next holder's lock alone, and queued its event for it.
    await until(async () => (await observer.llen(pendingKey(pr))) === 1);
    expect(await observer.get(lockKey(pr))).toBe(held);
    expect(held).not.toBeNull();
    expect(slow.lines.some((l) => l.startsWith("warn") && l.includes("had expired"))).toBe(true);
    nextGate.resolve();
    expect(await Promise.all([first, second])).toEqual(["ran", "ran"]);
    expect(order).toEqual(["next ran next event", "slow:end", "next ran slow event"]);
    expect(await observer.exists(lockKey(pr))).toBe(0);
  });

  it("runs one replica's own events for a pull request in arrival order", async () => {
    const a = await replica();
    const pr = pullRequest();
    const order: string[] = [];
    const gate = deferred();
    const first = a.serialiser.run(pr, "first", async (event) => {
      if (event === "first") await gate.promise;
      order.push(event);
    });
    const second = a.serialiser.run(pr, "second", async () => {
      order.push("second ran itself");
    });
    await a.waiting;
    gate.resolve();
    expect(await Promise.all([first, second])).toEqual(["ran", "queued"]);
    expect(order).toEqual(["first", "second"]);
  });
});

describe.skipIf(redisServer.skip)("the lock when Redis is unreachable", () => {
  it("fails closed once Redis has not answered for the wait, says why, and logs the outage once without the password", async () => {
    const url = new URL(await unreachableRedisUrl());
    url.password = "s3cret-redis-password";
    const down = await replica({ waitMs: 300 }, url.href);
    let ran = false;
    const work = async () => {
      ran = true;
    };
    const first = down.serialiser.run(pullRequest(), "e", work);
    await expect(first).rejects.toThrow(LockUnavailableError);
    await expect(first).rejects.toThrow(/Redis did not answer/);
    await expect(down.serialiser.run(pullRequest(), "e", work)).rejects.toThrow(
      LockUnavailableError,
    );
    expect(ran).toBe(false);
    const errors = down.lines.filter((l) => l.startsWith("error"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable/);
    expect(down.lines.join("\n")).not.toContain("s3cret-redis-password");
  });

  it("fails a queued event closed when Redis stops answering for the whole wait", async () => {
    const own = await startRedisServer();
    try {
      const a = await replica({}, own.url);
      const b = await replica({ waitMs: 400 }, own.url);
      const pr = pullRequest();
      const holding = deferred();
      void a.serialiser.run(pr, "own", async () => {
        holding.resolve();
        await new Promise(() => {});
      });
      await holding.promise;
      let ran = false;
      const queued = b.serialiser.run(pr, "queued", async () => {
        ran = true;
      });
      await b.waiting;
      await own.stop();
      await expect(queued).rejects.toThrow(LockUnavailableError);
      await expect(queued).rejects.toThrow(
        /Redis did not answer for 0.4 s while the event was queued/,
      );
      expect(ran).toBe(false);
    } finally {
      await own.stop();
    }
  });

  it("keeps the result of work done when Redis went away mid-run, and fails the next event", async () => {
    const own = await startRedisServer();
    try {
      const a = await replica({ waitMs: 300 }, own.url);
      const pr = pullRequest();
      let result = "";
      const outcome = await a.serialiser.run(pr, "e", async () => {
        await own.stop();
        result = "reconciled";
      });
      expect(outcome).toBe("ran");
      expect(result).toBe("reconciled");
      expect(a.lines.some((l) => l.startsWith("warn") && l.includes("could not release"))).toBe(
        true,
      );
      await expect(a.serialiser.run(pr, "e", async () => {})).rejects.toThrow(LockUnavailableError);
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

/** Resolves once `condition` holds; the test's own timeout bounds the wait. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}
