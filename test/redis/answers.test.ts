/**
 * aigate's one answer comment and the installation's write budget across two replicas sharing
 * a real Redis (docs/app.md#answers, docs/deployment.md#the-write-budget): real Probot servers,
 * the simulated GitHub, signed webhook deliveries.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type GitHubSim,
  issueCommentEvent,
  pullRequestEvent,
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
import { ANSWERS_MARKER } from "../../src/core/report/index.js";
import { OPTIONAL_WRITE_CEILING } from "../../src/core/write-budget.js";
import { budgetKey } from "../../src/github/replicas/write-budget.js";
import { REDIS_SERVER, suiteNeeds } from "../support/prerequisites.js";
import { type TestRedis, testRedis } from "./redis-server.js";

const OVERSIGHT = "AI governance: human oversight";
const ANSWERS_DB = 9;
const redisServer = suiteNeeds(import.meta.url, REDIS_SERVER);

let sim: GitHubSim;
let identity: AppIdentity;
let redis: TestRedis;
let observer: Redis;
const replicas: Replica[] = [];

let branches = 0;
function openPullRequest(repo: SimRepo): SimPullRequest {
  const branch = `answers-${++branches}`;
  repo.createBranch(branch);
  repo.commit(branch, {
    files: { "models/credit/model.py": "def score(application):\n    return 0.6\n" },
    author: "dave",
    message: "Tune the model",
  });
  return repo.openPullRequest({ head: branch, author: "dave", title: "Tune the model" });
}

async function say(
  replica: Replica,
  repo: SimRepo,
  pr: SimPullRequest,
  user: string,
  body: string,
) {
  const c = repo.addComment(pr.number, { user, body });
  expect(await replica.send("issue_comment", issueCommentEvent("created", repo, pr, c))).toBe(200);
}

function answers(repo: SimRepo, pr: SimPullRequest) {
  return repo.issueComments(pr.number).filter((c) => c.body.startsWith(ANSWERS_MARKER));
}

describe.skipIf(redisServer.skip)("answers and the write budget across replicas", () => {
  beforeAll(async () => {
    sim = await startGitHubSimulator();
    identity = appIdentity();
    redis = await testRedis(ANSWERS_DB);
    observer = new Redis(redis.url);
    await observer.flushdb();
    for (let i = 0; i < 2; i++) {
      replicas.push(
        await startReplica(sim, identity, { env: { REDIS_URL: redis.url, AIGATE_METRICS: "1" } }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    observer?.disconnect();
    await redis?.stop();
    await sim?.stop();
  });

  it("edits the one answer comment in place whichever replica answers", async () => {
    const [a, b] = replicas;
    if (!a || !b) throw new Error("two replicas");
    const repo = governedRepo(sim);
    const pr = openPullRequest(repo);
    expect(await a.send("pull_request", pullRequestEvent("opened", repo, pr))).toBe(200);
    await say(a, repo, pr, "dave", "/approve credit-scoring");
    await say(b, repo, pr, "frank", "/approve credit-scoring");
    await say(a, repo, pr, "frank", "/approve");
    const [only, ...more] = answers(repo, pr);
    expect(more).toEqual([]);
    expect(only?.body).toContain("@dave your `/approve` was not recorded");
    expect(only?.body.match(/@frank your/g)).toHaveLength(1);
    expect(only?.revisions.length).toBe(3);
    // Every write was counted in the installation's shared budget, by both replicas.
    expect(await observer.zcard(budgetKey(String(repo.installationId)))).toBeGreaterThan(3);
  });

  it("holds an answer back when the installation has spent 80 % of the minute, and the oversight check says so; evidence still goes", async () => {
    const [a, b] = replicas;
    if (!a || !b) throw new Error("two replicas");
    const repo = governedRepo(sim);
    const pr = openPullRequest(repo);
    expect(await a.send("pull_request", pullRequestEvent("opened", repo, pr))).toBe(200);
    // Other pull requests of the installation spent the minute's budget meanwhile.
    const key = budgetKey(String(repo.installationId));
    const now = Date.now();
    const spent = Array.from({ length: OPTIONAL_WRITE_CEILING.minute }, (_, i) => [
      now - i,
      `elsewhere-${i}`,
    ]).flat();
    await observer.zadd(key, ...spent);
    await say(b, repo, pr, "frank", "/approve credit-scoring");
    expect(answers(repo, pr)).toEqual([]);
    const oversight = sim.state.checkRuns(repo, pr.headSha).latest[OVERSIGHT];
    expect(oversight?.output.summary).toContain("### Answers held back");
    expect(b.logs.join("\n")).toContain("answer(s) held back");
    const metrics = await (await fetch(`${b.appUrl}/aigate/metrics`)).text();
    expect(metrics).toContain('aigate_writes_dropped_total{kind="answer"} 1');
    // An eligible approval is evidence: it is recorded and counted whatever the budget says.
    await say(a, repo, pr, "erin", "/approve credit-scoring");
    const signed = repo
      .issueComments(pr.number)
      .filter((c) => c.body.includes("<!-- aigate-attestation:v1 "));
    expect(signed).toHaveLength(1);
    expect(sim.state.checkRuns(repo, pr.headSha).latest[OVERSIGHT]?.output.title).toBe(
      "Waiting for 1 of 2 approvals (credit-scoring)",
    );
  });

  it("drops a review request above the budget's threshold, counts and logs it; the checks are still written", async () => {
    const [a] = replicas;
    if (!a) throw new Error("a replica");
    const repo = governedRepo(sim);
    const pr = openPullRequest(repo);
    const key = budgetKey(String(repo.installationId));
    const now = Date.now();
    const spent = Array.from({ length: OPTIONAL_WRITE_CEILING.minute }, (_, i) => [
      now - i,
      `requests-elsewhere-${i}`,
    ]).flat();
    await observer.zadd(key, ...spent);
    expect(await a.send("pull_request", pullRequestEvent("opened", repo, pr))).toBe(200);
    // No one asked; the oversight check is written, and names who was not asked.
    expect(pr.requestEvents.filter((e) => e.event === "review_requested")).toEqual([]);
    const oversight = sim.state.checkRuns(repo, pr.headSha).latest[OVERSIGHT];
    expect(oversight?.conclusion).toBe("action_required");
    expect(oversight?.output.summary).toContain("Not requested now");
    expect(a.logs.join("\n")).toContain(
      "held back: the installation's write budget is nearly spent",
    );
    const metrics = await (await fetch(`${a.appUrl}/aigate/metrics`)).text();
    expect(metrics).toContain('aigate_writes_dropped_total{kind="review-request"} 1');
  });
});
