/**
 * What a stranger's burst of commands costs the installation (docs/deployment.md#the-write-budget):
 * the real App server, with its production write pacing, against the simulated GitHub over
 * loopback.
 *
 * 1. An account with no association to the repository posts 40 commands on one pull request at
 *    once: 20 `/approve credit-scoring`, 20 `/aigate recheck`. Goals: comments written ≤ 1,
 *    counted requests ≤ 5 (installation tokens apart, as in app-requests).
 * 2. Two real approvals sent during a burst of 20 such `/approve` comments. Goal: the human
 *    oversight check green within 10 s of sending them. The baseline, measured in the same run:
 *    the same two approvals on a pull request with no burst.
 */

import { dirname, join, resolve } from "node:path";
import {
  deliver,
  issueCommentEvent,
  pullRequestEvent,
  type SimPullRequest,
  type SimRepo,
} from "../sim/index.js";
import { governedRepo, readTree, type Stack, startStack } from "../sim/stack.js";
import { sized, timingGoal } from "./quick.js";

// Run through scripts/run-ts.mjs, which bundles this file elsewhere: find the repository from argv.
const ROOT = resolve(dirname(process.argv[1] ?? "bench/stranger-burst.bench.ts"), "..");
const TREE = readTree(join(ROOT, "sim", "repo"));

const OVERSIGHT = "AI governance: human oversight";
const ASSESSMENT_PATH = "governance/assessments/credit-scoring.yml";
const GREEN_TIMEOUT_MS = 120_000;
/** Stranger /approve comments in a burst (as many /aigate recheck in the first). */
const BURST = sized(20, 5);

const stack: Stack = await startStack({ throttling: true });
const failures: string[] = [];

function modelChange(repo: SimRepo, branch: string): SimPullRequest {
  const tree = repo.getCommit(repo.resolveRef("main") ?? "").tree;
  const assessment = stack.sim.state.blobs.get(tree.get(ASSESSMENT_PATH) ?? "") ?? "";
  repo.createBranch(branch);
  repo.commit(branch, {
    files: {
      "models/credit/model.py": "def score(application):\n    return 0.6\n",
      [ASSESSMENT_PATH]: `${assessment}# reviewed\n`,
    },
    author: "dave",
    message: "Tune the model",
  });
  return repo.openPullRequest({ head: branch, author: "dave", title: "Tune the model" });
}

/** Posts a comment and delivers its event; resolves when the App has answered the delivery. */
function command(repo: SimRepo, pr: SimPullRequest, user: string, body: string) {
  const c = repo.addComment(pr.number, { user, body });
  return deliver(
    stack.appUrl,
    stack.secret,
    "issue_comment",
    issueCommentEvent("created", repo, pr, c),
  );
}

async function open(repo: SimRepo, branch: string): Promise<SimPullRequest> {
  const pr = modelChange(repo, branch);
  await stack.send("pull_request", pullRequestEvent("opened", repo, pr));
  return pr;
}

function oversight(repo: SimRepo, pr: SimPullRequest) {
  return stack.sim.state.checkRuns(repo, pr.headSha).latest[OVERSIGHT]?.conclusion;
}

async function greenAfter(repo: SimRepo, pr: SimPullRequest, since: number): Promise<number> {
  while (Date.now() - since < GREEN_TIMEOUT_MS) {
    if (oversight(repo, pr) === "success") return Date.now() - since;
    await new Promise((r) => setTimeout(r, 25));
  }
  return Number.POSITIVE_INFINITY;
}

try {
  // 1. The 40-command burst.
  const repo = governedRepo(stack.sim, TREE, "burst");
  const pr = await open(repo, "burst");
  const mark = stack.sim.requests.length;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: BURST * 2 }, (_, i) =>
      command(repo, pr, "mallory", i % 2 === 0 ? "/approve credit-scoring" : "/aigate recheck"),
    ),
  );
  await stack.server.queue.idle();
  const settled = Date.now() - started;
  const requests = stack.sim.requests
    .slice(mark)
    .filter((r) => r.operationId !== "apps/create-installation-access-token");
  const created = requests.filter((r) => r.operationId === "issues/create-comment").length;
  const edited = requests.filter((r) => r.operationId === "issues/update-comment").length;
  const counted = requests.filter((r) => r.counted).length;
  const writes = requests.filter((r) => r.method !== "GET").length;
  console.log(
    `${BURST * 2} stranger commands on one pull request (${BURST} /approve credit-scoring, ${BURST} /aigate recheck)`,
  );
  console.log("figure                  value  goal");
  const row = (name: string, value: number, goal?: number) => {
    const verdict = goal === undefined ? "" : `≤ ${goal} ${value <= goal ? "met" : "MISSED"}`;
    if (goal !== undefined && value > goal) failures.push(`${name}: ${value} > ${goal}`);
    console.log(`${name.padEnd(22)} ${String(value).padStart(6)}  ${verdict}`);
  };
  row("comments written", created, 1);
  row("comments edited", edited);
  row("counted requests", counted, 5);
  row("all requests", requests.length);
  row("writes", writes);
  console.log(`settled in ${(settled / 1000).toFixed(1)} s`);

  // 2. Two real approvals, alone (baseline) and during a burst of 20 stranger /approve comments.
  const quiet = governedRepo(stack.sim, TREE, "quiet");
  const quietPr = await open(quiet, "quiet");
  const quietStart = Date.now();
  await Promise.all([
    command(quiet, quietPr, "alice", "/approve credit-scoring"),
    command(quiet, quietPr, "erin", "/approve credit-scoring"),
  ]);
  const baseline = await greenAfter(quiet, quietPr, quietStart);
  await stack.server.queue.idle();

  const busy = governedRepo(stack.sim, TREE, "busy");
  const busyPr = await open(busy, "busy");
  const strangers = Array.from({ length: BURST }, () =>
    command(busy, busyPr, "mallory", "/approve credit-scoring"),
  );
  await new Promise((r) => setTimeout(r, 50));
  const busyStart = Date.now();
  const real = [
    command(busy, busyPr, "alice", "/approve credit-scoring"),
    command(busy, busyPr, "erin", "/approve credit-scoring"),
  ];
  const during = await greenAfter(busy, busyPr, busyStart);
  await Promise.all([...strangers, ...real]);
  await stack.server.queue.idle();
  const seconds = (n: number) => (Number.isFinite(n) ? `${(n / 1000).toFixed(1)} s` : "never");
  console.log("\ntwo real approvals until the human oversight check is green");
  console.log(`alone (baseline)                          ${seconds(baseline)}`);
  console.log(
    `during ${BURST} stranger /approve comments      ${seconds(during)}  goal ≤ 10 s ${during <= 10_000 ? "met" : "MISSED"}; ${(during / baseline).toFixed(1)}× the baseline`,
  );
  timingGoal(during <= 10_000);
} finally {
  await stack.stop();
}
if (failures.length > 0) {
  console.log(`\ngoals missed: ${failures.join("; ")}`);
  process.exitCode = 1;
}
