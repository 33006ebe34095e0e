/**
 * The App's server as `npm start` runs it, over real HTTP against the simulated GitHub:
 * health and readiness, metrics, fast acknowledgement with a bounded queue, the body limit,
 * and a graceful shutdown.
 */
import { request } from "node:http";
import { sign } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  deliver,
  type GitHubSim,
  issueCommentEvent,
  pullRequestEvent,
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
import { HEALTHZ_PATH, READYZ_PATH } from "../../src/server/health.js";
import { MAX_WEBHOOK_BYTES, METRICS_PATH } from "../../src/server/server.js";
import { draft, modelChange, OVERSIGHT } from "../e2e/driver.js";

let sim: GitHubSim;
let identity: AppIdentity;
const running: Replica[] = [];

beforeAll(async () => {
  sim = await startGitHubSimulator();
  identity = appIdentity();
});
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
  await sim?.stop();
});

async function replica(env: Record<string, string> = {}): Promise<Replica> {
  const started = await startReplica(sim, identity, { env });
  running.push(started);
  return started;
}

async function get(url: string): Promise<{ status: number; type: string; body: string }> {
  const response = await fetch(url);
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    body: await response.text(),
  };
}

let changes = 0;
function openedEvent(repo: SimRepo) {
  const pr = draft(repo, modelChange(`v${++changes}`));
  return { pr, payload: pullRequestEvent("opened", repo, pr) };
}

describe("health and readiness", () => {
  it("answers /aigate/healthz while the process runs", async () => {
    const app = await replica();
    const health = await get(`${app.appUrl}${HEALTHZ_PATH}`);
    expect(health).toMatchObject({ status: 200, type: "application/json" });
    expect(JSON.parse(health.body)).toEqual({ status: "alive" });
  });

  it("is ready with the signing key loaded, no Redis configured and GitHub not refusing", async () => {
    const app = await replica();
    const ready = await get(`${app.appUrl}${READYZ_PATH}`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({
      ready: true,
      checks: {
        signing_key: "loaded",
        redis: "not configured",
        github_auth: "ok",
        webhooks: "accepting",
      },
    });
    for (const secret of [identity.privateKey, identity.secret, identity.signingKeyPem]) {
      expect(ready.body).not.toContain(secret.trim().split("\n")[1] ?? secret);
    }
  });

  it("is not ready (503) once GitHub refuses the App's credentials, and ready again after", async () => {
    const app = await replica();
    const repo = governedRepo(sim);
    // GitHub refuses the App's key: every installation token request is answered 401.
    let refuse = true;
    sim.failNext(
      (r) => refuse && r.operationId === "apps/create-installation-access-token",
      401,
      1_000,
      { message: "A JSON web token could not be decoded" },
    );
    expect(await app.send("pull_request", openedEvent(repo).payload)).toBe(200);
    const refused = await get(`${app.appUrl}${READYZ_PATH}`);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({
      ready: false,
      checks: { github_auth: "failing" },
    });

    refuse = false;
    expect(await app.send("pull_request", openedEvent(repo).payload)).toBe(200);
    expect((await get(`${app.appUrl}${READYZ_PATH}`)).status).toBe(200);
  });
});

describe("metrics", () => {
  it("are not served without AIGATE_METRICS", async () => {
    const app = await replica();
    expect((await get(`${app.appUrl}${METRICS_PATH}`)).status).toBe(404);
  });

  it("count events, GitHub calls, checks and reconciles in Prometheus text with AIGATE_METRICS=1", async () => {
    const app = await replica({ AIGATE_METRICS: "1" });
    const repo = governedRepo(sim);
    const { pr, payload } = openedEvent(repo);
    expect(await app.send("pull_request", payload)).toBe(200);
    // A redelivery: the same reads again, this time answered 304 from the cache.
    expect(await app.send("pull_request", payload)).toBe(200);
    const chatter = repo.addComment(pr.number, { user: "mallory", body: "Nice." });
    expect(await app.send("issue_comment", issueCommentEvent("created", repo, pr, chatter))).toBe(
      202,
    );

    const metrics = await get(`${app.appUrl}${METRICS_PATH}`);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = metrics.body;
    expect(text).toMatch(
      /aigate_webhook_events_total\{event="pull_request",action="opened",outcome="handled"\} 2/,
    );
    expect(text).toMatch(
      /aigate_webhook_events_total\{event="issue_comment",action="created",outcome="dropped"\} 1/,
    );
    expect(text).toMatch(/aigate_reconcile_duration_seconds_count 2/);
    // Pagination sends full URLs; they are labelled by route, never by repository.
    expect(text).toMatch(
      /aigate_github_requests_total\{operation="GET \/repos\/\{owner\}\/\{repo\}\/pulls\/\{number\}\/files",status="304"\} 1/,
    );
    expect(text).not.toContain("acme");
    // The opened event asked the approver team for a review, which changed the pull request:
    // the redelivery reads it in full again.
    expect(text).toMatch(
      /aigate_github_requests_total\{operation="POST \/repos\/\{owner\}\/\{repo\}\/pulls\/\{pull_number\}\/requested_reviewers",status="201"\} 1/,
    );
    expect(text).toMatch(
      /aigate_github_requests_total\{operation="GET \/repos\/\{owner\}\/\{repo\}\/pulls\/\{pull_number\}",status="200"\} 2/,
    );
    expect(text).toMatch(
      /aigate_github_rate_limit_remaining\{installation="1",resource="core"\} \d+/,
    );
    expect(text).toMatch(/aigate_checks_written_total\{conclusion="action_required"\} 1/);
    expect(text).toMatch(/aigate_checks_written_total\{conclusion="success"\} 1/);
    expect(text).toMatch(/# TYPE aigate_lock_wait_seconds histogram/);
    expect(text).toMatch(/# TYPE aigate_attestations_issued_total counter/);
    expect(text).toMatch(/# TYPE aigate_attestations_restored_total counter/);
    expect(text).toMatch(/process_cpu_seconds_total/);
  });

  it("are served on AIGATE_METRICS_PORT instead of the App's port when it is set", async () => {
    const { freePort } = await import("../../sim/ports.js");
    const port = await freePort();
    const app = await replica({ AIGATE_METRICS_PORT: String(port) });
    expect(app.server.metricsUrl).toBe(`http://127.0.0.1:${port}${METRICS_PATH}`);
    expect((await get(`${app.appUrl}${METRICS_PATH}`)).status).toBe(404);
    const metrics = await get(`http://127.0.0.1:${port}${METRICS_PATH}`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain("aigate_webhook_queue_depth");
  });
});

describe("fast acknowledgement", () => {
  it("answers a verified webhook before its reconcile ends, then reconciles it", async () => {
    const app = await replica();
    const repo = governedRepo(sim);
    const { pr, payload } = openedEvent(repo);
    sim.slowNext("pulls/get", 1_500);
    expect(await deliver(app.appUrl, identity.secret, "pull_request", payload)).toBe(200);
    // The reconcile cannot have ended: its first read is still being answered.
    expect(app.reconciled).toHaveLength(0);
    expect(sim.state.checkRuns(repo, pr.headSha).latest).toEqual({});

    await app.server.queue.idle();
    expect(app.reconciled).toHaveLength(1);
    expect(sim.state.checkRuns(repo, pr.headSha).latest[OVERSIGHT]?.conclusion).toBe(
      "action_required",
    );
  });

  it("refuses with 503 when the queue is full, and accepts again once it drains", async () => {
    const app = await replica({ AIGATE_QUEUE_LIMIT: "1", AIGATE_METRICS: "1" });
    const repo = governedRepo(sim);
    sim.slowNext("pulls/get", 1_000);
    expect(
      await deliver(app.appUrl, identity.secret, "pull_request", openedEvent(repo).payload),
    ).toBe(200);
    const refused = openedEvent(repo);
    expect(await deliver(app.appUrl, identity.secret, "pull_request", refused.payload)).toBe(503);
    await app.server.queue.idle();
    expect(sim.state.checkRuns(repo, refused.pr.headSha).latest).toEqual({});
    // GitHub's redelivery of the refused event is accepted.
    expect(await app.send("pull_request", refused.payload)).toBe(200);
    expect(sim.state.checkRuns(repo, refused.pr.headSha).latest[OVERSIGHT]).toBeDefined();
    expect((await get(`${app.appUrl}${METRICS_PATH}`)).body).toMatch(
      /aigate_webhook_events_total\{event="pull_request",action="opened",outcome="rejected"\} 1/,
    );
  });

  it("rejects a body over 25 MB with 413 before reading it, and never queues it", async () => {
    const app = await replica();
    const url = new URL(`${app.appUrl}/api/github/webhooks`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        url,
        {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": String(MAX_WEBHOOK_BYTES + 1),
            "x-github-event": "pull_request",
            "x-github-delivery": "too-big",
            "x-hub-signature-256": "sha256=00",
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.write("{");
    });
    expect(status).toBe(413);
    expect(app.server.queue.depth).toBe(0);
  });
});

/** A replica whose queue records every submission, with metrics on. */
async function watched(env: Record<string, string> = {}) {
  const app = await replica({ AIGATE_METRICS: "1", ...env });
  const submit = vi.spyOn(app.server.queue, "submit");
  const events = async () =>
    (await app.server.metrics.registry.getSingleMetric("aigate_webhook_events_total")?.get())
      ?.values ?? [];
  return { app, submit, events };
}

async function post(
  url: string,
  event: string,
  payload: object,
  signature: string | null,
): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": "bad-signature",
  };
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  const response = await fetch(`${url}/api/github/webhooks`, {
    method: "POST",
    headers,
    body: JSON.stringify(payload),
  });
  return { status: response.status, body: await response.text() };
}

describe("webhooks aigate does not act on", () => {
  it("answers a missing, wrong or fallback-secret signature with 401 and a short body, queueing nothing", async () => {
    const { app, submit, events } = await watched();
    const repo = governedRepo(sim);
    const { pr, payload } = openedEvent(repo);
    const mark = sim.requests.length;
    const answers = [
      await post(app.appUrl, "pull_request", payload, null),
      await post(app.appUrl, "pull_request", payload, `sha256=${"0".repeat(64)}`),
      await post(app.appUrl, "pull_request", payload, "sha256=short"),
      await post(
        app.appUrl,
        "pull_request",
        payload,
        await sign("development", JSON.stringify(payload)),
      ),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toEqual({
        error: "the X-Hub-Signature-256 header is missing or does not match the payload",
      });
    }
    await app.server.queue.idle();
    expect(submit).not.toHaveBeenCalled();
    expect(await events()).toEqual([]);
    expect(app.reconciled).toHaveLength(0);
    expect(sim.requests.slice(mark)).toEqual([]);
    expect(sim.state.checkRuns(repo, pr.headSha).all).toEqual([]);
    // The same delivery, signed with the secret, is taken.
    expect(await app.send("pull_request", payload)).toBe(200);
    expect(submit).toHaveBeenCalledTimes(1);
  });

  it("answers an event or action it does not handle with 202 at once, queueing nothing", async () => {
    const { app, submit, events } = await watched();
    const repo = governedRepo(sim);
    const { pr } = openedEvent(repo);
    const chatter = repo.addComment(pr.number, { user: "mallory", body: "Nice." });
    const opened = pullRequestEvent("opened", repo, pr);
    const run = { name: OVERSIGHT, head_sha: pr.headSha, pull_requests: [{ number: pr.number }] };
    const mark = sim.requests.length;
    const ignored: Array<[string, object, string]> = [
      ["star", { action: "created" }, "star.created is not an event aigate handles"],
      ["fork", { forkee: {} }, "fork is not an event aigate handles"],
      [
        "pull_request",
        pullRequestEvent("closed", repo, pr),
        "pull_request.closed is not an event aigate handles",
      ],
      [
        "issue_comment",
        issueCommentEvent("created", repo, pr, chatter),
        "the comment carries no aigate command: nothing to do",
      ],
      // An aigate check run finishing is not a re-run request, though it names the pull request.
      [
        "check_run",
        { action: "completed", check_run: run, repository: opened.repository },
        "check_run.completed is not an event aigate handles",
      ],
    ];
    for (const [event, payload, reason] of ignored) {
      const response = await fetch(`${app.appUrl}/api/github/webhooks`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": event,
          "x-github-delivery": `ignored-${event}`,
          "x-hub-signature-256": await sign(identity.secret, JSON.stringify(payload)),
        },
        body: JSON.stringify(payload),
      });
      expect({ event, status: response.status }).toEqual({ event, status: 202 });
      expect(await response.json()).toEqual({ ignored: reason });
    }
    await app.server.queue.idle();
    expect(submit).not.toHaveBeenCalled();
    expect(app.reconciled).toHaveLength(0);
    expect(sim.requests.slice(mark)).toEqual([]);
    const counted = (await events()).map((v) => [v.labels, v.value]);
    expect(counted).toEqual(
      expect.arrayContaining([
        [{ event: "other", action: "", outcome: "dropped" }, 2],
        [{ event: "pull_request", action: "closed", outcome: "dropped" }, 1],
        [{ event: "issue_comment", action: "created", outcome: "dropped" }, 1],
        [{ event: "check_run", action: "completed", outcome: "dropped" }, 1],
      ]),
    );
    expect(counted).toHaveLength(4);
  });

  it("answers an ignored event with 202, not 503, while the queue is full", async () => {
    const { app, submit } = await watched({ AIGATE_QUEUE_LIMIT: "1" });
    const repo = governedRepo(sim);
    sim.slowNext("pulls/get", 1_000);
    expect(
      await deliver(app.appUrl, identity.secret, "pull_request", openedEvent(repo).payload),
    ).toBe(200);
    expect(app.server.queue.depth).toBe(1);
    expect(await deliver(app.appUrl, identity.secret, "star", { action: "created" })).toBe(202);
    expect(
      await deliver(app.appUrl, identity.secret, "pull_request", openedEvent(repo).payload, {
        signature: null,
      }),
    ).toBe(401);
    expect(
      await deliver(app.appUrl, identity.secret, "pull_request", openedEvent(repo).payload),
    ).toBe(503);
    expect(submit).toHaveBeenCalledTimes(2);
    await app.server.queue.idle();
    expect(app.reconciled).toHaveLength(1);
  });
});

describe("graceful shutdown", () => {
  it("refuses new webhooks with 503, reports not ready, and finishes in-flight work", async () => {
    const app = await replica();
    const repo = governedRepo(sim);
    const inFlight = openedEvent(repo);
    sim.slowNext("pulls/get", 1_000);
    expect(await deliver(app.appUrl, identity.secret, "pull_request", inFlight.payload)).toBe(200);

    const stopping = app.server.shutdown(10_000);
    const late = openedEvent(repo);
    expect(await deliver(app.appUrl, identity.secret, "pull_request", late.payload)).toBe(503);
    const ready = await get(`${app.appUrl}${READYZ_PATH}`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body).checks.webhooks).toBe("shutting down");

    expect(await stopping).toEqual({ drained: true });
    expect(sim.state.checkRuns(repo, inFlight.pr.headSha).latest[OVERSIGHT]?.conclusion).toBe(
      "action_required",
    );
    expect(sim.state.checkRuns(repo, late.pr.headSha).latest).toEqual({});
    await expect(fetch(`${app.appUrl}${HEALTHZ_PATH}`)).rejects.toThrow();
  });

  it("stops waiting at the bound and says the work was cut off", async () => {
    const app = await replica();
    const repo = governedRepo(sim);
    sim.slowNext("pulls/get", 2_000);
    expect(
      await deliver(app.appUrl, identity.secret, "pull_request", openedEvent(repo).payload),
    ).toBe(200);
    expect(await app.server.shutdown(100)).toEqual({ drained: false });
    expect(app.logs.join("\n")).toContain("still in flight after 0.1 s");
  });
});
