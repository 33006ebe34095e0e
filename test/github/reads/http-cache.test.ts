/**
 * Conditional requests: which requests carry If-None-Match, what a 304 is answered with, and
 * what it never stands for.
 */
import { Octokit } from "@octokit/core";
import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GitHubCall } from "../../../src/github/operator/telemetry.js";
import {
  conditionalRequests,
  memoryResponseStore,
  type ResponseStore,
} from "../../../src/github/reads/http-cache.js";

const API = "https://api.github.test";
const ETAG = 'W/"abc123"';

/** Authenticates nothing; only carries the installation id the plugin keys its entries by. */
const installationAuth = () =>
  Object.assign(async () => ({ type: "token" }), {
    hook: (request: (o: unknown) => unknown, options: unknown) => request(options),
  });

function client(installationId: number | undefined, store: ResponseStore, calls: GitHubCall[]) {
  const Cached = Octokit.plugin(
    conditionalRequests({ store, telemetry: { called: (c) => void calls.push(c) } }),
  );
  return new Cached({
    baseUrl: API,
    authStrategy: installationAuth,
    auth: installationId === undefined ? {} : { installationId },
  });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("conditional requests", () => {
  it("sends the stored ETag and answers a 304 with the stored body", async () => {
    const calls: GitHubCall[] = [];
    const github = client(7, memoryResponseStore(), calls);
    nock(API)
      .get("/repos/acme/models/pulls/1")
      .reply(200, { number: 1, title: "Tune" }, { etag: ETAG, link: '<x>; rel="next"' });
    nock(API)
      .get("/repos/acme/models/pulls/1")
      .matchHeader("if-none-match", ETAG)
      .reply(304, "", { etag: ETAG, "x-ratelimit-remaining": "4999" });

    const route = "GET /repos/{owner}/{repo}/pulls/{pull_number}";
    const params = { owner: "acme", repo: "models", pull_number: 1 };
    const first = await github.request(route, params);
    const second = await github.request(route, params);
    expect(second.status).toBe(200);
    expect(second.data).toEqual(first.data);
    expect(second.headers.link).toBe('<x>; rel="next"');
    expect(second.headers["x-ratelimit-remaining"]).toBe("4999");
    expect(calls.map((c) => [c.route, c.status, c.installationId])).toEqual([
      [route, 200, 7],
      [route, 304, 7],
    ]);
    expect(nock.isDone()).toBe(true);
  });

  it("hands every hit its own copy, so no caller can alter what the next one gets", async () => {
    const github = client(7, memoryResponseStore(), []);
    nock(API)
      .get("/repos/acme/models")
      .reply(200, { topics: ["a"] }, { etag: ETAG });
    nock(API).get("/repos/acme/models").times(2).reply(304, "", { etag: ETAG });
    await github.request("GET /repos/acme/models");
    const hit = await github.request("GET /repos/acme/models");
    (hit.data as { topics: string[] }).topics.push("tampered");
    expect((await github.request("GET /repos/acme/models")).data).toEqual({ topics: ["a"] });
  });

  it("never answers one installation from another installation's entry", async () => {
    const store = memoryResponseStore();
    const one = client(1, store, []);
    const two = client(2, store, []);
    nock(API)
      .get("/repos/acme/models")
      .reply(200, { private: "for installation 1" }, { etag: ETAG });
    // Installation 2's first request must not be conditional: it has seen nothing yet.
    nock(API)
      .get("/repos/acme/models")
      .matchHeader("if-none-match", (value) => value === undefined)
      .reply(200, { private: "for installation 2" }, { etag: 'W/"other"' });
    await one.request("GET /repos/acme/models");
    expect((await two.request("GET /repos/acme/models")).data).toEqual({
      private: "for installation 2",
    });
    expect(nock.isDone()).toBe(true);
  });

  it("keeps one entry per media type: a raw file is not its JSON description", async () => {
    const github = client(7, memoryResponseStore(), []);
    nock(API)
      .get("/repos/acme/models/contents/a.yml")
      .reply(200, { content: "eDogMQo=" }, { etag: ETAG });
    nock(API)
      .get("/repos/acme/models/contents/a.yml")
      .matchHeader("accept", "application/vnd.github.raw")
      .matchHeader("if-none-match", (value) => value === undefined)
      .reply(200, "x: 1\n", { etag: 'W/"raw"', "content-type": "text/plain; charset=utf-8" });
    await github.request("GET /repos/acme/models/contents/a.yml");
    const raw = await github.request("GET /repos/acme/models/contents/a.yml", {
      headers: { accept: "application/vnd.github.raw" },
    });
    expect(raw.data).toBe("x: 1\n");
  });

  it("treats a 304 to a request sent without If-None-Match as an error, never as unchanged", async () => {
    const calls: GitHubCall[] = [];
    const github = client(7, memoryResponseStore(), calls);
    nock(API)
      .get("/repos/acme/models/pulls/1")
      .matchHeader("if-none-match", (value) => value === undefined)
      .reply(304, "");
    await expect(github.request("GET /repos/acme/models/pulls/1")).rejects.toMatchObject({
      status: 304,
      message: expect.stringMatching(/304 Not Modified .* not conditional/),
    });
    expect(calls.map((c) => c.status)).toEqual([304]);
  });

  it("leaves writes, app-level calls and the caller's own If-None-Match alone", async () => {
    const store = memoryResponseStore();
    const app = client(undefined, store, []);
    const installation = client(7, store, []);
    nock(API).get("/app").times(2).reply(200, { id: 1 }, { etag: ETAG });
    await app.request("GET /app");
    nock.cleanAll();
    nock(API)
      .get("/app")
      .matchHeader("if-none-match", (value) => value === undefined)
      .reply(200, { id: 1 }, { etag: ETAG });
    await app.request("GET /app");

    nock(API)
      .post("/repos/acme/models/issues/1/comments")
      .matchHeader("if-none-match", (value) => value === undefined)
      .reply(201, { id: 9 }, { etag: ETAG });
    await installation.request("POST /repos/acme/models/issues/1/comments", { body: "x" });
    nock(API).get("/repos/acme/models").matchHeader("if-none-match", '"mine"').reply(304, "");
    await expect(
      installation.request("GET /repos/acme/models", { headers: { "if-none-match": '"mine"' } }),
    ).rejects.toMatchObject({ status: 304 });
    expect(nock.isDone()).toBe(true);
  });

  it("keeps the in-process store within its byte budget, evicting the least recently used", async () => {
    const store = memoryResponseStore(10_000);
    const entry = (n: number) => ({
      etag: `"${n}"`,
      url: `u${n}`,
      headers: {},
      body: "x".repeat(3_000),
    });
    await store.set("a", entry(1));
    await store.set("b", entry(2));
    await store.get("a");
    await store.set("c", entry(3));
    await store.set("d", entry(4));
    expect(await store.get("b")).toBeUndefined();
    expect(await store.get("a")).toBeDefined();
    expect(await store.get("d")).toBeDefined();
  });
});
