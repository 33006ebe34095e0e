/**
 * Evidence first with REDIS_URL: Probot hands the throttling plugin Bottleneck's Redis
 * connection, and the write groups made for evidence priority use it as the plugin's own would
 * (same ids, so the pace stays shared with every replica). Real Bottleneck, real Redis, GitHub
 * mocked with nock; the order in which GitHub receives the requests is what is checked.
 */
import Bottleneck from "bottleneck";
import { Redis } from "ioredis";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GitHubSim, startGitHubSimulator } from "../../sim/index.js";
import { appIdentity, governedRepo } from "../../sim/stack.js";
import { throttleOptions } from "../../src/github/backoff.js";
import type { GitHubClient } from "../../src/github/client.js";
import { postComment } from "../../src/github/flow/publish.js";
import { evidenceFirst, type ThrottleSetting } from "../../src/github/replicas/paced-writes.js";
import { recoverableOnRedis7 } from "../../src/github/replicas/throttle-store.js";
import { asEvidence } from "../../src/github/replicas/write-priority.js";
import { API } from "../support/mock-github.js";
import { burst, installationClient, startPacedApp } from "../support/paced-app.js";
import { REDIS_SERVER, suiteNeeds } from "../support/prerequisites.js";
import { type TestRedis, testRedis } from "./redis-server.js";

const PACING_DB = 4;
const redisServer = suiteNeeds(import.meta.url, REDIS_SERVER);
let redis: TestRedis;
const clients: Redis[] = [];
const stops: Array<() => Promise<void>> = [];

/** Probot's installation clients with REDIS_URL, with the throttle settings server.ts adds. */
const PacedOctokit = ProbotOctokit.defaults((instance: { throttle?: ThrottleSetting }) => ({
  ...instance,
  retry: { enabled: false },
  throttle: { ...instance.throttle, ...evidenceFirst(instance.throttle) },
}));

/** The App's server with REDIS_URL against a simulated GitHub, and a client of its installation. */
async function pacedAppWithRedis() {
  const sim: GitHubSim = await startGitHubSimulator();
  stops.push(() => sim.stop());
  const identity = appIdentity();
  const app = await startPacedApp(sim, identity, { REDIS_URL: redis.url });
  stops.push(app.stop);
  const repo = governedRepo(sim);
  const client = await installationClient(app, identity, repo);
  return { sim, repo, client };
}

describe.skipIf(redisServer.skip)("evidence first, with the pace shared through Redis", () => {
  beforeAll(async () => {
    redis = await testRedis(PACING_DB);
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    for (const stop of stops.reverse()) await stop();
    for (const c of clients) c.disconnect();
    await redis?.stop();
  });

  it("sends an attestation write before the unrelated writes queued ahead of it", async () => {
    const observer = new Redis(redis.url);
    clients.push(observer);
    await observer.flushdb();
    // As Probot connects its throttling when REDIS_URL is set.
    const client = new Redis(redis.url);
    clients.push(client);
    const connection = new Bottleneck.IORedisConnection({ client });
    const installation = `redis-${process.pid}`;
    const github = new PacedOctokit({
      auth: { token: "ghs_testtoken000000000000000000000000" },
      throttle: {
        Bottleneck,
        connection,
        id: installation,
        ...throttleOptions({ maxWaitSeconds: 120, notice: () => {} }),
      },
    }) as unknown as GitHubClient;

    const calls: string[] = [];
    nock(API)
      .persist()
      .post("/repos/acme/other/check-runs")
      .reply(201, (_uri, body) => {
        calls.push(`check ${(body as { name: string }).name}`);
        return { id: 1 };
      })
      .post("/repos/acme/models/issues/7/comments")
      .reply(201, () => {
        calls.push("evidence");
        return { id: 9000 };
      });
    const checkRun = (name: string) =>
      github.rest.checks.create({ owner: "acme", repo: "other", name, head_sha: "4".repeat(40) });
    await Promise.all([
      ...["1", "2", "3", "4"].map(checkRun),
      asEvidence(() =>
        postComment(github, { owner: "acme", repo: "models", pullNumber: 7 }, "signed"),
      ),
      checkRun("5"),
    ]);

    // At most the write already sent and the one waiting out the pause go first.
    expect(calls.indexOf("evidence")).toBeLessThanOrEqual(2);
    expect(calls.filter((c) => c !== "evidence")).toEqual([
      "check 1",
      "check 2",
      "check 3",
      "check 4",
      "check 5",
    ]);
    // The limiters' state is in Redis under the throttling plugin's own group ids.
    const keys = await observer.keys("b_*_settings");
    expect(keys).toEqual(
      expect.arrayContaining([
        `b_octokit-write-${installation}_settings`,
        `b_octokit-notifications-${installation}_settings`,
      ]),
    );
  });

  it("holds for the App's own clients when REDIS_URL is set", async () => {
    const { sim, repo, client } = await pacedAppWithRedis();
    const order = await burst(sim, client, repo);
    expect(order).toHaveLength(6);
    expect(order.indexOf("evidence")).toBeLessThanOrEqual(2);
    expect(order.at(-1)).toBe("check");
    // Paced per installation, as GitHub limits each installation: under its own Redis keys.
    const observer = new Redis(redis.url);
    clients.push(observer);
    const keys = await observer.keys("b_octokit-write-*_settings");
    expect(keys).toContain(`b_octokit-write-${repo.installationId}_settings`);
  });

  it("goes on after Redis restarted empty: Bottleneck makes its state again", async () => {
    const { sim, repo, client } = await pacedAppWithRedis();
    expect(await burst(sim, client, repo)).toHaveLength(6);

    // What a Redis that comes back without its data looks like to the limiters.
    const observer = new Redis(redis.url);
    clients.push(observer);
    await observer.flushdb();
    expect(await observer.keys("b_*_settings")).toEqual([]);

    const order = await burst(sim, client, repo);
    expect(order).toHaveLength(6);
    expect(order.indexOf("evidence")).toBeLessThanOrEqual(2);
    const keys = await observer.keys("b_octokit-write-*_settings");
    expect(keys).toContain(`b_octokit-write-${repo.installationId}_settings`);
  });

  it("needs the adapter: Bottleneck alone does not recognise its error on this Redis", async () => {
    // Bottleneck compares the message with "SETTINGS_KEY_NOT_FOUND"; Redis 7 answers
    // "ERR SETTINGS_KEY_NOT_FOUND". Should Bottleneck or Redis change, this says so.
    const client = new Redis(redis.url);
    clients.push(client);
    const observer = new Redis(redis.url);
    clients.push(observer);
    const [major] = ((await observer.info("server")).match(/redis_version:(\d+)/) ?? [])
      .slice(1)
      .map(Number);
    const plain = new Bottleneck.IORedisConnection({ client });
    const limiter = new Bottleneck({ id: `plain-${process.pid}`, connection: plain });
    await expect(limiter.schedule(async () => "first")).resolves.toBe("first");
    await observer.flushdb();
    if ((major ?? 0) >= 7) {
      await expect(limiter.schedule(async () => "second")).rejects.toThrow(
        "ERR SETTINGS_KEY_NOT_FOUND",
      );
    }
    const adapted = new Bottleneck.IORedisConnection({ client: new Redis(redis.url) });
    recoverableOnRedis7(adapted);
    const recovering = new Bottleneck({ id: `adapted-${process.pid}`, connection: adapted });
    await expect(recovering.schedule(async () => "first")).resolves.toBe("first");
    await observer.flushdb();
    await expect(recovering.schedule(async () => "second")).resolves.toBe("second");
    await Promise.all([plain.disconnect(false), adapted.disconnect(true)]);
  });
});
