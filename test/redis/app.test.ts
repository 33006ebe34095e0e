/**
 * The App with REDIS_URL, end to end: real Probot servers, a real Redis, the simulated GitHub
 * and signed webhook deliveries.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type GitHubSim,
  issueCommentEvent,
  pullRequestEvent,
  pullRequestReviewEvent,
  type SimPullRequest,
  type SimRepo,
  startGitHubSimulator,
} from "../../sim/index.js";
import {
  type AppIdentity,
  appIdentity,
  governedRepo,
  type Replica,
  startReplica,
} from "../../sim/stack.js";
import { lockKey } from "../../src/github/replicas/lease.js";
import { REDIS_SERVER, suiteNeeds } from "../support/prerequisites.js";
import {
  startRedisServer,
  type TestRedis,
  testRedis,
  unreachableRedisUrl,
} from "./redis-server.js";

const ASSESSMENT = "AI governance: risk assessment";
const OVERSIGHT = "AI governance: human oversight";

// Logical databases of their own, so that Probot's rate-limit keys seen here are this file's.
const THROTTLING_DB = 1;
const LOCK_DB = 2;

const redisServer = suiteNeeds(import.meta.url, REDIS_SERVER);

let sim: GitHubSim;
let identity: AppIdentity;
const running: Replica[] = [];
const redisServers: TestRedis[] = [];

beforeAll(async () => {
  sim = await startGitHubSimulator();
  identity = appIdentity();
});
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
  await Promise.all(redisServers.map((r) => r.stop()));
  await sim?.stop();
});

async function redisAt(db: number): Promise<TestRedis> {
  const redis = await testRedis(db);
  redisServers.push(redis);
  return redis;
}

async function replica(
  env: Record<string, string>,
  throttling = false,
  lock?: { ttlMs?: number; waitMs?: number },
): Promise<Replica> {
  const started = await startReplica(sim, identity, { env, throttling, ...(lock ? { lock } : {}) });
  running.push(started);
  return started;
}

let branchCounter = 0;

/** A pull request by dave that changes the credit-scoring model. */
function openPullRequest(repo: SimRepo): SimPullRequest {
  const branch = `feature-${++branchCounter}`;
  repo.createBranch(branch);
  repo.commit(branch, {
    files: { "models/credit/model.py": "def score(application):\n    return 0.6\n" },
    author: "dave",
    message: "Tune the model",
  });
  return repo.openPullRequest({ head: branch, author: "dave", title: "Tune the model" });
}

function attestationComments(repo: SimRepo, pr: SimPullRequest) {
  return repo
    .issueComments(pr.number)
    .filter((c) => c.body.includes("<!-- aigate-attestation:v1 "));
}

/** Resolves once `condition` holds; the test's own timeout bounds the wait. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

function latestChecks(repo: SimRepo, pr: SimPullRequest) {
  return sim.state.checkRuns(repo, pr.headSha).latest;
}

describe.skipIf(redisServer.skip)("the App with REDIS_URL", () => {
  it("keeps Octokit's rate-limit state in the same Redis, on a client of aigate's own", async () => {
    const redis = await redisAt(THROTTLING_DB);
    const observer = new Redis(redis.url);
    try {
      await observer.flushdb();
      const app = await replica({ REDIS_URL: redis.url }, true);
      const repo = governedRepo(sim);
      const pr = openPullRequest(repo);
      expect(await app.send("pull_request", pullRequestEvent("opened", repo, pr))).toBe(200);
      expect(latestChecks(repo, pr)[OVERSIGHT]?.conclusion).toBe("action_required");
      // Bottleneck's cluster mode keeps each limiter's state under b_<id>_… keys.
      const keys = await observer.keys("b_*");
      expect(keys.some((k) => k.startsWith("b_octokit-"))).toBe(true);
      expect(app.logs.join("\n")).not.toContain("Failed to initialize Probot");
    } finally {
      observer.disconnect();
    }
  });

  it("records an approval delivered to two replicas at the same moment exactly once", async () => {
    const redis = await redisAt(LOCK_DB);
    const env = { REDIS_URL: redis.url };
    const [a, b] = [await replica(env), await replica(env)];
    const repo = governedRepo(sim);
    const pr = openPullRequest(repo);
    expect(await a.send("pull_request", pullRequestEvent("opened", repo, pr))).toBe(200);

    const review = pr.addReview({ user: "alice", state: "APPROVED" });
    const event = pullRequestReviewEvent("submitted", repo, pr, review);
    // The same delivery reaches both replicas (and is redelivered to each) at once.
    const statuses = await Promise.all([
      a.send("pull_request_review", event),
      b.send("pull_request_review", event),
      a.send("pull_request_review", event),
      b.send("pull_request_review", event),
    ]);
    expect(statuses).toEqual([200, 200, 200, 200]);

    const signed = attestationComments(repo, pr);
    expect(signed).toHaveLength(1);
    expect(signed[0]?.body).toContain("approval by @alice");
    const observer = new Redis(redis.url);
    try {
      const key = `${repo.fullName}#${pr.number}`.toLowerCase();
      expect(await observer.exists(lockKey(key))).toBe(0);
    } finally {
      observer.disconnect();
    }
  });

  it("records an approval exactly once when the work outlives the lock's lease", async () => {
    const redis = await redisAt(LOCK_DB);
    const env = { REDIS_URL: redis.url };
    // A lease of 0.6 s, and a comment that takes 2.5 s to post: without a watchdog the lease
    // runs out mid-post and the other replica, holding its own delivery, issues it again.
    const lease = { ttlMs: 600 };
    const [a, b] = [await replica(env, false, lease), await replica(env, false, lease)];
    const repo = governedRepo(sim);
    const pr = openPullRequest(repo);
    expect(await a.send("pull_request", pullRequestEvent("opened", repo, pr))).toBe(200);

    const review = pr.addReview({ user: "alice", state: "APPROVED" });
    const event = pullRequestReviewEvent("submitted", repo, pr, review);
    sim.slowNext("issues/create-comment", 2_500);
    const statuses = await Promise.all([
      a.send("pull_request_review", event),
      b.send("pull_request_review", event),
    ]);
    expect(statuses).toEqual([200, 200]);
    expect(attestationComments(repo, pr)).toHaveLength(1);
    expect(latestChecks(repo, pr)[OVERSIGHT]?.output.title).toBe(
      "Waiting for 1 of 2 approvals (credit-scoring)",
    );
  });

  it("restores a deleted attestation whose event was queued behind another replica's work", async () => {
    const redis = await redisAt(LOCK_DB);
    const env = { REDIS_URL: redis.url };
    const [a, b] = [await replica(env), await replica(env)];
    const repo = governedRepo(sim);
    const pr = openPullRequest(repo);
    expect(await a.send("pull_request", pullRequestEvent("opened", repo, pr))).toBe(200);
    const review = pr.addReview({ user: "alice", state: "APPROVED" });
    expect(
      await a.send("pull_request_review", pullRequestReviewEvent("submitted", repo, pr, review)),
    ).toBe(200);
    const [alice] = attestationComments(repo, pr);
    if (!alice) throw new Error("alice's approval was not attested");

    // Replica a holds the pull request while erin's attestation takes 2.5 s to post…
    const observer = new Redis(redis.url);
    try {
      sim.slowNext("issues/create-comment", 2_500);
      const erin = repo.addComment(pr.number, { user: "erin", body: "/approve" });
      const holding = a.send("issue_comment", issueCommentEvent("created", repo, pr, erin));
      const key = `${repo.fullName}#${pr.number}`.toLowerCase();
      while ((await observer.exists(lockKey(key))) === 0) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // …when someone deletes alice's signed statement: that event reaches replica b.
      repo.deleteComment(alice.id);
      const deleted = issueCommentEvent("deleted", repo, pr, alice, { sender: "mallory" });
      expect(await b.send("issue_comment", deleted)).toBe(200);
      expect(b.reconciled.at(-1)?.coalesced).toBe("queued");
      expect(await holding).toBe(200);
    } finally {
      observer.disconnect();
    }
    // Replica a ran again for b's event, with the deleted body it carried: the statement is back.
    expect(a.reconciled.at(-1)?.coalesced).toBe("rerun");
    const restored = repo
      .issueComments(pr.number)
      .filter((c) => c.body.startsWith("**Restored by aigate:**"));
    expect(restored).toHaveLength(1);
    expect(restored[0]?.body).toContain(`comment ${alice.id}, which carried this signed statement`);
    expect(latestChecks(repo, pr)[OVERSIGHT]?.conclusion).toBe("success");
    expect(b.reconciled.every((r) => r.error === undefined)).toBe(true);
  });

  it("starts while Redis is down, says so, and answers events with red checks naming the lock once the wait ran out", async () => {
    const app = await replica({ REDIS_URL: await unreachableRedisUrl() }, false, { waitMs: 500 });
    const repo = governedRepo(sim);
    const pr = openPullRequest(repo);
    expect(await app.send("pull_request", pullRequestEvent("opened", repo, pr))).toBe(200);

    const checks = latestChecks(repo, pr);
    for (const name of [ASSESSMENT, OVERSIGHT]) {
      expect(checks[name]).toMatchObject({ status: "completed", conclusion: "failure" });
      expect(checks[name]?.output.title).toMatch(
        /^aigate could not evaluate: .*per-pull-request lock .* Redis did not answer/,
      );
    }
    expect(attestationComments(repo, pr)).toEqual([]);
    expect(app.logs.join("\n")).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable/);
  });

  it("evaluates an event that arrived while Redis was down once Redis is back within the wait", async () => {
    const url = await unreachableRedisUrl();
    const app = await replica({ REDIS_URL: url }, true);
    const repo = governedRepo(sim);
    const pr = openPullRequest(repo);
    const delivered = app.send("pull_request", pullRequestEvent("opened", repo, pr));
    await until(() => app.logs.some((l) => l.includes("the event waits up to 150 s for it")));
    expect(latestChecks(repo, pr)).toEqual({});

    redisServers.push(await startRedisServer(Number(new URL(url).port)));
    await until(() => app.reconciled.length === 1);
    expect([200, 202]).toContain(await delivered);
    // No decision lost to the outage: the checks are what aigate decides, not red.
    const checks = latestChecks(repo, pr);
    expect(checks[ASSESSMENT]?.output.title).toMatch(/must also update the risk assessment/);
    expect(checks[OVERSIGHT]?.conclusion).toBe("action_required");
    expect(app.reconciled[0]?.error).toBeUndefined();
    expect(app.logs.join("\n")).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is back/);
  });
});
