/**
 * The bundle's stand-in for undici (action/undici-lazy.ts): nothing is loaded until the first
 * `fetch` or `new ProxyAgent`, then the real undici (action/dist/undici.cjs, as bundled) once,
 * and `new ProxyAgent` gives undici's own instance.
 */
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lazyUndici, type UndiciExports } from "../../action/undici-lazy.js";
import { ROOT } from "../support/git-repo.js";

/** The real undici as the bundle ships it. */
const bundled = createRequire(import.meta.url)(
  join(ROOT, "action", "dist", "undici.cjs"),
) as UndiciExports & { Dispatcher: abstract new () => object };

function counted() {
  const calls = { loads: 0 };
  const shim = lazyUndici(() => {
    calls.loads++;
    return bundled;
  });
  return { calls, shim };
}

describe("the lazy undici", () => {
  it("loads nothing until first used", () => {
    const { calls } = counted();
    expect(calls.loads).toBe(0);
  });

  it("gives undici's own ProxyAgent from new, loading undici once", async () => {
    const { calls, shim } = counted();
    const first = new shim.ProxyAgent({ uri: "http://127.0.0.1:9" });
    const second = new shim.ProxyAgent({ uri: "http://127.0.0.1:9" });
    expect(first).toBeInstanceOf(bundled.ProxyAgent);
    expect(first).toBeInstanceOf(bundled.Dispatcher);
    expect(second).not.toBe(first);
    expect(calls.loads).toBe(1);
    await (first as { close(): Promise<void> }).close();
    await (second as { close(): Promise<void> }).close();
  });

  it("fetches through undici's fetch", async () => {
    const server = createServer((req, res) => res.end(`${req.method} ${req.url}`));
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    try {
      const { calls, shim } = counted();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
      const response = (await shim.fetch(url, { method: "POST" })) as Response;
      expect(await response.text()).toBe("POST /x");
      expect(calls.loads).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    }
  });

  it("says which file is missing when undici cannot be loaded, at first use", () => {
    const shim = lazyUndici(() => createRequire(import.meta.url)("./no-such-undici.cjs"));
    expect(() => new shim.ProxyAgent({ uri: "http://127.0.0.1:9" })).toThrow(/no-such-undici\.cjs/);
  });
});
