/**
 * What the security tests share: the App end to end against the simulated GitHub (see
 * test/sim/README.md), and a hand-made GitHub client for the failures the simulator cannot
 * produce (a thrown error carrying secrets, a page of the wrong shape).
 */
import { expect } from "vitest";
import type { GitHubClient } from "../../src/github/client.js";
import { FIXTURE_REPO, readTree, type Stack } from "../e2e/stack.js";
import {
  issueCommentEvent,
  pullRequestEvent,
  pullRequestReviewEvent,
  type SimComment,
  type SimPullRequest,
  type SimRepo,
} from "../sim/index.js";

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

/** Drives the App over HTTP the way GitHub does. */
export function driver(stack: Stack) {
  /** A PR by `author` with `files` on a new branch, without telling the App. */
  function draft(
    repo: SimRepo,
    files: Record<string, string | null>,
    author = "dave",
  ): SimPullRequest {
    const branch = `security-${++branchCounter}`;
    repo.createBranch(branch);
    repo.commit(branch, { files, author, message: "Change" });
    return repo.openPullRequest({ head: branch, author, title: "Change" });
  }

  /** The same, announced with `pull_request.opened`. */
  async function open(
    repo: SimRepo,
    files: Record<string, string | null>,
    author = "dave",
  ): Promise<SimPullRequest> {
    const opened = draft(repo, files, author);
    expect(await stack.send("pull_request", pullRequestEvent("opened", repo, opened))).toBe(200);
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
      await stack.send("pull_request", pullRequestEvent("synchronize", repo, pull, { before })),
    ).toBe(200);
  }

  async function review(
    repo: SimRepo,
    pull: SimPullRequest,
    user: string,
    state: "APPROVED" | "CHANGES_REQUESTED" = "APPROVED",
  ) {
    const r = pull.addReview({ user, state });
    expect(
      await stack.send("pull_request_review", pullRequestReviewEvent("submitted", repo, pull, r)),
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
    expect(await stack.send("issue_comment", issueCommentEvent("created", repo, pull, c))).toBe(
      200,
    );
    return c;
  }

  function checks(repo: SimRepo, pull: SimPullRequest) {
    const latest = stack.sim.state.checkRuns(repo, pull.headSha).latest;
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
    return repo
      .issueComments(pull.number)
      .filter((c) => c.body.includes("<!-- aigate-attestation:v1 "));
  }

  function replies(repo: SimRepo, pull: SimPullRequest): SimComment[] {
    return repo.issueComments(pull.number).filter((c) => c.body.includes("<!-- aigate-reply:"));
  }

  return { draft, open, push, review, comment, checks, attestations, replies };
}

/** The pull request the fake client serves: acme/models#7 by dave, base BASE, head HEAD. */
export const BASE = "1".repeat(40);
export const HEAD = "2".repeat(40);

export interface FakeGitHub {
  client: GitHubClient;
  /** Bodies of every check run written (create or update). */
  checks: Array<Record<string, unknown>>;
  comments: string[];
}

/**
 * A GitHub client that answers the reads of one pull request from `files` (at any commit) and
 * records the writes; `override` replaces any REST method (e.g. to throw, or to return a page of
 * the wrong shape).
 */
export function fakeGitHub(
  files: Record<string, string>,
  override: Partial<Record<"get" | "listFiles" | "getContent", (params: unknown) => unknown>> = {},
): FakeGitHub {
  const checks: Array<Record<string, unknown>> = [];
  const comments: string[] = [];
  const pullRequest = {
    number: 7,
    state: "open",
    title: "Change",
    draft: false,
    user: { login: "dave", id: 11, type: "User" },
    changed_files: 1,
    commits: 1,
    base: { ref: "main", sha: BASE, repo: { id: 500, full_name: "acme/models" } },
    head: { ref: "feature", sha: HEAD },
  };
  const notFound = () => Object.assign(new Error("Not Found"), { status: 404 });
  const rest = {
    pulls: {
      get: override.get ?? (async () => ({ data: pullRequest })),
      listFiles:
        override.listFiles ??
        (async () => ({ data: [{ filename: "models/credit/model.py", status: "modified" }] })),
      listCommits: async () => ({ data: [] }),
      listReviews: async () => ({ data: [] }),
    },
    repos: {
      getContent:
        override.getContent ??
        (async (params: unknown) => {
          const path = (params as { path: string }).path;
          const text = files[path];
          if (text === undefined) throw notFound();
          return {
            data: {
              type: "file",
              sha: `blob-${path}`,
              size: text.length,
              content: Buffer.from(text).toString("base64"),
            },
          };
        }),
    },
    issues: {
      listComments: async () => ({ data: [] }),
      createComment: async (params: unknown) => {
        comments.push((params as { body: string }).body);
        return { data: { id: comments.length } };
      },
    },
    teams: { getMembershipForUserInOrg: async () => Promise.reject(notFound()) },
    checks: {
      listForRef: async () => ({ data: { total_count: 0, check_runs: [] } }),
      create: async (params: unknown) => {
        checks.push(params as Record<string, unknown>);
        return { data: { id: checks.length } };
      },
      update: async (params: unknown) => {
        checks.push(params as Record<string, unknown>);
        return { data: { id: 1 } };
      },
    },
  };
  const paginate = async (
    method: (params: unknown) => Promise<{ data: unknown }>,
    params: unknown,
  ) => (await method(params)).data;
  return { client: { rest, paginate } as unknown as GitHubClient, checks, comments };
}
