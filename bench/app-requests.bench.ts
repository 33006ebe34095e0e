/**
 * The App's cost per webhook event, on a typical pull request (≤ 100 files, ≤ 100 comments,
 * 2 affected systems):
 *
 * 1. GitHub requests per event kind at the simulated GitHub: all of them, those counted
 *    against the installation's rate limit (a `304` to a conditional request is not), and the
 *    writes. Goals (docs/deployment.md#11-rate-limit-economy): an event that changes nothing
 *    ≤ 1 counted request and no write; a new approval ≤ 4 counted; an opened pull request
 *    ≤ 9 counted. Where it matters an event is measured twice: right after the App's own writes
 *    (the first read of what they changed is a full, counted answer) and in the steady state.
 *    A goal missed for a reason the page explains is reported; a request beyond the figure
 *    the page explains fails the run (`--calls` lists every request);
 * 2. app CPU per event over 1000 events (goal: median ≤ 2 ms), against a baseline measured in
 *    the same run: what Probot itself spends receiving the same event (signature check, JSON
 *    parse, dispatch) before any app code runs.
 */
import { dirname, join, resolve } from "node:path";
import { Octokit } from "@octokit/rest";
import { Webhooks } from "@octokit/webhooks";
import { sign } from "@octokit/webhooks-methods";
import {
  checkRunRerequestedEvent,
  enqueue,
  issueCommentEvent,
  isWriteRequest,
  mergeGroupEvent,
  pullRequestEvent,
  pullRequestReviewEvent,
  pushEvent,
  type WebhookPayload,
} from "../sim/index.js";
import { governedRepo, readTree, startStack } from "../sim/stack.js";
import { createSigner } from "../src/core/attestation/index.js";
import type { GitHubClient } from "../src/github/client.js";
import { targetOf } from "../src/github/events/router.js";
import { reconcile } from "../src/github/flow/reconcile.js";
import { createAdapterCache } from "../src/github/reads/cache.js";
import { sized } from "./quick.js";

// Run through scripts/run-ts.mjs, which bundles this file elsewhere: find the repository from argv.
const ROOT = resolve(dirname(process.argv[1] ?? "bench/app-requests.bench.ts"), "..");
const FIXTURE = join(ROOT, "sim", "repo");
const EVENTS = sized(1000, 50);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
const p95 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length * 0.95)] ?? Number.NaN;
};
const ms = (n: number) => `${n.toFixed(3)} ms`;

const stack = await startStack();
const failures: string[] = [];
try {
  const { sim } = stack;
  const tree = readTree(FIXTURE);
  const repo = governedRepo(sim, tree, "typical");
  for (const login of ["bob", "ivy", "joe"]) sim.state.addUser({ login });
  // Colleagues in the organisation: their /aigate recheck is honoured (docs/app.md#who-may-command-what).
  sim.state.addTeam("acme/ml-engineers", ["bob", "ivy", "joe"]);

  // A typical change: 60 model files, 30 prompt files, the assessment and 8 other files.
  const files: Record<string, string> = {};
  for (let i = 0; i < 60; i++) files[`models/credit/layer_${i}.py`] = `w = ${i}\n`;
  for (let i = 0; i < 30; i++)
    files[`prompts/support/answer_${i}.md`] = `Answer politely (${i}).\n`;
  for (let i = 0; i < 8; i++) files[`docs/notes_${i}.md`] = `note ${i}\n`;
  files["governance/assessments/credit-scoring.yml"] =
    `${tree["governance/assessments/credit-scoring.yml"] ?? ""}# reviewed\n`;
  repo.createBranch("typical");
  repo.commit("typical", { files, author: "dave", message: "A typical change" });
  const pr = repo.openPullRequest({ head: "typical", author: "dave", title: "A typical change" });
  // The conversation so far: 96 ordinary comments.
  for (let i = 0; i < 96; i++) {
    repo.addComment(pr.number, {
      user: ["bob", "ivy", "joe"][i % 3] ?? "bob",
      body: `Comment ${i}: looks plausible.`,
    });
  }

  interface Row {
    event: string;
    total: number;
    counted: number;
    notModified: number;
    writes: number;
    token: number;
    note: string;
    /** The product goal for counted requests, where there is one. */
    goal?: number;
    /**
     * What this build is held to where it misses the goal for a reason docs/deployment.md
     * explains (the first read after a change is a full answer): one more fails the run.
     */
    budget?: number;
  }
  const rows: Row[] = [];
  async function measure(
    event: string,
    payload: WebhookPayload,
    note: string,
    options: { deliveryId?: string; status?: number; goal?: number; budget?: number } = {},
  ): Promise<Row> {
    const mark = sim.requests.length;
    const { status: expected = 200, goal, budget, ...deliver } = options;
    const status = await stack.send(event.split(".")[0] ?? event, payload, deliver);
    if (status !== expected) failures.push(`${event}: the App answered ${status}`);
    const requests = sim.requests.slice(mark);
    const token = requests.filter(
      (r) => r.operationId === "apps/create-installation-access-token",
    ).length;
    const rest = requests.filter((r) => r.operationId !== "apps/create-installation-access-token");
    const row: Row = {
      event,
      total: rest.length,
      counted: rest.filter((r) => r.counted).length,
      notModified: rest.filter((r) => r.status === 304).length,
      writes: rest.filter(isWriteRequest).length,
      token,
      note,
      ...(goal !== undefined ? { goal } : {}),
      ...(budget !== undefined ? { budget } : {}),
    };
    rows.push(row);
    if (process.argv.includes("--calls")) {
      console.log(`${event} (${note}):`);
      for (const r of rest) {
        const counted = r.counted ? "counted" : "not counted";
        console.log(
          `    ${r.method} ${r.operationId ?? r.path} ${r.status} (${counted}) ${r.path}`,
        );
      }
    }
    return row;
  }

  /** Counted requests and writes of one event, as the rows above count them. */
  async function cost(event: string, payload: WebhookPayload, deliveryId?: string) {
    const mark = sim.requests.length;
    await stack.send(event.split(".")[0] ?? event, payload, deliveryId ? { deliveryId } : {});
    const rest = sim.requests
      .slice(mark)
      .filter((r) => r.operationId !== "apps/create-installation-access-token");
    if (process.argv.includes("--calls")) {
      console.log(`${event} (review requests):`);
      for (const r of rest) {
        console.log(
          `    ${r.method} ${r.operationId ?? r.path} ${r.status} ${r.counted ? "counted" : ""}`,
        );
      }
    }
    return {
      counted: rest.filter((r) => r.counted).length,
      writes: rest.filter(isWriteRequest).length,
    };
  }

  /** One pull request through the events review requests care about, in a repository of `mode`. */
  let scenarioInstallation = 100;
  async function requestScenario(mode: "off" | "teams", name: string) {
    const manifest = tree[".github/ai-governance.yml"] ?? "";
    // Each scenario in an installation of its own: the writes of the events measured before
    // would otherwise fill this installation's write budget for the minute, and its review
    // requests, optional writes, would be dropped (docs/deployment.md#the-write-budget).
    const own = governedRepo(
      sim,
      {
        ...tree,
        ".github/ai-governance.yml": manifest.replace(
          "  policy: docs/ai-policy.md",
          `  policy: docs/ai-policy.md\n  request_reviews: ${mode}`,
        ),
      },
      name,
      ++scenarioInstallation,
    );
    own.createBranch("change");
    own.commit("change", { files, author: "dave", message: "A typical change" });
    const change = own.openPullRequest({ head: "change", author: "dave", title: "Change" });
    const figures: Array<{
      note: string;
      cost: { counted: number; writes: number };
      requested: number;
    }> = [];
    const step = async (note: string, event: string, payload: WebhookPayload, id?: string) => {
      const c = await cost(event, payload, id);
      figures.push({
        note,
        cost: c,
        requested: change.requestedTeams.length + change.requestedUsers.length,
      });
    };
    await step("opened, waiting", "pull_request.opened", pullRequestEvent("opened", own, change));
    // The first read after a write of ours is a full answer: the pull request changed.
    await step(
      "opened again, right after our request",
      "pull_request.opened",
      pullRequestEvent("opened", own, change),
      `${name}-opened-again`,
    );
    await step(
      "opened again, steady state",
      "pull_request.opened",
      pullRequestEvent("opened", own, change),
      `${name}-opened-third`,
    );
    const recheck = own.addComment(change.number, { user: "bob", body: "/aigate recheck" });
    await step(
      "/aigate recheck",
      "issue_comment.created",
      issueCommentEvent("created", own, change, recheck),
    );
    for (const [i, user] of ["alice", "erin"].entries()) {
      const r = change.addReview({ user, state: "APPROVED" });
      await step(
        i === 0 ? "review approved (1 of 2)" : "review approved (2 of 2)",
        "pull_request_review.submitted",
        pullRequestReviewEvent("submitted", own, change, r),
      );
    }
    const before = change.headSha;
    own.commit("change", {
      files: { "models/credit/layer_0.py": "w = -1\n" },
      author: "dave",
      message: "Retrain",
    });
    await step(
      "push making 2 approvals stale",
      "pull_request.synchronize",
      pullRequestEvent("synchronize", own, change, { before }),
    );
    await step(
      "the same push again, right after our request",
      "pull_request.synchronize",
      pullRequestEvent("synchronize", own, change, { before }),
      `${name}-push-again`,
    );
    await step(
      "the same push again, steady state",
      "pull_request.synchronize",
      pullRequestEvent("synchronize", own, change, { before }),
      `${name}-push-third`,
    );
    return figures;
  }

  async function reviewRequestFigures() {
    await requestScenario("off", "warm-off");
    await requestScenario("teams", "warm-teams");
    const off = await requestScenario("off", "requests-off");
    const teams = await requestScenario("teams", "requests-teams");
    // Goals (docs/app.md#review-requests): an opened pull request that waits, and a push that
    // makes approvals stale, add at most one read and one write; an event with nothing to ask
    // adds nothing, but the first read of the pull request after our request is a full answer.
    const goals: Record<string, { counted: number; writes: number }> = {
      "opened, waiting": { counted: 1, writes: 1 },
      "opened again, right after our request": { counted: 1, writes: 0 },
      "push making 2 approvals stale": { counted: 1, writes: 1 },
      "the same push again, right after our request": { counted: 1, writes: 0 },
    };
    const expected = [1, 1, 1, 1, 1, 0, 2, 2, 2];
    return teams.map((t, i) => ({
      note: t.note,
      teams: t.cost,
      off: off[i]?.cost ?? { counted: 0, writes: 0 },
      goal: goals[t.note] ?? { counted: 0, writes: 0 },
      requested: t.requested,
      expected: expected[i] ?? 0,
    }));
  }

  await measure(
    "pull_request.opened",
    pullRequestEvent("opened", repo, pr),
    "first event after a start (nothing cached), ~100 comments: writes both checks, asks the team",
    { goal: 9, budget: 16 },
  );
  const review = pr.addReview({ user: "alice", state: "APPROVED" });
  const reviewPayload = pullRequestReviewEvent("submitted", repo, pr, review);
  await measure(
    "pull_request_review.submitted",
    reviewPayload,
    "new approval, right after our own writes: attestation + oversight check; the statement names each governed file it approves, read in GraphQL batches",
    // An approval names every governed file it approves with the sha256 of its bytes
    // (docs/attestation.md#how-the-files-are-read): the first statement on this head reads the
    // pull request's 60 governed files in 2 GraphQL requests of at most 50 files (65 counted
    // when each was read through REST); a blob read once is known afterwards. The goal of 4
    // predates file subjects.
    { deliveryId: "bench-review-1", goal: 4, budget: 7 },
  );
  const second = repo.addComment(pr.number, {
    user: "erin",
    body: "/approve credit-scoring -- eval report read",
  });
  await measure(
    "issue_comment.created",
    issueCommentEvent("created", repo, pr, second),
    "/approve, right after our own writes: attestation + oversight check",
    { goal: 4, budget: 5 },
  );
  const unchanged: Row[] = [];
  const same = async (
    event: string,
    payload: WebhookPayload,
    note: string,
    options: { deliveryId?: string; budget?: number } = {},
  ) => unchanged.push(await measure(event, payload, note, { goal: 1, ...options }));
  // A redelivery carries the delivery's own id: recognised, and dropped before any request.
  await same(
    "pull_request_review.submitted",
    reviewPayload,
    "redelivery right after our own writes: changes nothing",
    { deliveryId: "bench-review-1" },
  );
  // What reconciling the same state costs when nothing tells it is a redelivery.
  await measure(
    "pull_request_review.submitted",
    reviewPayload,
    "same review, another delivery id, right after our own writes",
    { deliveryId: "bench-review-1-again", budget: 2 },
  );
  await same(
    "pull_request_review.submitted",
    reviewPayload,
    "same review, another delivery id, steady state: changes nothing",
    { deliveryId: "bench-review-1-third" },
  );
  const recheck = repo.addComment(pr.number, { user: "bob", body: "/aigate recheck" });
  await same(
    "issue_comment.created",
    issueCommentEvent("created", repo, pr, recheck),
    "/aigate recheck: a new comment; lists the check runs afresh",
    { budget: 3 },
  );
  const runs = sim.state.checkRuns(repo, pr.headSha).latest;
  const oversight = runs["AI governance: human oversight"];
  if (oversight) {
    await same(
      "check_run.rerequested",
      checkRunRerequestedEvent(repo, oversight),
      "re-run of a check, steady state: changes nothing",
    );
  }
  const chatter = repo.addComment(pr.number, { user: "ivy", body: "Thanks!" });
  await measure(
    "issue_comment.created",
    issueCommentEvent("created", repo, pr, chatter),
    "no command: dropped",
    { status: 202 },
  );
  await measure(
    "pull_request.edited",
    pullRequestEvent("edited", repo, pr, { changes: { title: { from: "x" } } }),
    "retitled: dropped",
    { status: 202 },
  );
  const before = pr.headSha;
  repo.commit("typical", { files: { "docs/notes_0.md": "note 0, revised\n" }, author: "dave" });
  await measure(
    "pull_request.synchronize",
    pullRequestEvent("synchronize", repo, pr, { before }),
    "push of other files: checks on the new head",
  );
  // The same delivery again at once: nothing on GitHub changed since the App last looked.
  const rerun = sim.state.checkRuns(repo, pr.headSha).latest["AI governance: human oversight"];
  if (rerun) {
    await same(
      "check_run.rerequested",
      checkRunRerequestedEvent(repo, rerun),
      "re-run right after a push (our own check writes): changes nothing",
    );
  }
  // The same change opened as a new pull request, before anyone commented on it.
  repo.createBranch("typical-fresh");
  repo.commit("typical-fresh", {
    files: { ...files, "docs/notes_0.md": "note 0, fresh\n" },
    author: "dave",
    message: "The same change, proposed afresh",
  });
  const fresh = repo.openPullRequest({ head: "typical-fresh", author: "dave", title: "Fresh" });
  await measure(
    "pull_request.opened",
    pullRequestEvent("opened", repo, fresh),
    "a new pull request, no comments yet: writes both checks, asks the team",
    { goal: 9, budget: 11 },
  );
  fresh.close();
  // A pull request that touches no AI system: at most its two check writes.
  repo.createBranch("docs-only");
  repo.commit("docs-only", { files: { "docs/notes_1.md": "reworded\n" }, author: "dave" });
  const plain = repo.openPullRequest({ head: "docs-only", author: "dave", title: "Docs" });
  const untouched = await measure(
    "pull_request.opened",
    pullRequestEvent("opened", repo, plain),
    "no AI system touched: two checks",
  );
  if (untouched.writes > 2) {
    failures.push(
      `a pull request touching no AI system made ${untouched.writes} writes (goal ≤ 2)`,
    );
  }

  // The pull request enters the merge queue: both checks on the group's head.
  const group = enqueue(repo, pr);
  await measure(
    "merge_group.checks_requested",
    mergeGroupEvent(repo, group),
    "merge queue entry: both checks on the group's head",
  );

  // Nine more open pull requests on main, each seen once; then pushes to main.
  for (let i = 0; i < 9; i++) {
    const branch = `small-${i}`;
    repo.createBranch(branch);
    repo.commit(branch, {
      files: { [`prompts/support/extra_${i}.md`]: `Extra ${i}.\n` },
      author: "dave",
    });
    const small = repo.openPullRequest({ head: branch, author: "dave", title: `Small ${i}` });
    await stack.send("pull_request", pullRequestEvent("opened", repo, small));
  }
  const manifestPath = ".github/ai-governance.yml";
  let baseBefore = repo.resolveRef("main") ?? "";
  repo.commit("main", { files: { "README.md": "Governed models.\n" }, author: "carol" });
  await measure("push", pushEvent(repo, "main", baseBefore), "base push of other files: dropped", {
    goal: 0,
  });
  baseBefore = repo.resolveRef("main") ?? "";
  const manifest = repo.fileAt("main", manifestPath)?.content ?? "";
  repo.commit("main", {
    files: { [manifestPath]: manifest.replace("approvals: 2", "approvals: 3") },
    author: "carol",
  });
  await measure(
    "push",
    pushEvent(repo, "main", baseBefore),
    "base push changing the manifest: 10 open pull requests re-evaluated",
  );

  // What lands (docs/app.md#merge-verification): a push merging a governed pull request gets
  // one merge verification; the same delivery again costs nothing.
  const landing = [...repo.pulls.values()].find((p) => p.headRef === "small-0");
  if (!landing) throw new Error("no pull request small-0");
  baseBefore = repo.resolveRef("main") ?? "";
  landing.merge("carol");
  const landed = pushEvent(repo, "main", baseBefore);
  // Issue 17's goal, ≤ 6 counted with the write: 5 reads (the commit, the records already on
  // it, its pull requests, the checks of that pull request's head, the attestation comments)
  // and 1 write (the record). The head's blobs come from the file list the App read for that
  // head; an App that never saw the head reads its tree once more.
  await measure(
    "push",
    landed,
    "push landing a merged governed pull request: 5 reads and 1 write",
    {
      goal: 6,
      deliveryId: "landed-push",
    },
  );
  await measure("push", landed, "the same push redelivered: dropped", {
    goal: 0,
    deliveryId: "landed-push",
  });
  baseBefore = repo.resolveRef("main") ?? "";
  repo.commit("main", { files: { "docs/notes.md": "Notes.\n" }, author: "carol" });
  await measure(
    "push",
    pushEvent(repo, "main", baseBefore),
    "push of other files after it: no merge verification",
    {
      goal: 0,
    },
  );

  console.log(
    "GitHub requests per event (typical PR: 99 files, ~100 comments, 2 systems affected)",
  );
  console.log(
    "event                            total  counted  304s  writes  token  goal          note",
  );
  for (const r of rows) {
    const verdict =
      r.goal === undefined ? "" : `≤ ${r.goal} ${r.counted <= r.goal ? "met" : "MISSED"}`;
    console.log(
      `${r.event.padEnd(32)} ${String(r.total).padStart(5)}  ${String(r.counted).padStart(7)}  ${String(r.notModified).padStart(4)}  ${String(r.writes).padStart(6)}  ${String(r.token).padStart(5)}  ${verdict.padEnd(12)}  ${r.note}`,
    );
  }
  console.log(
    "(counted: against the installation's rate limit; a 304 to a conditional request is not. " +
      "token: installation-token requests; Probot caches the token for an hour. " +
      "docs/deployment.md#11-rate-limit-economy explains each counted request)",
  );
  const events = rows.filter((r) => r.total > 0 || r.writes > 0);
  const sum = (f: (r: Row) => number) => rows.reduce((n, r) => n + f(r), 0);
  console.log(
    `per event over these ${rows.length} events: ${(sum((r) => r.total) / rows.length).toFixed(1)} total, ` +
      `${(sum((r) => r.counted) / rows.length).toFixed(1)} counted, ${(sum((r) => r.writes) / rows.length).toFixed(1)} writes` +
      ` (${events.length} events reached GitHub)`,
  );
  const missed = rows.filter((r) => r.goal !== undefined && r.counted > r.goal);
  if (missed.length > 0) {
    console.log("Goals missed (explained in docs/deployment.md#11-rate-limit-economy):");
    for (const r of missed) {
      console.log(`  - ${r.event} (${r.note}): ${r.counted} counted, goal ≤ ${r.goal}`);
    }
  }
  // A goal missed for an explained reason is reported; a read beyond that fails the run.
  for (const r of rows) {
    const limit = r.budget ?? r.goal;
    if (limit !== undefined && r.counted > limit) {
      failures.push(
        `${r.event} (${r.note}) made ${r.counted} counted requests (allowed ${limit}, goal ≤ ${r.goal})`,
      );
    }
  }
  for (const u of unchanged) {
    if (u.writes > 0) failures.push(`${u.event} changed nothing but wrote ${u.writes} times`);
  }

  // Review requests (docs/policy.md#review-requests): the same events on two repositories that
  // differ only in governance.request_reviews, off (the baseline) and teams (the default),
  // each after a warm-up of its own, so that what teams adds is measured in the same run.
  const requestRows = await reviewRequestFigures();
  console.log();
  console.log("Review requests: what request_reviews: teams adds to the same events with off");
  console.log(
    "event                                           off counted/writes  teams counted/writes  added reads/writes  goal",
  );
  for (const r of requestRows) {
    // Writes are counted requests too: the reads added are the counted requests less the writes.
    const added = {
      counted: r.teams.counted - r.teams.writes - (r.off.counted - r.off.writes),
      writes: r.teams.writes - r.off.writes,
    };
    const met = added.counted <= r.goal.counted && added.writes <= r.goal.writes;
    console.log(
      `${r.note.padEnd(47)} ${`${r.off.counted}/${r.off.writes}`.padStart(18)}  ${`${r.teams.counted}/${r.teams.writes}`.padStart(20)}  ${`${added.counted}/${added.writes}`.padStart(20)}  ≤ ${r.goal.counted}/${r.goal.writes} ${met ? "met" : "MISSED"}`,
    );
    if (!met) {
      failures.push(
        `review requests: ${r.note} added ${added.counted} counted and ${added.writes} writes (goal ≤ ${r.goal.counted}/${r.goal.writes})`,
      );
    }
    if (r.requested !== r.expected) {
      failures.push(
        `review requests: ${r.note} left ${r.requested} requested, expected ${r.expected}`,
      );
    }
  }

  // CPU: replay the steady-state event (a recheck on the PR above) 1000 times against the
  // recorded GitHub answers, so the figure is the App's own work and not the simulator's.
  const tape = new Map<string, unknown>();
  const live = new Octokit({
    baseUrl: sim.apiUrl,
    auth: "bench-token",
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
  const recorder = taped(live as unknown as GitHubClient, tape, "record");
  const replay = taped(live as unknown as GitHubClient, tape, "replay");
  const signer = createSigner(stack.signingKeyPem);
  const deps = {
    signer,
    trustedJwks: { keys: [{ ...signer.publicJwk }] },
    issuer: { kind: "app" as const },
    now: () => new Date(),
    log: { info() {}, warn() {}, error() {} },
    cache: createAdapterCache(),
  };
  const payload = issueCommentEvent("created", repo, pr, recheck);
  const target = { owner: "acme", repo: "typical", pullNumber: pr.number };
  const recorded = await reconcile(recorder, target, deps);
  if (recorded.error) failures.push(`recording failed: ${recorded.error.description}`);

  const body = JSON.stringify(payload);
  const secret = "bench-secret";
  const signature = await sign(secret, body);
  const webhooks = new Webhooks({ secret });
  webhooks.onAny(() => {});
  const baseline: number[] = [];
  const app: number[] = [];
  for (let i = 0; i < EVENTS; i++) {
    // Baseline: Probot's own receipt of the event (signature, parse, dispatch), nothing of ours.
    let start = process.cpuUsage();
    await webhooks.verifyAndReceive({
      id: `b${i}`,
      name: "issue_comment",
      payload: body,
      signature,
    });
    let used = process.cpuUsage(start);
    baseline.push((used.user + used.system) / 1000);

    start = process.cpuUsage();
    const t = targetOf("issue_comment.created", JSON.parse(body));
    if (t) await reconcile(replay, target, deps);
    used = process.cpuUsage(start);
    app.push((used.user + used.system) / 1000);
  }
  const ratio = median(app) / median(baseline);
  console.log();
  console.log(
    `App CPU per event over ${EVENTS} events (steady state: /aigate recheck with 2 attestations to verify)`,
  );
  console.log(
    `  baseline (Probot receiving the event): median ${ms(median(baseline))}, p95 ${ms(p95(baseline))}`,
  );
  console.log(
    `  aigate (filter, reconcile, evaluate, render): median ${ms(median(app))}, p95 ${ms(p95(app))}`,
  );
  console.log(`  ratio aigate / baseline (medians): ${ratio.toFixed(1)}×   goal: median ≤ 2 ms`);
  // Timing varies between machines: over the goal is reported, only request counts fail the run.
  console.log(median(app) <= 2 ? "  within the goal" : "  OVER the 2 ms goal on this machine");
} finally {
  if (failures.length > 0) {
    for (const line of stack.logs.filter((l) => /"level":50/.test(l)))
      console.log(line.slice(0, 600));
  }
  await stack.stop();
}
if (failures.length > 0) {
  console.log("\nFailed:");
  for (const f of failures) console.log(`  - ${f}`);
  process.exitCode = 1;
}

/**
 * A client that records every answer of `real` (mode "record") or replays them (mode
 * "replay"), keyed by method and parameters. Writes are answered without being sent.
 */
function taped(
  real: GitHubClient,
  tape: Map<string, unknown>,
  mode: "record" | "replay",
): GitHubClient {
  const call = async (
    name: string,
    fn: (params: unknown) => Promise<{ data: unknown }>,
    params: unknown,
  ) => {
    const key = `${name} ${JSON.stringify(params)}`;
    if (/\.(create|update)/.test(name)) return { data: { id: 1 } };
    if (mode === "replay") {
      if (!tape.has(key)) throw new Error(`not recorded: ${key}`);
      const answer = tape.get(key) as { data?: unknown; status?: number };
      if (answer.status !== undefined) throw Object.assign(new Error("recorded error"), answer);
      return { data: answer.data };
    }
    try {
      const { data } = await fn(params);
      tape.set(key, { data });
      return { data };
    } catch (error) {
      tape.set(key, { status: (error as { status?: number }).status ?? 500 });
      throw error;
    }
  };
  const restProxy = new Proxy(real.rest, {
    get(target, namespace: string) {
      const methods = (
        target as unknown as Record<
          string,
          Record<string, (p: unknown) => Promise<{ data: unknown }>>
        >
      )[namespace];
      return new Proxy(methods ?? {}, {
        get(inner, method: string) {
          const fn = inner[method];
          if (!fn) return undefined;
          const wrapped = (params: unknown) => call(`${namespace}.${method}`, fn, params);
          return wrapped;
        },
      });
    },
  });
  const paginate = async (fn: (p: unknown) => Promise<{ data: unknown }>, params: unknown) =>
    (await fn(params)).data;
  return { ...real, rest: restProxy, paginate } as unknown as GitHubClient;
}
