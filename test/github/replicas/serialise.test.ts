import { describe, expect, it } from "vitest";
import { inProcessSerialiser } from "../../../src/github/replicas/serialise.js";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

// The Redis lock across replicas is specified against a real Redis in test/redis/lock.test.ts.
describe("per-pull-request serialisation in one process", () => {
  it("runs work for the same pull request one at a time, in arrival order", async () => {
    const serialiser = inProcessSerialiser();
    const order: string[] = [];
    const gate = deferred();
    const first = serialiser.run("acme/models#1", "first", async () => {
      order.push("first:start");
      await gate.promise;
      order.push("first:end");
    });
    const second = serialiser.run("acme/models#1", "second", async () => {
      order.push("second");
    });
    await Promise.resolve();
    expect(order).toEqual(["first:start"]);
    gate.resolve();
    expect(await Promise.all([first, second])).toEqual(["ran", "ran"]);
    expect(order).toEqual(["first:start", "first:end", "second"]);
  });

  it("lets different pull requests proceed side by side", async () => {
    const serialiser = inProcessSerialiser();
    const gate = deferred();
    const blocked = serialiser.run("acme/models#1", "e", () => gate.promise);
    await expect(serialiser.run("acme/models#2", "e", async () => {})).resolves.toBe("ran");
    gate.resolve();
    await blocked;
  });

  it("keeps going after a failed run", async () => {
    const serialiser = inProcessSerialiser();
    const failed = serialiser.run("k", "e", async () => {
      throw new Error("boom");
    });
    await expect(failed).rejects.toThrow("boom");
    await expect(serialiser.run("k", "e", async () => {})).resolves.toBe("ran");
  });

  it("runs an event once for all equal events waiting behind the same work", async () => {
    const serialiser = inProcessSerialiser();
    const ran: string[] = [];
    const gate = deferred();
    const work = async (event: string) => {
      ran.push(event);
      if (event === "first") await gate.promise;
    };
    const first = serialiser.run("k", "first", work);
    const waiting = [
      serialiser.run("k", "again", work),
      serialiser.run("k", "again", work),
      serialiser.run("k", "other", work),
      serialiser.run("k", "again", work),
    ];
    gate.resolve();
    expect(await Promise.all([first, ...waiting])).toEqual([
      "ran",
      "ran",
      "queued",
      "ran",
      "queued",
    ]);
    expect(ran).toEqual(["first", "again", "other"]);
  });
});
