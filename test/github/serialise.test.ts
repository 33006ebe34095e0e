import { describe, expect, it } from "vitest";
import { inProcessSerialiser } from "../../src/github/serialise.js";

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
});
