import { describe, expect, it } from "vitest";
import {
  inProcessSerialiser,
  type RedisLike,
  redisSerialiser,
} from "../../src/github/serialise.js";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** An in-memory stand-in for the two Redis commands the lock uses. */
function fakeRedis(): RedisLike & { store: Map<string, string> } {
  const store = new Map<string, string>();
  return {
    store,
    async set(key, value) {
      if (store.has(key)) return null;
      store.set(key, value);
      return "OK";
    },
    async eval(_script, _keys, key, token) {
      if (key !== undefined && store.get(key) === token) store.delete(key);
      return 1;
    },
  };
}

describe("per-pull-request serialisation", () => {
  it("runs work for the same pull request one at a time, in arrival order", async () => {
    const serialiser = inProcessSerialiser();
    const order: string[] = [];
    const gate = deferred();
    const first = serialiser.run("acme/models#1", async () => {
      order.push("first:start");
      await gate.promise;
      order.push("first:end");
    });
    const second = serialiser.run("acme/models#1", async () => {
      order.push("second");
    });
    await Promise.resolve();
    expect(order).toEqual(["first:start"]);
    gate.resolve();
    await Promise.all([first, second]);
    expect(order).toEqual(["first:start", "first:end", "second"]);
  });

  it("lets different pull requests proceed side by side", async () => {
    const serialiser = inProcessSerialiser();
    const gate = deferred();
    const blocked = serialiser.run("acme/models#1", () => gate.promise);
    await expect(serialiser.run("acme/models#2", async () => "done")).resolves.toBe("done");
    gate.resolve();
    await blocked;
  });

  it("keeps going after a failed run", async () => {
    const serialiser = inProcessSerialiser();
    const failed = serialiser.run("k", async () => {
      throw new Error("boom");
    });
    await expect(failed).rejects.toThrow("boom");
    await expect(serialiser.run("k", async () => 2)).resolves.toBe(2);
  });

  it("with Redis, waits for a lock another replica holds and releases its own", async () => {
    const redis = fakeRedis();
    redis.store.set("aigate:lock:acme/models#1", "other-replica");
    let slept = 0;
    const serialiser = redisSerialiser(redis, {
      retryMs: 10,
      sleep: async () => {
        slept++;
        if (slept === 3) redis.store.delete("aigate:lock:acme/models#1");
      },
    });
    await expect(serialiser.run("acme/models#1", async () => "ran")).resolves.toBe("ran");
    expect(slept).toBe(3);
    expect(redis.store.size).toBe(0);
  });

  it("with Redis, gives up after the wait limit instead of running unlocked", async () => {
    const redis = fakeRedis();
    redis.store.set("aigate:lock:k", "other-replica");
    const serialiser = redisSerialiser(redis, { waitMs: 30, retryMs: 10, sleep: async () => {} });
    let ran = false;
    await expect(
      serialiser.run("k", async () => {
        ran = true;
      }),
    ).rejects.toThrow(/could not take the lock for k/);
    expect(ran).toBe(false);
    expect(redis.store.get("aigate:lock:k")).toBe("other-replica");
  });
});
