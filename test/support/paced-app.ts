/**
 * The App's own GitHub clients, for the tests of its write pacing: the real server
 * (`startServer`, as `npm start` runs it) against the simulated GitHub, with a plugin on its
 * Octokit that keeps each installation client Probot builds, so a test can queue writes on the
 * very client the App writes with.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { ProbotOctokit } from "probot";
import { deliver, type GitHubSim, pullRequestEvent, type SimRepo } from "../../sim/index.js";
import { freePort } from "../../sim/ports.js";
import type { AppIdentity } from "../../sim/stack.js";
import type { GitHubClient } from "../../src/github/client.js";
import { postComment } from "../../src/github/flow/publish.js";
import { asEvidence } from "../../src/github/replicas/write-priority.js";
import { type AppServer, startServer } from "../../src/server/server.js";

export interface PacedApp {
  server: AppServer;
  /** The installation clients the App made, newest last. */
  clients: GitHubClient[];
  stop(): Promise<void>;
}

/** Starts the App with throttling as in production (`env` adds e.g. REDIS_URL). */
export async function startPacedApp(
  sim: GitHubSim,
  identity: AppIdentity,
  env: Record<string, string> = {},
): Promise<PacedApp> {
  const clients: GitHubClient[] = [];
  const keep = (octokit: unknown, options: { auth?: { installationId?: unknown } }) => {
    if (options.auth?.installationId !== undefined) clients.push(octokit as GitHubClient);
    return {};
  };
  const server = await startServer({
    env: {
      NODE_ENV: "test",
      APP_ID: String(sim.state.app.id),
      PRIVATE_KEY: identity.privateKey,
      WEBHOOK_SECRET: identity.secret,
      GHE_HOST: sim.host,
      GHE_PROTOCOL: "http",
      HOST: "127.0.0.1",
      PORT: String(await freePort()),
      AIGATE_SIGNING_KEY: identity.signingKeyPem,
      ...env,
    },
    cwd: mkdtempSync(join(tmpdir(), "aigate-paced-")),
    Octokit: ProbotOctokit.plugin(keep),
    log: pino({ level: "silent" }),
  });
  return { server, clients, stop: async () => void (await server.shutdown(0)) };
}

/** A pull request by dave that changes the credit-scoring model. */
export function openModelChange(repo: SimRepo, branch: string) {
  repo.createBranch(branch);
  repo.commit(branch, {
    files: { "models/credit/model.py": "def score(application):\n    return 0.6\n" },
    author: "dave",
    message: "Tune the model",
  });
  return repo.openPullRequest({ head: branch, author: "dave", title: "Tune the model" });
}

/**
 * Delivers the opening of a pull request to the App, so that it makes its installation client,
 * and resolves to that client.
 */
export async function installationClient(
  app: PacedApp,
  identity: AppIdentity,
  repo: SimRepo,
): Promise<GitHubClient> {
  const pr = openModelChange(repo, `opened-${Date.now()}`);
  await deliver(
    app.server.url,
    identity.secret,
    "pull_request",
    pullRequestEvent("opened", repo, pr),
  );
  await app.server.queue.idle();
  const client = app.clients.at(-1);
  if (!client) throw new Error("the App made no installation client");
  return client;
}

/**
 * On the App's client: four check-run writes for one pull request, then an evidence comment on
 * another, then one more check-run write. Resolves to the order in which the simulated GitHub
 * received them, `check` or `evidence`.
 */
export async function burst(
  sim: GitHubSim,
  client: GitHubClient,
  repo: SimRepo,
): Promise<string[]> {
  const other = openModelChange(repo, `other-${Date.now()}`);
  const attested = openModelChange(repo, `attested-${Date.now()}`);
  const mark = sim.requests.length;
  const checkRun = (name: string) =>
    client.rest.checks.create({
      owner: repo.owner.login,
      repo: repo.name,
      name: `check ${name}`,
      head_sha: other.headSha,
    });
  await Promise.all([
    ...["1", "2", "3", "4"].map(checkRun),
    asEvidence(() =>
      postComment(
        client,
        { owner: repo.owner.login, repo: repo.name, pullNumber: attested.number },
        "signed",
      ),
    ),
    checkRun("5"),
  ]);
  const created = sim.requests
    .slice(mark)
    .filter((r) => r.operationId === "checks/create" || r.operationId === "issues/create-comment")
    .sort((a, b) => a.at - b.at);
  return created.map((r) => (r.operationId === "issues/create-comment" ? "evidence" : "check"));
}
