/**
 * The whole product on loopback: the simulated GitHub and the real App server (Probot's `run`,
 * pointed at the simulator through GHE_HOST / GHE_PROTOCOL), with signed webhook deliveries.
 * Used by the end-to-end scenarios, the demo and the request benchmark.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { ProbotOctokit } from "probot";
import { generateKeyPair } from "../src/core/attestation/index.js";
import type { ReconcileResult } from "../src/github/flow/contract.js";
import { type AppServer, startServer } from "../src/server/server.js";
import {
  type DeliverOptions,
  deliver,
  type GitHubSim,
  type SimRepo,
  startGitHubSimulator,
  type WebhookPayload,
} from "./index.js";
import { freePort } from "./ports.js";

export const FIXTURE_REPO = fileURLToPath(new URL("./repo/", import.meta.url));

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
  /** The App server, for waiting until its queued work has settled (`server.queue.idle()`). */
  server: AppServer;
  stop(): Promise<void>;
}

export interface StackOptions {
  now?: () => Date;
  env?: Record<string, string>;
  /** Octokit's request throttling in the App (off by default: see `ReplicaOptions`). */
  throttling?: boolean;
}

/** What every replica of one App shares: the App's key, webhook secret and signing key. */
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

/** One real App server (`npm start`'s) pointed at the simulated GitHub. */
export interface Replica {
  appUrl: string;
  /** Every log line this replica wrote. */
  logs: string[];
  reconciled: ReconcileResult[];
  /**
   * Delivers a webhook and resolves to the App's answer once the work it queued has settled,
   * so a scenario reads GitHub's state after the event, as a person would a moment later.
   * `deliver` (from sim/) answers as soon as the App does.
   */
  send(event: string, payload: WebhookPayload, options?: DeliverOptions): Promise<number>;
  server: AppServer;
  stop(): Promise<void>;
}

export interface ReplicaOptions {
  now?: () => Date;
  /** Extra environment, e.g. REDIS_URL. */
  env?: Record<string, string>;
  /**
   * Octokit's request throttling, which Probot backs with Redis when REDIS_URL is set. Off by
   * default: it spaces writes a second apart, which only slows the tests that are not about it.
   */
  throttling?: boolean;
  /** The Redis lock's lease and wait (ms), for runs about the lock. */
  lock?: { ttlMs?: number; waitMs?: number; watchMs?: number };
  /** Told when each delivery's reconcile ended. */
  onReconciled?: (result: ReconcileResult, event: string, deliveryId: string) => void;
}

/** Where a replica finds the simulated GitHub: its host and the App's id there. */
export type SimAddress = Pick<GitHubSim, "host"> & { state: { app: { id: number } } };

/**
 * Starts one App server for `identity`. Several replicas of one identity behave as one App
 * behind a load balancer, each with its own process state.
 */
export async function startReplica(
  sim: SimAddress,
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
  // Retries as in production, but with millisecond back-off so the 502 scenarios stay fast.
  const Octokit = ProbotOctokit.defaults((defaults: Record<string, unknown>) => ({
    ...defaults,
    retry: { retryAfterBaseValue: 1 },
    ...(options.throttling
      ? {}
      : { throttle: { ...(defaults.throttle as object | undefined), enabled: false } }),
  }));
  const server = await startServer({
    env,
    cwd: mkdtempSync(join(tmpdir(), "aigate-e2e-")),
    Octokit,
    log,
    app: {
      ...(options.now ? { now: options.now } : {}),
      onReconciled: (result, event, deliveryId) => {
        reconciled.push(result);
        options.onReconciled?.(result, event, deliveryId);
      },
    },
    ...(options.lock ? { lock: options.lock } : {}),
  });
  return {
    appUrl: server.url,
    logs,
    reconciled,
    server,
    async send(event, payload, deliverOptions) {
      const status = await deliver(server.url, identity.secret, event, payload, deliverOptions);
      await server.queue.idle();
      return status;
    },
    stop: async () => {
      await server.shutdown(0);
    },
  };
}

/** Starts the simulated GitHub and one App server; `stop()` ends both. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sim = await startGitHubSimulator(options.now ? { now: options.now } : {});
  const identity = appIdentity();
  const replica = await startReplica(sim, identity, options);
  return {
    ...replica,
    sim,
    secret: identity.secret,
    secrets: [identity.privateKey, identity.signingKeyPem, identity.secret],
    signingKeyPem: identity.signingKeyPem,
    async stop() {
      await replica.stop();
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
  installationId?: number,
): SimRepo {
  const state = sim.state;
  for (const login of ["dave", "alice", "erin", "frank", "mallory", "carol"]) {
    if (!state.findUser(login)) state.addUser({ login });
  }
  state.addTeam("acme/model-risk", ["erin", "carol"]);
  state.addTeam("acme/ai-governance", ["frank"]);
  const repo = state.createRepo({
    owner: "acme",
    name,
    ...(installationId !== undefined ? { installationId } : {}),
  });
  // The approver teams can be requested for reviews, and the listed user is a collaborator.
  repo.grantTeam("model-risk");
  repo.grantTeam("ai-governance");
  repo.addCollaborator("alice");
  repo.commit("main", { files, author: "carol", message: "Initial governed repository" });
  return repo;
}
