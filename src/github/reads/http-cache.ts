/**
 * Conditional requests for the App's Octokit (docs/deployment.md#11-rate-limit-economy): every
 * GET an installation makes is sent with `If-None-Match` when an earlier answer's `ETag` is
 * known, and a `304 Not Modified` — which GitHub does not count against the installation's
 * rate limit — is answered from the stored copy. Entries are keyed by installation, media type
 * and URL, so one installation never sees another's responses. The store is bounded in
 * process (lru-cache) and shared across replicas through Redis when one is configured.
 *
 * A 304 is trusted only as the answer to the question this module asked: one to a request
 * sent without `If-None-Match` stays the error Octokit makes of it, never "unchanged".
 */
import { createHash } from "node:crypto";
import type { Octokit, OctokitOptions } from "@octokit/core";
import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import { BUDGETED, type GitHubTelemetry, silentGitHubTelemetry } from "../operator/telemetry.js";

/** A stored 200 answer: what a later 304 stands for. */
export interface StoredResponse {
  etag: string;
  url: string;
  /** The response headers that describe the content (link, content type), not per-response ones. */
  headers: Record<string, string>;
  /** The body as JSON text: parsed afresh on every hit, so no caller can alter the copy. */
  body: string;
}

export interface ResponseStore {
  get(key: string): Promise<StoredResponse | undefined>;
  set(key: string, value: StoredResponse): Promise<void>;
}

/** Bytes of stored bodies kept in one process by default. */
const RESPONSE_CACHE_BYTES = 50 * 1024 * 1024;
/** Bodies larger than this are not stored: they would crowd out many smaller ones. */
const MAX_ENTRY_BYTES = 2 * 1024 * 1024;
/** How long a shared entry lives in Redis without being refreshed. */
const SHARED_TTL_SECONDS = 24 * 60 * 60;

const sizeOf = (value: StoredResponse) =>
  value.body.length + value.url.length + JSON.stringify(value.headers).length + 64;

/** An in-process store of at most `maxBytes` of responses, least recently used evicted first. */
export function memoryResponseStore(maxBytes = RESPONSE_CACHE_BYTES): ResponseStore {
  const lru = new LRUCache<string, StoredResponse>({ maxSize: maxBytes, sizeCalculation: sizeOf });
  return {
    get: async (key) => lru.get(key),
    set: async (key, value) => {
      lru.set(key, value);
    },
  };
}

/**
 * The in-process store in front of Redis: a hit in either answers; a miss in process that
 * Redis has is kept in process too. A Redis that is not connected is skipped, never waited
 * for: the cache saves quota, it must not cost latency.
 */
export function sharedResponseStore(
  redis: Pick<Redis, "get" | "set" | "status">,
  local: ResponseStore = memoryResponseStore(),
): ResponseStore {
  const redisKey = (key: string) => `aigate:etag:${key}`;
  return {
    async get(key) {
      const hit = await local.get(key);
      if (hit || redis.status !== "ready") return hit;
      try {
        const text = await redis.get(redisKey(key));
        const stored = text === null ? undefined : parseStored(text);
        if (stored) await local.set(key, stored);
        return stored;
      } catch {
        return undefined;
      }
    },
    async set(key, value) {
      await local.set(key, value);
      if (redis.status !== "ready") return;
      await redis
        .set(redisKey(key), JSON.stringify(value), "EX", SHARED_TTL_SECONDS)
        .catch(() => undefined);
    },
  };
}

function parseStored(text: string): StoredResponse | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (
      typeof value === "object" &&
      value !== null &&
      "etag" in value &&
      typeof value.etag === "string" &&
      "url" in value &&
      typeof value.url === "string" &&
      "body" in value &&
      typeof value.body === "string" &&
      "headers" in value &&
      typeof value.headers === "object" &&
      value.headers !== null
    ) {
      return {
        etag: value.etag,
        url: value.url,
        body: value.body,
        headers: Object.fromEntries(
          Object.entries(value.headers).filter(
            (e): e is [string, string] => typeof e[1] === "string",
          ),
        ),
      };
    }
  } catch {
    // A corrupt entry is a miss.
  }
  return undefined;
}

/** Headers that belong to one response, not to the content a 304 confirms. */
const PER_RESPONSE = /^(x-ratelimit-|x-github-request-id$|date$|content-length$|set-cookie$)/;

export interface ConditionalRequestOptions {
  store: ResponseStore;
  telemetry?: GitHubTelemetry;
}

interface StatusError {
  status: number;
  message: string;
  response?: { headers?: Record<string, unknown> };
}

function statusError(error: unknown): StatusError | undefined {
  if (typeof error !== "object" || error === null || !("status" in error)) return undefined;
  const status = error.status;
  if (typeof status !== "number") return undefined;
  return error as StatusError;
}

function installationOf(options: OctokitOptions): number | undefined {
  const auth: unknown = options.auth;
  if (typeof auth !== "object" || auth === null || !("installationId" in auth)) return undefined;
  const id = Number(auth.installationId);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
  const value = headers[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * An Octokit plugin: conditional GETs for installation clients, and every call reported to
 * the telemetry with its route template and final status.
 */
export function conditionalRequests({
  store,
  telemetry = silentGitHubTelemetry,
}: ConditionalRequestOptions) {
  return (octokit: Octokit, octokitOptions: OctokitOptions): void => {
    const installationId = installationOf(octokitOptions);
    const report = (
      route: string,
      method: string,
      status: number,
      headers: object,
      budgeted: boolean,
    ) =>
      telemetry.called({
        method,
        route,
        status,
        headers: headers as Record<string, unknown>,
        ...(installationId !== undefined ? { installationId } : {}),
        ...(budgeted ? { budgeted } : {}),
      });

    octokit.hook.wrap("request", async (request, options) => {
      const method = String(options.method).toUpperCase();
      const route = `${method} ${String(options.url)}`;
      const budgeted = options.request?.[BUDGETED] === true;
      const callerConditional = Object.keys(options.headers).some(
        (h) => h.toLowerCase() === "if-none-match",
      );
      const cacheable = method === "GET" && installationId !== undefined && !callerConditional;
      let key: string | undefined;
      let stored: StoredResponse | undefined;
      if (cacheable) {
        const { url, headers } = octokit.request.endpoint(options);
        key = createHash("sha256")
          .update(`${installationId}\n${String(headers.accept ?? "")}\n${url}`)
          .digest("hex");
        stored = await store.get(key);
        if (stored) options.headers = { ...options.headers, "if-none-match": stored.etag };
      }
      try {
        const response = await request(options);
        report(route, method, response.status, response.headers, budgeted);
        const etag = headerValue(response.headers, "etag");
        if (key && etag && response.status === 200 && !(response.data instanceof ArrayBuffer)) {
          const body = JSON.stringify(response.data ?? null);
          if (body.length <= MAX_ENTRY_BYTES) {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(response.headers)) {
              if (typeof value === "string" && !PER_RESPONSE.test(name)) headers[name] = value;
            }
            await store.set(key, { etag, url: response.url, headers, body });
          }
        }
        return response;
      } catch (error) {
        const failure = statusError(error);
        const headers = failure?.response?.headers ?? {};
        report(route, method, failure?.status ?? 0, headers, budgeted);
        if (failure?.status === 304 && stored) {
          const fresh: Record<string, string> = {};
          for (const [name, value] of Object.entries(headers)) {
            if (typeof value === "string") fresh[name] = value;
          }
          return {
            status: 200,
            url: stored.url,
            headers: { ...stored.headers, ...fresh },
            data: JSON.parse(stored.body),
          };
        }
        if (failure?.status === 304) {
          // Nothing was asked to be compared: a 304 here confirms nothing we hold.
          failure.message = `GitHub answered 304 Not Modified to ${route}, a request that was not conditional`;
        }
        throw error;
      }
    });
  };
}
