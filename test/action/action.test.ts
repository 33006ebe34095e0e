/**
 * The bundled Action (action/dist/index.js) run as a child process, with the event file and
 * environment variables a GitHub runner sets, against the simulated GitHub on loopback.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GITHUB_ACTIONS_APP,
  type GitHubSim,
  issueCommentEvent,
  pullRequestEvent,
  pullRequestReviewEvent,
  type SimPullRequest,
  type SimRepo,
  startGitHubSimulator,
  type WebhookPayload,
} from "../../sim/index.js";
import { governedRepo } from "../../sim/stack.js";
import { extractAttestation, generateKeyPair } from "../../src/core/attestation/index.js";
import { ASSESSMENT, draft, modelChange, OVERSIGHT } from "../e2e/driver.js";
import { ROOT } from "../support/git-repo.js";

const BUNDLE = join(ROOT, "action", "dist", "index.js");
const key = generateKeyPair();

let sim: GitHubSim;
let work: string;
beforeAll(async () => {
  if (!existsSync(BUNDLE)) throw new Error("action/dist/index.js is missing: run `npm run bundle`");
  sim = await startGitHubSimulator();
  sim.state.addToken("workflow-token", { app: GITHUB_ACTIONS_APP });
  work = mkdtempSync(join(tmpdir(), "aigate-action-"));
});
afterAll(async () => {
  await sim?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface ActionRun {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  requests: string[];
}

let runs = 0;

/** Runs the bundle for one event, as the runner would. Inputs are given by their action.yml names. */
async function runAction(
  event: string,
  payload: WebhookPayload,
  inputs: Record<string, string> = {},
): Promise<ActionRun> {
  const n = ++runs;
  const eventPath = join(work, `event-${n}.json`);
  const outputPath = join(work, `output-${n}`);
  const summaryPath = join(work, `summary-${n}.md`);
  writeFileSync(eventPath, JSON.stringify(payload));
  writeFileSync(outputPath, "");
  writeFileSync(summaryPath, "");
  const withDefaults: Record<string, string> = {
    token: "workflow-token",
    "signing-key": key.privateKeyPem,
    "manifest-path": ".github/ai-governance.yml",
    "fail-on": "errors",
    ...inputs,
  };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GITHUB_ACTIONS: "true",
    CI: "true",
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: String(
      (payload.repository as { full_name?: string } | undefined)?.full_name ?? "acme/none",
    ),
    GITHUB_API_URL: sim.apiUrl,
    GITHUB_SERVER_URL: sim.url,
    GITHUB_GRAPHQL_URL: `${sim.apiUrl}/graphql`,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_WORKFLOW: "aigate",
    GITHUB_RUN_ID: String(1000 + n),
    GITHUB_ACTOR: "dave",
    RUNNER_TEMP: work,
  };
  for (const [name, value] of Object.entries(withDefaults))
    env[`INPUT_${name.toUpperCase()}`] = value;
  const mark = sim.requests.length;
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    execFile(process.execPath, [BUNDLE], { env, cwd: work, timeout: 60_000 }, (error, out) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: String(out) });
    });
  });
  return {
    code,
    stdout,
    outputs: parseOutputs(readFileSync(outputPath, "utf8")),
    summary: readFileSync(summaryPath, "utf8"),
    requests: sim.requests.slice(mark).map((r) => `${r.method} ${r.operationId ?? r.path}`),
  };
}

/** GITHUB_OUTPUT's `name<<DELIMITER … DELIMITER` blocks. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1] ?? ""] = match[3] ?? "";
  return outputs;
}

function latest(repo: SimRepo, pr: SimPullRequest) {
  return sim.state.checkRuns(repo, pr.headSha).latest;
}

describe("the bundled Action on a runner", () => {
  it("writes both check runs, its outputs, the decision file and the job summary for a pull_request_target event", async () => {
    const repo = governedRepo(sim);
    const pr = draft(repo, modelChange());
    const run = await runAction("pull_request_target", pullRequestEvent("opened", repo, pr));
    expect(run.code).toBe(0);
    expect(latest(repo, pr)[ASSESSMENT]?.conclusion).toBe("success");
    expect(latest(repo, pr)[OVERSIGHT]?.conclusion).toBe("action_required");
    expect(latest(repo, pr)[OVERSIGHT]?.output.title).toBe(
      "Waiting for 2 of 2 approvals (credit-scoring)",
    );
    expect(run.outputs["risk-assessment"]).toBe("success");
    expect(run.outputs["human-oversight"]).toBe("action_required");
    expect(JSON.parse(run.outputs["affected-systems"] ?? "null")).toEqual([
      { id: "credit-scoring", tier: "high", kinds: ["model"] },
    ]);
    const report = JSON.parse(readFileSync(run.outputs.report ?? "", "utf8"));
    expect(report.pullRequest.number).toBe(pr.number);
    expect(run.summary).toContain("## AI governance: risk assessment");
    expect(run.summary).toContain("## AI governance: human oversight");
    expect(run.summary).toContain("| `credit-scoring` | high | production | model |");
  });

  it("records eligible reviews as signed attestations issued by the action and turns the oversight check green", async () => {
    const repo = governedRepo(sim);
    const pr = draft(repo, modelChange());
    // Team approvers need a token that can read team membership: a GitHub App's, on every run.
    const token = "app-installation-token";
    await runAction("pull_request_target", pullRequestEvent("opened", repo, pr), { token });
    for (const user of ["alice", "erin"]) {
      const review = pr.addReview({ user, state: "APPROVED", body: "" });
      const run = await runAction(
        "pull_request_review",
        pullRequestReviewEvent("submitted", repo, pr, review),
        {
          token,
        },
      );
      expect(run.code).toBe(0);
    }
    const attestations = repo
      .issueComments(pr.number)
      .map((c) => extractAttestation(c.body))
      .filter((r) => r.ok);
    expect(attestations).toHaveLength(2);
    for (const attestation of attestations) {
      if (!attestation.ok) continue;
      const statement = JSON.parse(attestation.envelope.payload.toString("utf8"));
      expect(statement.predicate.issuer).toEqual({ kind: "action", key_id: key.keyId });
    }
    expect(latest(repo, pr)[OVERSIGHT]?.conclusion).toBe("success");
    expect(latest(repo, pr)[OVERSIGHT]?.output.title).toBe("2 of 2 approvals recorded");
  });

  it("with the workflow token, which cannot read teams, records a listed user but refuses a team member and says why", async () => {
    const repo = governedRepo(sim);
    const pr = draft(repo, modelChange());
    for (const user of ["alice", "erin"]) {
      const review = pr.addReview({ user, state: "APPROVED", body: "" });
      const run = await runAction(
        "pull_request_review",
        pullRequestReviewEvent("submitted", repo, pr, review),
      );
      expect(run.code).toBe(0);
    }
    const attested = repo
      .issueComments(pr.number)
      .filter((c) => c.body.includes("aigate-attestation:v1"));
    expect(attested.map((c) => c.body.match(/approval by @(\w+)/)?.[1])).toEqual(["alice"]);
    const oversight = latest(repo, pr)[OVERSIGHT];
    expect(oversight?.conclusion).toBe("action_required");
    expect(oversight?.output.summary).toContain("may not read the membership of acme/model-risk");
  });

  it("fails the job while a gate is not passing when fail-on is gates", async () => {
    const repo = governedRepo(sim);
    const pr = draft(repo, modelChange());
    const run = await runAction("pull_request_target", pullRequestEvent("opened", repo, pr), {
      "fail-on": "gates",
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "::error::action_required: Waiting for 2 of 2 approvals (credit-scoring)",
    );
  });

  it("on a fork's pull_request event evaluates into the job summary, writes nothing and says why", async () => {
    const repo = governedRepo(sim);
    const pr = draft(repo, modelChange());
    const payload = pullRequestEvent("opened", repo, pr);
    const head = (payload.pull_request as { head: { repo: { full_name: string } } }).head;
    head.repo = { ...head.repo, full_name: "mallory/fork" };
    const run = await runAction("pull_request", payload, { "signing-key": "" });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("comes from a fork, whose token is read-only");
    expect(run.summary).toContain("comes from a fork");
    expect(run.outputs["human-oversight"]).toBe("action_required");
    expect(run.requests.filter((r) => !r.startsWith("GET"))).toEqual([]);
    expect(latest(repo, pr)[ASSESSMENT]).toBeUndefined();
  });

  it("without a signing key evaluates but records no approval, and says so", async () => {
    const repo = governedRepo(sim);
    const pr = draft(repo, modelChange());
    const review = pr.addReview({ user: "alice", state: "APPROVED", body: "" });
    const run = await runAction(
      "pull_request_review",
      pullRequestReviewEvent("submitted", repo, pr, review),
      {
        "signing-key": "",
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("no signing-key input");
    expect(
      repo.issueComments(pr.number).filter((c) => c.body.includes("aigate-attestation")),
    ).toEqual([]);
    expect(latest(repo, pr)[OVERSIGHT]?.conclusion).toBe("action_required");
  });

  it("ignores a comment on an issue with a notice and no API call", async () => {
    const repo = governedRepo(sim);
    const pr = draft(repo, modelChange());
    const comment = repo.addComment(pr.number, { user: "alice", body: "/approve" });
    const payload = issueCommentEvent("created", repo, pr, comment);
    const issue = payload.issue as Record<string, unknown>;
    delete issue.pull_request;
    const run = await runAction("issue_comment", payload);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("::notice::the comment is on an issue, not a pull request");
    expect(run.requests).toEqual([]);
  });

  it("ignores events it does not handle with a notice and exit 0", async () => {
    const run = await runAction("push", { repository: { full_name: "acme/x" } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("push is ignored");
    expect(run.requests).toEqual([]);
  });

  it("rejects an invalid input by name before any request", async () => {
    const repo = governedRepo(sim);
    const pr = draft(repo, modelChange());
    const run = await runAction("pull_request_target", pullRequestEvent("opened", repo, pr), {
      "fail-on": "sometimes",
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "::error::input 'fail-on': sometimes is not one of errors, gates, never",
    );
    expect(run.requests).toEqual([]);
  });

  it("ends both checks red with GitHub's request id when GitHub keeps failing, and fails the job", async () => {
    const repo = governedRepo(sim);
    const pr = draft(repo, modelChange());
    sim.failNext("pulls/list-files", 502, 10);
    const run = await runAction("pull_request_target", pullRequestEvent("opened", repo, pr));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::aigate could not evaluate: .*502/);
    const assessment = latest(repo, pr)[ASSESSMENT];
    expect(assessment?.conclusion).toBe("failure");
    expect(assessment?.output.title).toMatch(
      /^aigate could not evaluate: GitHub 502 \(request id \S+\)$/,
    );
  });
});
