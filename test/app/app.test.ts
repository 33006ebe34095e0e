import { randomUUID } from "node:crypto";
/**
 * The App inside Probot against a mocked GitHub (nock): which calls each event makes, what the
 * check runs and comments say (snapshots of what people read), and how errors end.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import {
  ALICE,
  API,
  APP_KEY,
  BASE,
  contentOf,
  DAVE,
  HEAD,
  installation,
  MALLORY,
  mockGitHub,
  NOW,
  OLD_HEAD,
  pullRequest,
  REPO,
  repository,
  review,
  SIGNING_KEY,
} from "../support/mock-github.js";

const logs: string[] = [];

async function probot(): Promise<Probot> {
  const Octokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
    ...options,
    retry: { enabled: false },
    throttle: { ...(options.throttle as object | undefined), enabled: false },
  }));
  const instance = new Probot({
    appId: 123,
    privateKey: APP_KEY,
    secret: "test-secret",
    Octokit,
    log: pino({ level: "debug" }, { write: (line: string) => void logs.push(line) }),
  });
  await instance.load(
    createApp({
      env: { AIGATE_SIGNING_KEY: SIGNING_KEY, APP_ID: "123" },
      cwd: mkdtempSync(join(tmpdir(), "aigate-nock-")),
      now: () => NOW,
    }),
    { cwd: process.cwd(), addHandler: () => {} },
  );
  return instance;
}

async function receive(app: Probot, name: string, payload: Record<string, unknown>): Promise<void> {
  await app.ready();
  await app.receive({
    // Every event is a delivery of its own, as GitHub sends them.
    id: randomUUID(),
    name,
    payload: { ...payload, repository, installation },
  } as unknown as Parameters<Probot["receive"]>[0]);
}

const opened = { action: "opened", pull_request: pullRequest(), sender: DAVE };

beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  logs.length = 0;
});
afterEach(() => {
  nock.cleanAll();
});

/** A check-run body with the parts that vary between runs of the test replaced. */
function readable(check: Record<string, unknown>) {
  const output = check.output as { title: string; summary: string; annotations: unknown[] };
  return {
    name: check.name,
    conclusion: check.conclusion,
    title: output.title,
    summary: output.summary,
  };
}

describe("the App with a mocked GitHub", () => {
  it("writes both checks for an opened pull request that needs approvals", async () => {
    const written = mockGitHub({});
    await receive(await probot(), "pull_request", opened);
    expect(written.comments).toEqual([]);
    expect(written.checks.map(readable)).toMatchSnapshot();
    // The approver team is asked once, before the checks are written.
    expect(written.reviewRequests).toEqual([{ reviewers: [], team_reviewers: ["model-risk"] }]);
    const calls = written.calls.filter((c) => c.startsWith("POST"));
    expect(calls.indexOf("POST /repos/acme/models/pulls/7/requested_reviewers")).toBeLessThan(
      calls.indexOf("POST /repos/acme/models/check-runs"),
    );
  });

  it("records an eligible review as a signed attestation comment and counts it", async () => {
    const written = mockGitHub({ reviews: [review(301, ALICE, "APPROVED")] });
    await receive(await probot(), "pull_request_review", {
      action: "submitted",
      review: review(301, ALICE, "APPROVED"),
      pull_request: pullRequest(),
      sender: ALICE,
    });
    expect(written.comments).toHaveLength(1);
    expect(written.comments[0]).toMatchSnapshot();
    expect(written.checks.map(readable)[1]).toMatchSnapshot();
  });

  it("keeps an approval given on an earlier head when only other files changed since", async () => {
    const written = mockGitHub({
      reviews: [review(302, ALICE, "APPROVED", OLD_HEAD)],
      since: ["README.md"],
    });
    await receive(await probot(), "pull_request", { ...opened, action: "synchronize" });
    expect(written.calls).toContain(`GET /repos/acme/models/compare/${OLD_HEAD}...${HEAD}`);
    expect(written.checks.map(readable)[1]?.title).toBe(
      "Waiting for 1 of 2 approvals (credit-scoring)",
    );
  });

  it("lists an approval given on an earlier head as stale when governed files changed since", async () => {
    const written = mockGitHub({
      reviews: [review(303, ALICE, "APPROVED", OLD_HEAD)],
      since: ["models/credit/model.py"],
    });
    await receive(await probot(), "pull_request", { ...opened, action: "synchronize" });
    const oversight = written.checks.map(readable)[1];
    expect(oversight?.title).toBe("Waiting for 2 of 2 approvals (credit-scoring)");
    expect(oversight?.summary).toContain(
      "stale: given on 3333333, and governed files changed since",
    );
  });

  it("answers an ineligible /approve once, saying why, without an attestation", async () => {
    const comment = {
      id: 555,
      user: MALLORY,
      body: "/approve credit-scoring",
      created_at: "2026-11-27T11:30:00Z",
      updated_at: "2026-11-27T11:30:00Z",
    };
    const written = mockGitHub({ comments: [comment] });
    await receive(await probot(), "issue_comment", {
      action: "created",
      issue: { number: 7, pull_request: { url: "…" } },
      comment,
      sender: MALLORY,
    });
    expect(written.comments).toMatchSnapshot();
  });

  it("reports a stale /approve written before the latest push", async () => {
    const comment = {
      id: 556,
      user: ALICE,
      body: "/approve",
      created_at: "2026-11-27T09:00:00Z",
      updated_at: "2026-11-27T09:00:00Z",
    };
    const written = mockGitHub({ comments: [comment] });
    await receive(await probot(), "issue_comment", {
      action: "created",
      issue: { number: 7, pull_request: { url: "…" } },
      comment,
      sender: ALICE,
    });
    expect(written.comments).toEqual([
      expect.stringContaining("@alice your `/approve` was not recorded: it is stale"),
    ]);
  });

  it("writes nothing when the checks on the head already say the same", async () => {
    const app = await probot();
    const first = mockGitHub({});
    await receive(app, "pull_request", opened);
    nock.cleanAll();
    const runs = first.checks.map((c, i) => {
      const output = c.output as { title: string; summary: string };
      return {
        id: 100 + i,
        name: c.name,
        status: "completed",
        conclusion: c.conclusion,
        output: { title: output.title, summary: output.summary, text: null, annotations_count: 0 },
      };
    });
    // Another replica, which does not know what the first wrote, lists the runs and finds
    // them saying the same.
    // The opened event asked the approver team for a review; GitHub lists it from then on.
    expect(first.reviewRequests).toEqual([{ reviewers: [], team_reviewers: ["model-risk"] }]);
    const requestedTeams = ["model-risk"];
    const second = mockGitHub({ checkRuns: runs, requestedTeams });
    await receive(await probot(), "pull_request", { ...opened, action: "synchronize" });
    expect(second.checks).toEqual([]);
    expect(second.calls).toContain(`GET /repos/acme/models/commits/${HEAD}/check-runs`);
    nock.cleanAll();
    // The App that wrote them recalls what it wrote. The event that changes nothing costs four
    // requests: what is immutable is cached; the base branch's head is read each time, since a
    // pull request's base.sha lags behind it; the comments are not listed while the pull
    // request counts none; the check runs are not listed (conditional requests make most of
    // these 304s on GitHub, which nock does not model).
    const third = mockGitHub({ checkRuns: runs, requestedTeams });
    await receive(app, "pull_request", { ...opened, action: "synchronize" });
    expect(third.checks).toEqual([]);
    expect(third.calls).toEqual([
      "GET /repos/acme/models/pulls/7",
      "GET /repos/acme/models/git/ref/heads%2Fmain",
      "GET /repos/acme/models/pulls/7/files",
      "GET /repos/acme/models/pulls/7/reviews",
    ]);
  });

  it("lists the comments when the pull request counts some", async () => {
    const chatter = {
      id: 557,
      user: MALLORY,
      body: "Nice.",
      created_at: "2026-11-27T09:00:00Z",
      updated_at: "2026-11-27T09:00:00Z",
    };
    const written = mockGitHub({ comments: [chatter] });
    await receive(await probot(), "pull_request", { ...opened, action: "synchronize" });
    expect(written.calls).toContain("GET /repos/acme/models/issues/7/comments");
  });

  it("lists the comments for a comment event even while the pull request counts none", async () => {
    // GitHub's count can lag behind the comment the event is about.
    const comment = {
      id: 558,
      user: MALLORY,
      body: "/approve credit-scoring",
      created_at: "2026-11-27T11:30:00Z",
      updated_at: "2026-11-27T11:30:00Z",
    };
    const written = mockGitHub({ comments: [comment], commentsCount: 0 });
    await receive(await probot(), "issue_comment", {
      action: "created",
      issue: { number: 7, pull_request: { url: "…" } },
      comment,
      sender: MALLORY,
    });
    expect(written.calls).toContain("GET /repos/acme/models/issues/7/comments");
    expect(written.comments).toEqual([
      expect.stringContaining("@mallory your `/approve` was not recorded"),
    ]);
  });

  it("reads the comments again before recording an approval on a pull request without any", async () => {
    const written = mockGitHub({ reviews: [review(304, ALICE, "APPROVED")] });
    await receive(await probot(), "pull_request_review", {
      action: "submitted",
      review: review(304, ALICE, "APPROVED"),
      pull_request: pullRequest(),
      sender: ALICE,
    });
    const list = "GET /repos/acme/models/issues/7/comments";
    const post = written.calls.indexOf("POST /repos/acme/models/issues/7/comments");
    expect(written.comments).toHaveLength(1);
    // Not listed to plan (none are counted); read twice before posting: to find statements
    // issued meanwhile, then just before the comment is created (exactly once).
    expect(written.calls.filter((c) => c === list)).toHaveLength(2);
    expect(written.calls.lastIndexOf(list)).toBeLessThan(post);
  });

  it("drops an event that cannot change the outcome before any API call", async () => {
    const written = mockGitHub({});
    await receive(await probot(), "pull_request", { ...opened, action: "labeled" });
    await receive(await probot(), "issue_comment", {
      action: "created",
      issue: { number: 7, pull_request: { url: "…" } },
      comment: { id: 1, user: MALLORY, body: "Nice work!" },
      sender: MALLORY,
    });
    expect(written.calls).toEqual([]);
  });

  it("ends in two red checks naming the failing call and GitHub's request id", async () => {
    nock(API)
      .post(`/app/installations/${installation.id}/access_tokens`)
      .reply(201, {
        token: "ghs_nocktoken0000000000000000000000000",
        expires_at: "2099-01-01T00:00:00Z",
      })
      .get(`${REPO}/pulls/7`)
      .reply(200, pullRequest())
      .get(`${REPO}/git/ref/heads%2Fmain`)
      .reply(200, { object: { sha: BASE } })
      .get(/\/repos\/acme\/models\/contents\/.*/)
      .query(true)
      .reply(200, contentOf(".github/ai-governance.yml"))
      .get(`${REPO}/pulls/7/files`)
      .query(true)
      .reply(502, { message: "Server Error" }, { "x-github-request-id": "C0FF:EE00:1234" });
    const checks: Array<Record<string, unknown>> = [];
    nock(API)
      .get(`${REPO}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] })
      .post(`${REPO}/check-runs`)
      .times(2)
      .reply(201, (_uri, body) => {
        checks.push(body as Record<string, unknown>);
        return { id: 1 };
      });
    await receive(await probot(), "pull_request", opened);
    expect(checks.map(readable)).toMatchSnapshot();
    expect(logs.join("")).toContain(
      "GitHub 502 on GET /repos/acme/models/pulls/7/files (request id C0FF:EE00:1234)",
    );
  });

  it("fails closed when GitHub cannot list every changed file", async () => {
    // The PR reports more files than the files API lists (GitHub lists at most 3000).
    nock(API).get(`${REPO}/pulls/7`).reply(200, pullRequest(4000));
    const written = mockGitHub({});
    await receive(await probot(), "pull_request", opened);
    const [assessment, oversight] = written.checks.map(readable);
    expect(assessment?.conclusion).toBe("failure");
    expect(assessment?.summary).toContain("more than 3000 files changed");
    expect(oversight?.conclusion).toBe("failure");
  });
});

describe("starting the App", () => {
  const load = async (env: NodeJS.ProcessEnv) => {
    const handlers: Array<(req: unknown, res: unknown) => unknown> = [];
    const instance = new Probot({
      appId: 123,
      privateKey: APP_KEY,
      log: pino({ level: "silent" }),
    });
    await instance.load(createApp({ env, cwd: mkdtempSync(join(tmpdir(), "aigate-start-")) }), {
      cwd: process.cwd(),
      addHandler: (handler) =>
        void handlers.push(handler as (req: unknown, res: unknown) => unknown),
    });
    return handlers;
  };

  it("refuses to start in production without a webhook secret or a signing key", async () => {
    await expect(load({ NODE_ENV: "production", AIGATE_SIGNING_KEY: SIGNING_KEY })).rejects.toThrow(
      /refuses to start in production without WEBHOOK_SECRET/,
    );
    await expect(load({ NODE_ENV: "production", WEBHOOK_SECRET: "s" })).rejects.toThrow(
      /without AIGATE_SIGNING_KEY/,
    );
  });

  it("serves the current and the earlier public keys at /aigate/jwks.json", async () => {
    const earlier = {
      kty: "OKP",
      crv: "Ed25519",
      x: "B".repeat(43),
      use: "sig",
      alg: "EdDSA",
      not_after: "2026-01-01T00:00:00Z",
    };
    const [handler] = await load({
      AIGATE_SIGNING_KEY: SIGNING_KEY,
      AIGATE_TRUSTED_KEYS: JSON.stringify({ keys: [earlier] }),
    });
    let status = 0;
    let body = "";
    const res = {
      writeHead(code: number) {
        status = code;
        return this;
      },
      end(text?: string) {
        body = text ?? "";
      },
    };
    expect(handler?.({ method: "GET", url: "/aigate/jwks.json" }, res)).toBe(true);
    expect(status).toBe(200);
    const jwks = JSON.parse(body) as { keys: Array<{ x: string; d?: string }> };
    expect(jwks.keys.map((k) => k.x)).toEqual([expect.any(String), earlier.x]);
    expect(jwks.keys.some((k) => "d" in k)).toBe(false);
    expect(handler?.({ method: "GET", url: "/other" }, res)).toBe(false);
  });

  it("refuses an AIGATE_TRUSTED_KEYS entry that is not a valid key, naming it", async () => {
    const bad = {
      kty: "OKP",
      crv: "Ed25519",
      x: "B".repeat(43),
      use: "sig",
      alg: "EdDSA",
      kid: "wrong",
    };
    await expect(
      load({
        AIGATE_SIGNING_KEY: SIGNING_KEY,
        AIGATE_TRUSTED_KEYS: JSON.stringify({ keys: [bad] }),
      }),
    ).rejects.toThrow(/AIGATE_TRUSTED_KEYS.*keys\[0\]\.kid/);
  });
});
