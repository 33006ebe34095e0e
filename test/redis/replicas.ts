/**
 * Several App servers behind one imaginary load balancer: each is the real Probot server
 * (`run`) with its own process state, all pointed at one simulated GitHub and configured as
 * the same GitHub App (same App key, webhook secret and attestation signing key).
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { ProbotOctokit, run, type Server } from "probot";
import { createApp } from "../../src/app.js";
import { generateKeyPair } from "../../src/core/attestation/index.js";
import type { ReconcileResult } from "../../src/github/reconcile.js";
import { deliver, type GitHubSim, type WebhookPayload } from "../sim/index.js";

/** What every replica of one App shares. */
export interface AppIdentity {
  privateKey: string;
  secret: string;
  signingKeyPem: string;
}

export function appIdentity(): AppIdentity {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return {
    privateKey,
    secret: `whsec-${Math.random().toString(36).slice(2)}`,
    signingKeyPem: generateKeyPair().privateKeyPem,
  };
}

export interface Replica {
  appUrl: string;
  /** Every log line this replica wrote. */
  logs: string[];
  reconciled: ReconcileResult[];
  send(event: string, payload: WebhookPayload): Promise<number>;
  stop(): Promise<void>;
}

export interface ReplicaOptions {
  /** Extra environment, e.g. REDIS_URL. */
  env?: Record<string, string>;
  /**
   * Octokit's request throttling, which Probot backs with Redis when REDIS_URL is set. Off by
   * default: it spaces writes a second apart, which only slows the tests that are not about it.
   */
  throttling?: boolean;
}

export async function startReplica(
  sim: GitHubSim,
  identity: AppIdentity,
  options: ReplicaOptions = {},
): Promise<Replica> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: "test",
    APP_ID: String(sim.state.app.id),
    PRIVATE_KEY: identity.privateKey,
    WEBHOOK_SECRET: identity.secret,
    GHE_HOST: sim.host,
    GHE_PROTOCOL: "http",
    HOST: "127.0.0.1",
    PORT: String(port),
    AIGATE_SIGNING_KEY: identity.signingKeyPem,
    ...options.env,
  };
  const logs: string[] = [];
  const log = pino({ level: "debug" }, { write: (line: string) => void logs.push(line) });
  const reconciled: ReconcileResult[] = [];
  const app = createApp({
    env,
    cwd: mkdtempSync(join(tmpdir(), "aigate-replica-")),
    onReconciled: (result) => reconciled.push(result),
  });
  const Octokit = ProbotOctokit.defaults((defaults: Record<string, unknown>) => ({
    ...defaults,
    retry: { retryAfterBaseValue: 1 },
    ...(options.throttling
      ? {}
      : { throttle: { ...(defaults.throttle as object | undefined), enabled: false } }),
  }));
  const server: Server = await run(app, { env, Octokit, log });
  const appUrl = `http://127.0.0.1:${port}`;
  return {
    appUrl,
    logs,
    reconciled,
    send: (event, payload) => deliver(appUrl, identity.secret, event, payload),
    stop: () => server.stop(),
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
