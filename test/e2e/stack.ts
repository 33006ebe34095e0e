/**
 * The whole product on loopback: the simulated GitHub and the real App server (Probot's `run`,
 * pointed at the simulator through GHE_HOST / GHE_PROTOCOL), with signed webhook deliveries.
 * Used by the end-to-end scenarios, the demo and the request benchmark.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { ProbotOctokit, run, type Server } from "probot";
import { createApp } from "../../src/app.js";
import { generateKeyPair } from "../../src/core/attestation/index.js";
import type { ReconcileResult } from "../../src/github/reconcile.js";
import {
  type DeliverOptions,
  deliver,
  type GitHubSim,
  type SimRepo,
  startGitHubSimulator,
  type WebhookPayload,
} from "../sim/index.js";

export const FIXTURE_REPO = fileURLToPath(new URL("../fixtures/github/repo/", import.meta.url));

/** Every file of a fixture tree, path → content. */
export function readTree(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(root, path).split("\\").join("/")] = readFileSync(path, "utf8");
    }
  };
  walk(root);
  return files;
}

export interface Stack {
  sim: GitHubSim;
  appUrl: string;
  secret: string;
  /** The App's RSA key, the attestation signing key and the installation tokens: must never leak. */
  secrets: string[];
  signingKeyPem: string;
  /** Every log line the App wrote. */
  logs: string[];
  reconciled: ReconcileResult[];
  send(event: string, payload: WebhookPayload, options?: DeliverOptions): Promise<number>;
  stop(): Promise<void>;
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

export interface StackOptions {
  now?: () => Date;
  env?: Record<string, string>;
}

/** Starts the simulated GitHub and the App; `stop()` ends both. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sim = await startGitHubSimulator(options.now ? { now: options.now } : {});
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const signing = generateKeyPair();
  const secret = `whsec-${Math.random().toString(36).slice(2)}`;
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: "test",
    APP_ID: String(sim.state.app.id),
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: secret,
    GHE_HOST: sim.host,
    GHE_PROTOCOL: "http",
    HOST: "127.0.0.1",
    PORT: String(port),
    AIGATE_SIGNING_KEY: signing.privateKeyPem,
    ...options.env,
  };
  const logs: string[] = [];
  const log = pino({ level: "debug" }, { write: (line: string) => void logs.push(line) });
  const reconciled: ReconcileResult[] = [];
  const app = createApp({
    env,
    cwd: mkdtempSync(join(tmpdir(), "aigate-e2e-")),
    ...(options.now ? { now: options.now } : {}),
    onReconciled: (result) => reconciled.push(result),
  });
  // Retries as in production, but with millisecond back-off so the 502 scenario stays fast;
  // no write throttling (one write a second), which Probot would otherwise merge back in.
  const Octokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
    ...options,
    retry: { retryAfterBaseValue: 1 },
    throttle: { ...(options.throttle as object | undefined), enabled: false },
  }));
  const server: Server = await run(app, { env, Octokit, log });
  const appUrl = `http://127.0.0.1:${port}`;
  return {
    sim,
    appUrl,
    secret,
    secrets: [privateKey, signing.privateKeyPem, secret],
    signingKeyPem: signing.privateKeyPem,
    logs,
    reconciled,
    send: (event, payload, deliverOptions) =>
      deliver(appUrl, secret, event, payload, deliverOptions),
    async stop() {
      await server.stop();
      await sim.stop();
    },
  };
}

let repoCounter = 0;

/**
 * A repository with the fixture tree on `main`, owned by the organisation `acme`, with the
 * people the scenarios need: dave (author), alice (listed approver), erin (model-risk team),
 * frank (governance owner), mallory (nobody).
 */
export function governedRepo(
  sim: GitHubSim,
  files: Record<string, string> = readTree(FIXTURE_REPO),
  name = `models-${++repoCounter}`,
): SimRepo {
  const state = sim.state;
  for (const login of ["dave", "alice", "erin", "frank", "mallory", "carol"]) {
    if (!state.findUser(login)) state.addUser({ login });
  }
  state.addTeam("acme/model-risk", ["erin", "carol"]);
  state.addTeam("acme/ai-governance", ["frank"]);
  const repo = state.createRepo({ owner: "acme", name });
  repo.commit("main", { files, author: "carol", message: "Initial governed repository" });
  return repo;
}
