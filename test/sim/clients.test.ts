import { generateKeyPairSync } from "node:crypto";
import { type Probot, run, type Server } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deliver,
  type GitHubSim,
  issueCommentEvent,
  pullRequestEvent,
  startGitHubSimulator,
} from "../../sim/index.js";
import { freePort } from "../../sim/ports.js";

const SECRET = "e2e-webhook-secret";
const CHECK = "AI governance: risk assessment";

/** A tiny app doing what aigate does on each event: read at base, list files, write a check. */
function appFn(app: Probot): void {
  app.on("pull_request.opened", async (context) => {
    const pr = context.payload.pull_request;
    const manifest = await context.octokit.rest.repos.getContent(
      context.repo({ path: ".github/ai-governance.yml", ref: pr.base.sha }),
    );
    const files = await context.octokit.paginate(
      context.octokit.rest.pulls.listFiles,
      context.repo({ pull_number: pr.number, per_page: 100 }),
    );
    await context.octokit.rest.checks.create(
      context.repo({
        name: CHECK,
        head_sha: pr.head.sha,
        conclusion: "success",
        output: {
          title: `${files.length} files`,
          summary: Array.isArray(manifest.data) ? "dir" : manifest.data.type,
        },
      }),
    );
  });
  app.on("issue_comment.created", async (context) => {
    await context.octokit.rest.issues.createComment(
      context.issue({ body: `seen ${context.payload.comment.id}` }),
    );
  });
}

let sim: GitHubSim;
let server: Server;
let appUrl: string;
const apiUrlBefore = process.env.GITHUB_API_URL;

beforeAll(async () => {
  sim = await startGitHubSimulator();
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const port = await freePort();
  server = await run(appFn, {
    env: {
      APP_ID: String(sim.state.app.id),
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: sim.host,
      GHE_PROTOCOL: "http",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "fatal",
      LOG_FORMAT: "json",
    },
  });
  appUrl = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  if (apiUrlBefore === undefined) delete process.env.GITHUB_API_URL;
  else process.env.GITHUB_API_URL = apiUrlBefore;
  await server?.stop();
  await sim?.stop();
});

function scenario(name: string) {
  const repo = sim.state.createRepo({ owner: "acme", name });
  repo.commit("main", { files: { ".github/ai-governance.yml": "version: 1\n" }, author: "carol" });
  repo.commit("feature", {
    files: Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`data/${i}.csv`, `${i}\n`])),
    author: "dave",
  });
  const pr = repo.openPullRequest({ head: "feature", author: "dave" });
  return { repo, pr };
}

describe("a Probot server pointed at the simulator with GHE_HOST and GHE_PROTOCOL=http", () => {
  it("authenticates as the installation, reads, paginates and writes a check run", async () => {
    const { repo, pr } = scenario("probot-pr");
    const mark = sim.requests.length;
    const status = await deliver(
      appUrl,
      SECRET,
      "pull_request",
      pullRequestEvent("opened", repo, pr),
    );
    expect(status).toBe(200);
    const run = sim.state.checkRuns(repo, pr.headSha).latest[CHECK];
    expect(run).toMatchObject({
      conclusion: "success",
      output: { title: "120 files", summary: "file" },
    });
    expect(run?.app.slug).toBe("aigate");
    expect(sim.requests.slice(mark).map((r) => `${r.operationId} ${r.status}`)).toEqual([
      "apps/create-installation-access-token 201",
      "repos/get-content 200",
      "pulls/list-files 200",
      "pulls/list-files 200",
      "checks/create 201",
    ]);
  });

  it("answers comment events as the app's bot", async () => {
    const { repo, pr } = scenario("probot-comment");
    const comment = repo.addComment(pr.number, { user: "alice", body: "/aigate recheck" });
    const status = await deliver(
      appUrl,
      SECRET,
      "issue_comment",
      issueCommentEvent("created", repo, pr, comment),
    );
    expect(status).toBe(200);
    const reply = sim.state.comments(repo, pr).at(-1);
    expect(reply).toMatchObject({ body: `seen ${comment.id}`, user: { login: "aigate[bot]" } });
  });

  it("rejects a delivery with a bad signature before calling GitHub", async () => {
    const { repo, pr } = scenario("probot-forged");
    const mark = sim.requests.length;
    const status = await deliver(
      appUrl,
      "not-the-secret",
      "pull_request",
      pullRequestEvent("opened", repo, pr),
    );
    expect(status).toBeGreaterThanOrEqual(400);
    expect(sim.requests.slice(mark)).toEqual([]);
    expect(sim.state.checkRuns(repo, pr.headSha).all).toEqual([]);
  });
});

describe("@actions/github pointed at the simulator with GITHUB_API_URL", () => {
  it("reads a pull request and writes a check run through undici fetch", async () => {
    const { repo, pr } = scenario("action-pr");
    process.env.GITHUB_API_URL = sim.apiUrl;
    // The base URL is read when the module loads.
    const { getOctokit } = await import("@actions/github");
    const octokit = getOctokit("ghs_workflow_token");
    const { data } = await octokit.rest.pulls.get({
      owner: "acme",
      repo: repo.name,
      pull_number: pr.number,
    });
    expect(data.head.sha).toBe(pr.headSha);
    await octokit.rest.checks.create({
      owner: "acme",
      repo: repo.name,
      name: CHECK,
      head_sha: pr.headSha,
      status: "in_progress",
    });
    expect(sim.state.checkRuns(repo, pr.headSha).latest[CHECK]?.status).toBe("in_progress");
  });
});
