/**
 * The bundled Action behind a proxy, as on a self-hosted runner, and without one: a proxied run
 * sends its API requests through the proxy (undici's ProxyAgent tunnels with CONNECT); a run
 * with no proxy for the API never loads undici, shown by running a copy of action/dist without
 * action/dist/undici.cjs (docs/action.md#behind-a-proxy).
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullRequestEvent } from "../../sim/index.js";
import { governedRepo } from "../../sim/stack.js";
import { generateKeyPair } from "../../src/core/attestation/index.js";
import { ASSESSMENT, draft, modelChange, OVERSIGHT } from "../e2e/driver.js";
import { BUNDLE, runBundle, useRunner } from "./runner.js";

const key = generateKeyPair();
const runner = useRunner("aigate-action-proxy-");

/** A name only the proxy resolves: a run that reaches the API with it went through the proxy. */
const PROXIED_HOST = "api.github.test";

interface Proxy {
  url: string;
  /** The `host:port` of every CONNECT, in order. */
  connects: string[];
  /** Requests sent to the proxy without a tunnel (answered 502). */
  plain: string[];
  stop(): Promise<void>;
}

/** A loopback HTTP proxy that tunnels every CONNECT to `port` on 127.0.0.1, whatever host is asked for. */
async function startProxy(port: number): Promise<Proxy> {
  const connects: string[] = [];
  const plain: string[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  };
  const server: Server = createServer((req, res) => {
    plain.push(`${req.method} ${req.url}`);
    res.writeHead(502).end();
  });
  server.on("connect", (req, client: Socket, head: Buffer) => {
    connects.push(req.url ?? "");
    track(client);
    const upstream = connect(port, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connects,
    plain,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

let proxy: Proxy;
/** action/dist copied without undici.cjs. */
let withoutUndici: string;
let copy: string;
beforeAll(async () => {
  proxy = await startProxy(Number(new URL(runner.sim.apiUrl).port));
  copy = mkdtempSync(join(tmpdir(), "aigate-action-dist-"));
  cpSync(dirname(BUNDLE), copy, { recursive: true });
  rmSync(join(copy, "undici.cjs"));
  withoutUndici = join(copy, "index.js");
});
afterAll(async () => {
  await proxy?.stop();
  if (copy) rmSync(copy, { recursive: true, force: true });
});

/** Opens a pull request that changes a model and runs the Action for it. */
async function openedRun(env: Record<string, string>, bundle?: string) {
  const repo = governedRepo(runner.sim);
  const pr = draft(repo, modelChange());
  const run = await runBundle(runner, {
    name: "pull_request_target",
    payload: pullRequestEvent("opened", repo, pr),
    repository: repo.fullName,
    inputs: { "signing-key": key.privateKeyPem, "fail-on": "errors" },
    env,
    ...(bundle ? { bundle } : {}),
  });
  return { run, checks: runner.sim.state.checkRuns(repo, pr.headSha).latest };
}

/** The environment of a runner behind the proxy, with the API at a name only the proxy resolves. */
function proxiedEnv(): Record<string, string> {
  const api = new URL(runner.sim.apiUrl);
  api.hostname = PROXIED_HOST;
  const apiUrl = api.href.replace(/\/$/, "");
  return {
    HTTPS_PROXY: proxy.url,
    HTTP_PROXY: proxy.url,
    GITHUB_API_URL: apiUrl,
    GITHUB_GRAPHQL_URL: `${apiUrl}/graphql`,
  };
}

describe("the bundled Action and a proxy", () => {
  it("behind a proxy, sends its API requests through it and completes the run", async () => {
    const before = proxy.connects.length;
    const { run, checks } = await openedRun(proxiedEnv());
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(checks[ASSESSMENT]?.conclusion).toBe("success");
    expect(checks[OVERSIGHT]?.conclusion).toBe("action_required");
    expect(run.requests.length).toBeGreaterThan(0);
    const tunnels = proxy.connects.slice(before);
    expect(tunnels.length).toBeGreaterThan(0);
    const port = new URL(runner.sim.apiUrl).port;
    expect(new Set(tunnels)).toEqual(new Set([`${PROXIED_HOST}:${port}`]));
    expect(proxy.plain).toEqual([]);
  });

  it("behind a proxy, needs undici: the copy without undici.cjs fails, saying so", async () => {
    const { run, checks } = await openedRun(proxiedEnv(), withoutUndici);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("undici.cjs");
    expect(run.requests).toEqual([]);
    expect(checks[ASSESSMENT]).toBeUndefined();
  });

  it("with no proxy, runs without undici.cjs: undici is never loaded", async () => {
    const { run, checks } = await openedRun({}, withoutUndici);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(checks[ASSESSMENT]?.conclusion).toBe("success");
    expect(checks[OVERSIGHT]?.conclusion).toBe("action_required");
  });

  it("with a proxy set but a loopback API, which is never proxied, runs without undici.cjs and no tunnel", async () => {
    const before = proxy.connects.length;
    const { run, checks } = await openedRun(
      { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url },
      withoutUndici,
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(checks[ASSESSMENT]?.conclusion).toBe("success");
    expect(proxy.connects.slice(before)).toEqual([]);
  });
});
