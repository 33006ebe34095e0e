/**
 * What the App remembers of review requests, shared by replicas through a real Redis
 * (docs/app.md#review-requests): the store itself, and two real Probot servers over the
 * simulated GitHub, where the replica that did not ask says when the other one asked without
 * reading the timeline.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type GitHubSim,
  pullRequestEvent,
  pullRequestReviewEvent,
  type SimPullRequest,
  type SimRepo,
  startGitHubSimulator,
} from "../../sim/index.js";
import { appIdentity, governedRepo, type Replica, startReplica } from "../../sim/stack.js";
import type { RequestMemory } from "../../src/core/policy/request-memory.js";
import {
  REQUEST_MEMORY_TTL_MS,
  redisRequestMemoryKey,
  sharedRequestMemory,
} from "../../src/github/replicas/request-memory.js";
import { REDIS_SERVER, suiteNeeds } from "../support/prerequisites.js";
import { type TestRedis, testClients, testRedis, unreachableRedisUrl } from "./redis-server.js";

const OVERSIGHT = "AI governance: human oversight";
const MEMORY_DB = 5;
const redisServer = suiteNeeds(import.meta.url, REDIS_SERVER);
const clients = testClients();

let sim: GitHubSim;
let redis: TestRedis;
const replicas: Replica[] = [];

const MEMORY: RequestMemory = {
  asked: { "team:model-risk": { at: "2026-11-27T12:00:00Z", aigate: true } },
  notes: {
    manifest: "m",
    refused: [{ reviewers: ["bob"], reason: "not a collaborator" }],
    unreadable: [],
  },
};

let branches = 0;
function openPullRequest(repo: SimRepo): SimPullRequest {
  const branch = `asked-${++branches}`;
  repo.createBranch(branch);
  repo.commit(branch, {
    files: { "models/credit/model.py": "def score(application):\n    return 0.6\n" },
    author: "dave",
    message: "Tune the model",
  });
  return repo.openPullRequest({ head: branch, author: "dave", title: "Tune the model" });
}

describe.skipIf(redisServer.skip)("review request memory shared through Redis", () => {
  beforeAll(async () => {
    sim = await startGitHubSimulator();
    redis = await testRedis(MEMORY_DB);
    const observer = new Redis(redis.url);
    await observer.flushdb();
    observer.disconnect();
    const identity = appIdentity();
    for (let i = 0; i < 2; i++) {
      replicas.push(await startReplica(sim, identity, { env: { REDIS_URL: redis.url } }));
    }
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    clients.disconnectAll();
    await redis?.stop();
    await sim?.stop();
  });

  it("gives one replica what another learnt, under one key per pull request with a time to live", async () => {
    const a = sharedRequestMemory(await clients.connect(redis.url));
    const b = sharedRequestMemory(await clients.connect(redis.url));
    const target = { owner: "acme", repo: "Models", pullNumber: 7 };
    expect(await b.read(target)).toBeUndefined();
    await a.write(target, MEMORY);
    expect(await b.read(target)).toEqual(MEMORY);
    const raw = await clients.connect(redis.url);
    const ttl = await raw.pttl(redisRequestMemoryKey(target));
    expect(ttl).toBeGreaterThan(REQUEST_MEMORY_TTL_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(REQUEST_MEMORY_TTL_MS);
    // A record that does not parse is no memory: the timeline is read instead.
    await raw.set(redisRequestMemoryKey(target), '{"asked": 3}');
    expect(await b.read(target)).toBeUndefined();
  });

  it("is no memory when Redis does not answer, and never fails the event for it", async () => {
    const down = sharedRequestMemory(await clients.connect(await unreachableRedisUrl()));
    const target = { owner: "acme", repo: "models", pullNumber: 8 };
    await expect(down.write(target, MEMORY)).resolves.toBeUndefined();
    expect(await down.read(target)).toBeUndefined();
  });

  it("lets the replica that did not ask say when the other asked, without reading the timeline", async () => {
    const [a, b] = replicas;
    if (!a || !b) throw new Error("two replicas");
    const repo = governedRepo(sim);
    const pr = openPullRequest(repo);
    expect(await a.send("pull_request", pullRequestEvent("opened", repo, pr))).toBe(200);
    const asked = pr.requestEvents.find((e) => e.event === "review_requested");
    expect(asked?.createdAt).toBeDefined();
    const line = `- acme/model-risk (team): asked by aigate at ${asked?.createdAt}\n`;
    const reads = () =>
      sim.requests.filter(
        (r) =>
          r.operationId === "issues/list-events" &&
          r.path.endsWith(`/${repo.fullName}/issues/${pr.number}/events`),
      ).length;
    const before = reads();
    // alice approves on the other replica: the check is rewritten, with the same time.
    const review = pr.addReview({ user: "alice", state: "APPROVED" });
    expect(
      await b.send("pull_request_review", pullRequestReviewEvent("submitted", repo, pr, review)),
    ).toBe(200);
    const run = sim.state.checkRuns(repo, pr.headSha).latest[OVERSIGHT];
    expect(run?.output.title).toContain("1 of 2");
    expect(run?.output.summary).toContain(line);
    expect(reads()).toBe(before);
  });
});
