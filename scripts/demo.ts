/**
 * `npm run demo`: the whole product in a minute, with no credentials. Starts a simulated GitHub
 * and the App on loopback, plays a scripted pull request on the example repository through to
 * the merge queue, prints what people see, and ends by verifying the pull request's attestation
 * comments offline with `aigate verify`, as an auditor would.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import {
  enqueue,
  issueCommentEvent,
  mergeGroupEvent,
  pullRequestEvent,
  pullRequestReviewEvent,
  type SimPullRequest,
  type SimRepo,
} from "../sim/index.js";
import { governedRepo, readTree, startStack } from "../sim/stack.js";
import { main as aigate } from "../src/cli/index.js";
import { ANSWERS_MARKER, parseAnswers } from "../src/core/report/index.js";

// Run through scripts/run-ts.mjs, which bundles this file elsewhere: find the repository from argv.
const ROOT = resolve(dirname(process.argv[1] ?? "scripts/demo.ts"), "..");
const EXAMPLE = join(ROOT, "examples", "demo");
const ASSESSMENT = "governance/assessments/credit-scoring.yml";
const say = (text = "") => process.stdout.write(`${text}\n`);
const indent = (text: string, by = "   ") =>
  text
    .trimEnd()
    .split("\n")
    .map((line) => `${by}${line}`)
    .join("\n");

function showChecks(repo: SimRepo, pr: SimPullRequest | string): void {
  const sha = typeof pr === "string" ? pr : pr.headSha;
  const runs = repo.state.checkRuns(repo, sha).latest;
  for (const run of Object.values(runs).sort((a, b) => b.name.localeCompare(a.name))) {
    const mark = run.conclusion === "success" ? "✓" : "✗";
    say(`   ${mark} ${run.name}: ${run.conclusion} — ${run.output.title}`);
  }
}

const stack = await startStack();
let exitCode = 1;
try {
  const { sim } = stack;
  const tree = readTree(EXAMPLE);
  const repo = governedRepo(sim, tree, "lending");
  say("aigate demo — no credentials needed");
  say(`   simulated GitHub: ${sim.url}   the App: ${stack.appUrl}`);
  say(`   repository ${repo.fullName}: the example tree (examples/demo), manifest on main`);
  say();

  repo.createBranch("retrain");
  repo.commit("retrain", {
    files: {
      "models/credit/model.py": `${tree["models/credit/model.py"] ?? ""}\n# retrained on 2026 Q3 data\n`,
    },
    author: "dave",
    message: "Retrain the credit model",
  });
  const pr = repo.openPullRequest({
    head: "retrain",
    author: "dave",
    title: "Retrain the credit model",
  });
  await stack.send("pull_request", pullRequestEvent("opened", repo, pr));
  say(`1. dave opens #${pr.number} "${pr.title}", touching models/credit/model.py`);
  showChecks(repo, pr);

  const own = repo.addComment(pr.number, { user: "dave", body: "/approve" });
  await stack.send("issue_comment", issueCommentEvent("created", repo, pr, own));
  say("2. dave comments /approve on his own pull request");
  const answers = repo.issueComments(pr.number).find((c) => c.body.startsWith(ANSWERS_MARKER));
  const answer = parseAnswers(answers?.body ?? "").find((a) => a.login === "dave");
  say(indent(`aigate answers: ${answer?.text.split("\n")[0] ?? "(no answer)"}`));

  const before = pr.headSha;
  repo.commit("retrain", {
    files: { [ASSESSMENT]: `${tree[ASSESSMENT] ?? ""}# Re-assessed for the 2026 Q3 retraining.\n` },
    author: "dave",
    message: "Update the risk assessment",
  });
  await stack.send("pull_request", pullRequestEvent("synchronize", repo, pr, { before }));
  say("3. dave pushes the updated risk assessment the high tier requires");
  showChecks(repo, pr);

  say("4. Two approvers review the pull request");
  for (const [login, why] of [
    ["alice", "a listed approver"],
    ["erin", "a member of acme/model-risk"],
  ] as const) {
    const review = pr.addReview({
      user: login,
      state: "APPROVED",
      body: "Evaluation report reviewed.",
    });
    await stack.send("pull_request_review", pullRequestReviewEvent("submitted", repo, pr, review));
    say(`   ${login}, ${why}, approves`);
  }
  const attestations = repo
    .issueComments(pr.number)
    .filter((c) => c.body.includes("aigate-attestation:v1"));
  say(`   aigate records ${attestations.length} signed attestation comments`);
  showChecks(repo, pr);

  const group = enqueue(repo, pr);
  await stack.send("merge_group", mergeGroupEvent(repo, group));
  say(
    `5. dave adds #${pr.number} to the merge queue; GitHub builds ${group.headRef.replace("refs/heads/", "").replace(/-[0-9a-f]{40}$/, "-…")}`,
  );
  say(
    `   and asks for the required checks on its head ${group.headSha.slice(0, 7)}; aigate judges the group's diff by the approvals above`,
  );
  showChecks(repo, group.headSha);
  say();
  say("6. One attestation comment, as it appears on the pull request:");
  say();
  // The marker carries the whole signed envelope; shortened here to keep the screen readable.
  const shown = (attestations[0]?.body ?? "(none)").replace(
    /(<!-- aigate-attestation:v1 .{48})[^ ]*( -->)/,
    "$1…$2",
  );
  say(indent(shown, "   │ "));
  say();

  // An auditor's view: the comments as GitHub's REST API returns them, and the published keys.
  const dir = mkdtempSync(join(tmpdir(), "aigate-demo-"));
  const comments = await fetch(
    `${sim.apiUrl}/repos/${repo.fullName}/issues/${pr.number}/comments?per_page=100`,
    {
      headers: { authorization: "token demo-auditor", accept: "application/vnd.github+json" },
    },
  ).then((r) => r.json() as Promise<unknown[]>);
  const evidence = join(dir, "comments.jsonl");
  writeFileSync(evidence, `${comments.map((c) => JSON.stringify(c)).join("\n")}\n`);
  const jwks = join(dir, "jwks.json");
  writeFileSync(jwks, await fetch(`${stack.appUrl}/aigate/jwks.json`).then((r) => r.text()));
  say(
    "7. An auditor downloads the comments and the App's public keys (/aigate/jwks.json) and runs",
  );
  say(
    `   aigate verify --evidence comments.jsonl --jwks jwks.json --repo ${repo.fullName} --pr ${pr.number}`,
  );
  say();
  const output: string[] = [];
  exitCode = await aigate(
    [
      "node",
      "aigate",
      "verify",
      "--evidence",
      evidence,
      "--jwks",
      jwks,
      "--repo",
      repo.fullName,
      "--pr",
      String(pr.number),
    ],
    { stdout: (text) => output.push(text), stderr: (text) => output.push(text) },
  );
  say(indent(output.join("")));
  say();
  say(
    exitCode === 0
      ? "Evidence valid: every approval above can be checked offline, years from now."
      : `aigate verify exited with ${exitCode}`,
  );
} finally {
  await stack.stop();
}
process.exit(exitCode);
