/**
 * Scenario building blocks for the end-to-end suites (scenarios, security invariants, the
 * Action): open pull requests, push, review and comment as GitHub would deliver them, and read
 * back what aigate wrote to the simulated GitHub.
 */
import { afterAll, beforeAll, expect } from "vitest";
import {
  issueCommentEvent,
  pullRequestEvent,
  pullRequestReviewEvent,
  type SimComment,
  type SimPullRequest,
  type SimRepo,
} from "../../sim/index.js";
import { FIXTURE_REPO, readTree, type Stack, startStack } from "../../sim/stack.js";
import { ANSWERS_MARKER } from "../../src/core/report/index.js";

export const ASSESSMENT = "AI governance: risk assessment";
export const OVERSIGHT = "AI governance: human oversight";
export const ASSESSMENT_PATH = "governance/assessments/credit-scoring.yml";
export const MANIFEST_PATH = ".github/ai-governance.yml";

/** A model change that also updates the assessment, as the high-tier fixture system requires. */
export function modelChange(version = "v2"): Record<string, string> {
  const assessment = readTree(FIXTURE_REPO)[ASSESSMENT_PATH] ?? "";
  return {
    "models/credit/model.py": `def score(application):\n    return 0.6  # ${version}\n`,
    [ASSESSMENT_PATH]: `${assessment}# reviewed for ${version}\n`,
  };
}

let branchCounter = 0;

/** A PR by `author` with `files` on a new branch, without telling anyone. */
export function draft(
  repo: SimRepo,
  files: Record<string, string | null>,
  author = "dave",
): SimPullRequest {
  const branch = `feature-${++branchCounter}`;
  repo.createBranch(branch);
  repo.commit(branch, { files, author, message: "Change" });
  return repo.openPullRequest({ head: branch, author, title: "Change" });
}

/**
 * Drives the App over HTTP the way GitHub does. `stack` is read on each call, so a driver can
 * be made before the stack is started in `beforeAll`.
 */
export function driver(current: () => Stack) {
  /** A drafted PR, announced with `pull_request.opened`. */
  async function open(
    repo: SimRepo,
    files: Record<string, string | null>,
    author = "dave",
  ): Promise<SimPullRequest> {
    const opened = draft(repo, files, author);
    expect(await current().send("pull_request", pullRequestEvent("opened", repo, opened))).toBe(
      200,
    );
    return opened;
  }

  async function push(
    repo: SimRepo,
    pull: SimPullRequest,
    files: Record<string, string | null>,
    options: { author?: string; parents?: string[] } = {},
  ): Promise<void> {
    const before = pull.headSha;
    repo.commit(pull.headRef, {
      files,
      author: options.author ?? "dave",
      message: "Follow-up",
      ...(options.parents ? { parents: options.parents } : {}),
    });
    expect(
      await current().send("pull_request", pullRequestEvent("synchronize", repo, pull, { before })),
    ).toBe(200);
  }

  async function review(
    repo: SimRepo,
    pull: SimPullRequest,
    user: string,
    state: "APPROVED" | "CHANGES_REQUESTED" = "APPROVED",
    body = "",
  ) {
    const r = pull.addReview({ user, state, body });
    expect(
      await current().send(
        "pull_request_review",
        pullRequestReviewEvent("submitted", repo, pull, r),
      ),
    ).toBe(200);
    return r;
  }

  async function comment(
    repo: SimRepo,
    pull: SimPullRequest,
    user: string,
    body: string,
  ): Promise<SimComment> {
    const c = repo.addComment(pull.number, { user, body });
    expect(await current().send("issue_comment", issueCommentEvent("created", repo, pull, c))).toBe(
      200,
    );
    return c;
  }

  function checks(repo: SimRepo, pull: SimPullRequest | string) {
    const sha = typeof pull === "string" ? pull : pull.headSha;
    const latest = current().sim.state.checkRuns(repo, sha).latest;
    const view = (name: string) => {
      const run = latest[name];
      return run
        ? {
            status: run.status,
            conclusion: run.conclusion,
            title: run.output.title ?? "",
            summary: run.output.summary ?? "",
            app: run.app.id,
          }
        : undefined;
    };
    return { assessment: view(ASSESSMENT), oversight: view(OVERSIGHT) };
  }

  function attestations(repo: SimRepo, pull: SimPullRequest): SimComment[] {
    return liveComments(repo, pull).filter((c) => c.body.includes("<!-- aigate-attestation:v1 "));
  }

  /** aigate's answer comments on the pull request (one at most: it is edited in place). */
  function replies(repo: SimRepo, pull: SimPullRequest): SimComment[] {
    return liveComments(repo, pull).filter((c) => c.body.startsWith(ANSWERS_MARKER));
  }

  return { draft, open, push, review, comment, checks, attestations, replies };
}

/**
 * A stack started before the file's tests and stopped after them, and a driver over it:
 * `stack()` is the running stack.
 */
export function drivenStack() {
  let started: Stack | undefined;
  beforeAll(async () => {
    started = await startStack();
  });
  afterAll(async () => {
    await started?.stop();
  });
  const stack = (): Stack => {
    if (!started) throw new Error("the stack is used before it started");
    return started;
  };
  return { stack, ...driver(stack) };
}

/** Every live comment of a pull request, as the simulated GitHub holds it. */
export function liveComments(repo: SimRepo, pull: SimPullRequest): SimComment[] {
  return repo.issueComments(pull.number);
}
