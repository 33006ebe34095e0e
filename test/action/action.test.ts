/**
 * The bundled Action (action/dist/index.js) run as a child process, with the event file and
 * environment variables a GitHub runner sets, against the simulated GitHub on loopback.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  enqueue,
  issueCommentEvent,
  mergeGroupEvent,
  pullRequestEvent,
  pullRequestReviewEvent,
  type SimPullRequest,
  type SimRepo,
  type WebhookPayload,
} from "../../sim/index.js";
import { governedRepo } from "../../sim/stack.js";
import { extractAttestation, generateKeyPair } from "../../src/core/attestation/index.js";
import { ASSESSMENT, draft, modelChange, OVERSIGHT } from "../e2e/driver.js";
import { expectValidSarif } from "../support/sarif-schema.js";
import { runBundle, useRunner } from "./runner.js";

const key = generateKeyPair();
const runner = useRunner("aigate-action-");

interface ActionRun {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  requests: string[];
}

/** Runs the bundle for one event, as the runner would. Inputs are given by their action.yml names. */
async function runAction(
  event: string,
  payload: WebhookPayload,
  inputs: Record<string, string> = {},
): Promise<ActionRun> {
  const run = await runBundle(runner, {
    name: event,
    payload,
    repository: String(
      (payload.repository as { full_name?: string } | undefined)?.full_name ?? "acme/none",
    ),
    inputs: {
      "signing-key": key.privateKeyPem,
      "manifest-path": ".github/ai-governance.yml",
      "fail-on": "errors",
      ...inputs,
    },
  });
  return { ...run, requests: run.requests.map((r) => `${r.method} ${r.operationId ?? r.path}`) };
}

/** Opens `pr` and has alice and erin approve it, each event run by the Action with `token`. */
async function approvedByAction(repo: SimRepo, pr: SimPullRequest, token: string) {
  await runAction("pull_request_target", pullRequestEvent("opened", repo, pr), { token });
  const runs: ActionRun[] = [];
  for (const user of ["alice", "erin"]) {
    const review = pr.addReview({ user, state: "APPROVED", body: "" });
    runs.push(
      await runAction(
        "pull_request_review",
        pullRequestReviewEvent("submitted", repo, pr, review),
        {
          token,
        },
      ),
    );
  }
  return runs;
}

function latest(repo: SimRepo, pr: SimPullRequest) {
  return runner.sim.state.checkRuns(repo, pr.headSha).latest;
}

describe("the bundled Action on a runner", () => {
  it("writes both check runs, its outputs, the decision file and the job summary for a pull_request_target event", async () => {
    const repo = governedRepo(runner.sim);
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
    const sarif = expectValidSarif(readFileSync(run.outputs.sarif ?? "", "utf8"));
    expect(sarif.runs[0]?.results.map((r) => [r.ruleId, r.level, r.message.text])).toEqual([
      [
        "approvals-required",
        "note",
        "credit-scoring needs 2 approval(s) on the pull request from acme/model-risk, @alice",
      ],
    ]);
    expect(run.summary).toContain("## AI governance: risk assessment");
    expect(run.summary).toContain("## AI governance: human oversight");
    expect(run.summary).toContain("| `credit-scoring` | high | production | model |");
  });

  it("records eligible reviews as signed attestations issued by the action and turns the oversight check green", async () => {
    const repo = governedRepo(runner.sim);
    const pr = draft(repo, modelChange());
    // Team approvers need a token that can read team membership: a GitHub App's, on every run.
    const token = "app-installation-token";
    for (const run of await approvedByAction(repo, pr, token)) expect(run.code).toBe(0);
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
    const repo = governedRepo(runner.sim);
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
    const repo = governedRepo(runner.sim);
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
    const repo = governedRepo(runner.sim);
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
    const repo = governedRepo(runner.sim);
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

  it("on merge_group checks the queued pull request's group on the group's head", async () => {
    const repo = governedRepo(runner.sim);
    const pr = draft(repo, modelChange());
    const token = "app-installation-token";
    await approvedByAction(repo, pr, token);
    const group = enqueue(repo, pr);
    const run = await runAction("merge_group", mergeGroupEvent(repo, group), {
      token,
      "fail-on": "gates",
    });
    expect(run.code).toBe(0);
    const checks = runner.sim.state.checkRuns(repo, group.headSha).latest;
    expect(checks[ASSESSMENT]?.conclusion).toBe("success");
    expect(checks[OVERSIGHT]?.output.title).toBe("2 of 2 approvals recorded");
    expect(run.outputs["human-oversight"]).toBe("success");

    const unknown = await runAction(
      "merge_group",
      mergeGroupEvent(repo, group, { headRef: "refs/heads/gh-readonly-queue/main/feature" }),
      { token },
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain("names no pull request");
    const refused = runner.sim.state.checkRuns(repo, group.headSha).latest;
    expect(refused[OVERSIGHT]?.conclusion).toBe("failure");
    expect(refused[OVERSIGHT]?.output.title).toBe("Merge queue entry not recognised");
  });

  it("ignores a comment on an issue with a notice and no API call", async () => {
    const repo = governedRepo(runner.sim);
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
    const run = await runAction("release", { repository: { full_name: "acme/x" } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("release is ignored");
    expect(run.requests).toEqual([]);
  });

  it("rejects an invalid input by name before any request", async () => {
    const repo = governedRepo(runner.sim);
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
    const repo = governedRepo(runner.sim);
    const pr = draft(repo, modelChange());
    runner.sim.failNext("pulls/list-files", 502, 10);
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
