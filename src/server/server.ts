/**
 * The App's HTTP server (`npm start`, docs/deployment.md). Probot reads the settings, verifies
 * and dispatches webhooks and makes the GitHub clients; this module puts in front of it what
 * a production deployment needs: a body-size limit, fast acknowledgement through a bounded
 * queue, health and readiness, Prometheus metrics, conditional requests and a graceful
 * shutdown that drains in-flight work and gives back its locks.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createProbot, ProbotOctokit } from "probot";
import { type AppOptions, createApp } from "../app.js";
import { throttleOptions } from "../github/backoff.js";
import type { Log } from "../github/client.js";
import { HANDLED_EVENTS, routeDelivery } from "../github/events/router.js";
import { loadAppConfig, StartupError } from "../github/operator/config.js";
import type { GitHubCall, GitHubTelemetry } from "../github/operator/telemetry.js";
import {
  conditionalRequests,
  memoryResponseStore,
  type ResponseStore,
  sharedResponseStore,
} from "../github/reads/http-cache.js";
import {
  LOCK_WAIT_MS,
  type RedisLockOptions,
  redisSerialiser,
} from "../github/replicas/coalesce.js";
import { type PacedClientOptions, pacedWrites } from "../github/replicas/paced-writes.js";
import { connectRedis } from "../github/replicas/redis-client.js";
import { inProcessSerialiser, type Serialiser } from "../github/replicas/serialise.js";
import { throttleStore } from "../github/replicas/throttle-store.js";
import {
  localWriteBudget,
  sharedWriteBudget,
  type WriteBudget,
} from "../github/replicas/write-budget.js";
import { GitHubAuthWatch, healthHandler } from "./health.js";
import { type AppMetrics, createMetrics } from "./metrics.js";
import { readServerSettings, type ServerSettings } from "./settings.js";
import { createWorkQueue, type WorkQueue } from "./work-queue.js";

export const METRICS_PATH = "/aigate/metrics";
/** GitHub caps webhook payloads at 25 MB; anything larger is not GitHub. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;
const DEFAULT_WEBHOOK_PATH = "/api/github/webhooks";

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * Longest wait for one rate limit in the App: the webhook was answered already, and the lock's
 * lease is renewed while the work waits, so a secondary limit's usual minute is waited out.
 */
const APP_MAX_WAIT_SECONDS = 120;

export interface ServerOptions {
  env?: NodeJS.ProcessEnv;
  /** Directory for the development signing key (default: the working directory). */
  cwd?: string;
  /** The Octokit class the GitHub clients are made from (retry and throttling settings). */
  Octokit?: typeof ProbotOctokit;
  /** Probot's logger; by default one from LOG_LEVEL and LOG_FORMAT, JSON in production. */
  log?: Logger;
  /** Options passed to the App itself (tests and the demo). */
  app?: Pick<AppOptions, "now" | "cache" | "onReconciled">;
  /** The Redis lock's lease and waits (tests and the load test; defaults otherwise). */
  lock?: Pick<RedisLockOptions, "ttlMs" | "waitMs" | "watchMs">;
}

export interface AppServer {
  /** `http://host:port` of the App. */
  url: string;
  /** Where /aigate/metrics is served, when it is. */
  metricsUrl?: string;
  settings: ServerSettings;
  queue: WorkQueue;
  metrics: AppMetrics;
  /**
   * Stops accepting webhooks (503), lets in-flight work finish within `timeoutMs` (default
   * AIGATE_SHUTDOWN_TIMEOUT), gives back the locks and closes the servers. Resolves whether
   * every piece of work finished.
   */
  shutdown(timeoutMs?: number): Promise<{ drained: boolean }>;
}

/** Starts the App's server; a StartupError says what to set when the settings are wrong. */
export async function startServer(options: ServerOptions = {}): Promise<AppServer> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const settings = readServerSettings(env);
  // Every setting is checked before anything connects: a mistake is one line, not a retry storm.
  loadAppConfig({ env, cwd });

  const metrics = createMetrics();
  const auth = new GitHubAuthWatch();
  // Every content-creating write of an installation is counted in its write budget
  // (docs/deployment.md#the-write-budget); an answer was counted when the budget admitted it.
  // Shared through Redis once there is a connection.
  let budget: WriteBudget = localWriteBudget();
  const writeBudget: WriteBudget = {
    record: (installation) => budget.record(installation),
    admit: (installation, kind) => budget.admit(installation, kind),
    counts: (installation) => budget.counts(installation),
  };
  const telemetry: GitHubTelemetry = {
    called: (call: GitHubCall) => {
      metrics.called(call);
      auth.called(call);
      const write = call.method !== "GET" && call.status >= 200 && call.status < 300;
      if (write && !call.budgeted && call.installationId !== undefined) {
        void writeBudget.record(String(call.installationId));
      }
    },
  };

  const probotEnv: NodeJS.ProcessEnv = {
    LOG_LEVEL: "info",
    LOG_FORMAT: settings.production ? "json" : "pretty",
    ...env,
  };
  // Octokit's throttling keeps its state in Redis on a client of aigate's own, which waits out
  // an outage as long as the lock does; Probot is not given REDIS_URL, or it would make one too.
  delete probotEnv.REDIS_URL;
  let warn: (message: string) => void = () => {};
  const throttling = settings.redisUrl
    ? throttleStore(settings.redisUrl, options.lock?.waitMs ?? LOCK_WAIT_MS, {
        info: () => {},
        debug: () => {},
        warn: (m) => warn(m),
        error: (m) => warn(m),
      })
    : undefined;
  // The GitHub clients are made before Redis is connected (Probot makes them first), so the
  // store they share is switched to the Redis-backed one once there is a connection.
  let responses: ResponseStore = memoryResponseStore();
  const store: ResponseStore = {
    get: (key) => responses.get(key),
    set: (key, value) => responses.set(key, value),
  };
  // The one retry and rate-limit policy of every aigate client, over Probot's throttling
  // (which keeps its Redis-shared limiter): a secondary limit is waited out, not given up on.
  let notice: (message: string) => void = () => {};
  const backoff = throttleOptions({
    maxWaitSeconds: APP_MAX_WAIT_SECONDS,
    notice: (message) => notice(message),
  });
  // Writes are paced per installation as Probot's throttling paces them, evidence first.
  const Octokit = (options.Octokit ?? ProbotOctokit)
    .defaults((instance: PacedClientOptions) => {
      const throttle = {
        ...instance.throttle,
        ...(throttling
          ? { Bottleneck: throttling.Bottleneck, connection: throttling.connection }
          : {}),
      };
      return {
        ...instance,
        throttle: { ...throttle, ...backoff, ...pacedWrites({ ...instance, throttle }) },
      };
    })
    .plugin(conditionalRequests({ store, telemetry }));

  let probot: ReturnType<typeof createProbot>;
  try {
    probot = createProbot({
      env: probotEnv,
      overrides: { Octokit, ...(options.log ? { log: options.log } : {}) },
    });
  } catch (error) {
    throw missingCredentials(error);
  }
  await probot.ready();
  const log: Log = {
    info: (m) => probot.log.info(m),
    warn: (m) => probot.log.warn(m),
    error: (m) => probot.log.error(m),
    debug: (m) => probot.log.debug(m),
  };
  notice = (message) => log.warn(`aigate: ${message}`);
  warn = (message) => log.warn(message);

  let serialiser: Serialiser;
  let redis: Redis | undefined;
  if (settings.redisUrl) {
    redis = await connectRedis(settings.redisUrl, log);
    serialiser = redisSerialiser(redis, { ...options.lock, log, telemetry: metrics });
    responses = sharedResponseStore(redis, responses);
    budget = sharedWriteBudget(redis, Date.now, undefined, budget);
  } else {
    serialiser = inProcessSerialiser();
  }

  const queue = createWorkQueue(settings.queueLimit, (depth) => metrics.queueDepth(depth));
  let accepting = true;
  let signingKeyId: string | undefined;
  const routes: Handler[] = [];
  await probot.load(
    createApp({
      ...options.app,
      env,
      cwd,
      serialiser,
      ...(redis ? { redis } : {}),
      queue,
      telemetry: metrics,
      writeBudget,
      onStarted: ({ signingKeyId: id }) => {
        signingKeyId = id;
      },
    }),
    { cwd, addHandler: (handler) => void routes.push(handler) },
  );
  const webhookPath = env.WEBHOOK_PATH || DEFAULT_WEBHOOK_PATH;
  const appId = Number(env.APP_ID) || undefined;
  /** Whether `signature` is the body's HMAC under the secret Probot verifies with. */
  const signed = async (body: string, signature: string | string[] | undefined) =>
    typeof signature === "string" &&
    (await probot.webhooks.verify(body, signature).catch(() => false));
  const webhooks = await probot.getNodeMiddleware({ path: webhookPath });
  routes.unshift(
    healthHandler({
      signingKeyId: () => signingKeyId,
      ...(redis ? { redisStatus: () => redis.status } : {}),
      github: auth,
      accepting: () => accepting,
    }),
  );
  const metricsRoute = metricsHandler(metrics);
  if (settings.metrics && settings.metricsPort === undefined) routes.push(metricsRoute);

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      probot.log.error({ err: error }, "aigate: request failed");
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url?.split("?")[0];
    if (path === webhookPath && req.method === "POST") {
      if (!accepting) {
        reply(res, 503, "aigate is shutting down; redeliver this webhook");
        req.resume();
        return;
      }
      const body = await readBody(req, MAX_WEBHOOK_BYTES);
      if (body === undefined) {
        reply(res, 413, `webhook payloads are limited to ${MAX_WEBHOOK_BYTES} bytes`, true);
        return;
      }
      if (!(await signed(body, req.headers["x-hub-signature-256"]))) {
        probot.log.warn(`aigate: webhook ${deliveryOf(req)} refused: no valid X-Hub-Signature-256`);
        reply(res, 401, "the X-Hub-Signature-256 header is missing or does not match the payload");
        return;
      }
      const ignored = ignoredDelivery(req.headers["x-github-event"], body, appId);
      if (ignored) {
        metrics.event(ignored.name, ignored.action, "dropped");
        // A command refused for who sent it is said at info: an operator sees a stranger's burst.
        for (const command of ignored.dropped) metrics.commandDropped(command);
        const level = ignored.dropped.length > 0 ? "info" : "debug";
        probot.log[level](`aigate: webhook ${deliveryOf(req)}: ${ignored.reason}`);
        res
          .writeHead(202, { "content-type": "application/json" })
          .end(`${JSON.stringify({ ignored: ignored.reason })}\n`);
        return;
      }
      // Probot's middleware takes a body already read as the raw text it verifies.
      Object.assign(req, { body });
    }
    if (await webhooks(req, res)) return;
    for (const route of routes) if (await route(req, res)) return;
    if (path === "/ping" && req.method === "GET") {
      res.writeHead(200, { "content-type": "text/plain" }).end("PONG");
      return;
    }
    reply(res, 404, "not found");
  }

  const host = env.HOST || "localhost";
  const port = Number(env.PORT) || 3000;
  const address = await listen(server, port, host);
  const url = `http://${address}`;
  probot.log.info(`aigate: listening on ${url} (webhooks at ${webhookPath})`);

  const proxy = env.WEBHOOK_PROXY_URL
    ? await forwardFromProxy(env.WEBHOOK_PROXY_URL, `${url}${webhookPath}`, log)
    : undefined;

  let metricsServer: Server | undefined;
  let metricsUrl: string | undefined = settings.metrics ? `${url}${METRICS_PATH}` : undefined;
  if (settings.metricsPort !== undefined) {
    metricsServer = createServer((req, res) => {
      void Promise.resolve(metricsRoute(req, res)).then((served) => {
        if (!served) reply(res, 404, "not found");
      });
    });
    metricsUrl = `http://${await listen(metricsServer, settings.metricsPort, host)}${METRICS_PATH}`;
    probot.log.info(`aigate: metrics at ${metricsUrl}`);
  }

  let stopping: Promise<{ drained: boolean }> | undefined;
  return {
    url,
    ...(metricsUrl ? { metricsUrl } : {}),
    settings,
    queue,
    metrics,
    shutdown(timeoutMs = settings.shutdownTimeoutMs) {
      stopping ??= (async () => {
        accepting = false;
        probot.log.info(
          `aigate: shutting down; ${queue.depth} deliveries in flight, waiting up to ${timeoutMs / 1000} s`,
        );
        const drained = await queue.drain(timeoutMs);
        if (!drained) {
          probot.log.warn(
            `aigate: ${queue.depth} deliveries still in flight after ${timeoutMs / 1000} s; ` +
              "their pull requests are healed by the next event or /aigate recheck",
          );
        }
        proxy?.close();
        await serialiser.close();
        await throttling?.close();
        await Promise.all([close(server), metricsServer ? close(metricsServer) : undefined]);
        return { drained };
      })();
      return stopping;
    },
  };
}

/**
 * Development only: forwards deliveries from a smee.io channel (WEBHOOK_PROXY_URL), as Probot
 * does, when the optional `smee-client` package is installed.
 */
async function forwardFromProxy(
  source: string,
  target: string,
  log: Log,
): Promise<{ close(): void } | undefined> {
  const name = "smee-client";
  try {
    const { SmeeClient } = (await import(name)) as {
      SmeeClient: new (options: {
        source: string;
        target: string;
        logger: Pick<Log, "info" | "error">;
      }) => { start(): Promise<{ close(): void }> };
    };
    return await new SmeeClient({ source, target, logger: log }).start();
  } catch {
    log.warn(
      "WEBHOOK_PROXY_URL is set: run `npm install --save-dev smee-client` to forward webhooks",
    );
    return undefined;
  }
}

function missingCredentials(error: unknown): unknown {
  const message = error instanceof Error ? error.message : "";
  if (message.startsWith("appId option is required")) {
    return new StartupError(
      "APP_ID is not set: give the App's id from its settings page on GitHub",
    );
  }
  if (message.startsWith("privateKey option is required")) {
    return new StartupError(
      "the App's private key is missing: set PRIVATE_KEY (the PEM GitHub generated) or PRIVATE_KEY_PATH",
    );
  }
  return error;
}

/**
 * A verified delivery aigate does not act on, by the App's one router (routeDelivery): it is
 * answered 202 and never queued. Undefined for a delivery to hand to Probot, including one
 * without an event name or with a body that is not JSON, which Probot refuses with 400.
 */
function ignoredDelivery(
  header: string | string[] | undefined,
  body: string,
  appId: number | undefined,
): { name: string; action: string; reason: string; dropped: string[] } | undefined {
  if (typeof header !== "string" || header === "") return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return undefined;
  }
  const routed = routeDelivery(header, payload, appId);
  if (!("ignored" in routed)) return undefined;
  // The event header is not signed: metrics label only the events aigate subscribes to.
  const known = HANDLED_EVENTS.some((e) => e.split(".")[0] === header);
  const action = (payload as { action?: unknown } | null)?.action;
  return {
    name: known ? header : "other",
    action: known && typeof action === "string" ? action : "",
    reason: routed.ignored,
    dropped: routed.dropped ?? [],
  };
}

function deliveryOf(req: IncomingMessage): string {
  const id = req.headers["x-github-delivery"];
  return typeof id === "string" && /^[\w-]{1,64}$/.test(id) ? id : "(no delivery id)";
}

/** The request body as text, or undefined once it passes `limit` bytes (then it is dropped). */
async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      req.resume();
      return undefined;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function reply(res: ServerResponse, status: number, message: string, closeConnection = false) {
  const body = `${JSON.stringify({ error: message })}\n`;
  res
    .writeHead(status, {
      "content-type": "application/json",
      ...(closeConnection ? { connection: "close" } : {}),
    })
    .end(body);
}

function metricsHandler(metrics: AppMetrics): Handler {
  return async (req, res) => {
    if (req.url?.split("?")[0] !== METRICS_PATH) return false;
    if (req.method !== "GET") {
      res.writeHead(405, { allow: "GET" }).end();
      return true;
    }
    const text = await metrics.registry.metrics();
    res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text);
    return true;
  };
}

function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new StartupError(`port ${port} is already in use: set PORT to a free port`)
          : error,
      );
    });
    server.listen({ port, host }, () => {
      const { address, family, port: bound } = server.address() as AddressInfo;
      resolve(`${family === "IPv6" ? `[${address}]` : address}:${bound}`);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
