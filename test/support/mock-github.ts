/**
 * A GitHub for the integration tests, mocked with nock: each route answers from the fixture
 * repository, and every write is captured for the test to read.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import nock from "nock";

export const fixtures = fileURLToPath(new URL("../fixtures/github/", import.meta.url));
export const read = (path: string) => readFileSync(join(fixtures, path), "utf8");
const repoRoot = fileURLToPath(new URL("../../sim/repo/", import.meta.url));
const readRepo = (path: string) => readFileSync(join(repoRoot, path), "utf8");
export const APP_KEY = read("test-app-key.pem");
export const SIGNING_KEY = read("test-signing-key.pem");
export const NOW = new Date("2026-11-27T12:00:00.000Z");
export const API = "https://api.github.com";
export const REPO = "/repos/acme/models";
export const BASE = "1".repeat(40);
export const HEAD = "2".repeat(40);
export const OLD_HEAD = "3".repeat(40);
export const ASSESSMENT_PATH = "governance/assessments/credit-scoring.yml";

export const files: Record<string, string> = {
  ".github/ai-governance.yml": readRepo(".github/ai-governance.yml"),
  [ASSESSMENT_PATH]: readRepo(`${ASSESSMENT_PATH}`),
  "docs/ai-policy.md": readRepo("docs/ai-policy.md"),
  "docs/model-cards/credit-scoring.md": readRepo("docs/model-cards/credit-scoring.md"),
  "docs/data/credit.md": readRepo("docs/data/credit.md"),
};

export const user = (login: string, id: number, type = "User") => ({ login, id, type });
export const DAVE = user("dave", 11);
export const ALICE = user("alice", 12);
export const MALLORY = user("mallory", 13);
export const BOT = user("aigate[bot]", 99, "Bot");

export const repository = {
  id: 500,
  name: "models",
  full_name: "acme/models",
  owner: user("acme", 1, "Organization"),
};

export function pullRequest(changedFiles = 2) {
  return {
    number: 7,
    state: "open",
    title: "Tune the credit model",
    draft: false,
    user: DAVE,
    changed_files: changedFiles,
    base: { ref: "main", sha: BASE, repo: repository },
    head: { ref: "feature", sha: HEAD, repo: repository },
  };
}

export const installation = { id: 4242 };

export function contentOf(path: string) {
  const text = files[path];
  if (text === undefined) return undefined;
  const blob = createHash("sha1")
    .update(`blob ${Buffer.byteLength(text)}\0${text}`)
    .digest("hex");
  return {
    type: "file",
    name: path.split("/").pop(),
    path,
    sha: blob,
    size: Buffer.byteLength(text),
    encoding: "base64",
    content: Buffer.from(text).toString("base64"),
  };
}

/** GitHub as this test needs it: each route answers from the fixtures, writes are captured. */
export interface Written {
  comments: string[];
  checks: Array<Record<string, unknown>>;
  /** Bodies of review requests (`POST …/requested_reviewers`). */
  reviewRequests: Array<Record<string, unknown>>;
  calls: string[];
}

export function mockGitHub(options: {
  changed?: Array<{ filename: string; status: string }>;
  reviews?: unknown[];
  comments?: unknown[];
  checkRuns?: unknown[];
  members?: Record<string, boolean>;
  /** Files changed between OLD_HEAD and HEAD. */
  since?: string[];
  /**
   * The comment count the pull request reports; by default the comments listed, written ones
   * included. Set, it can lag behind them as GitHub's count can.
   */
  commentsCount?: number;
  /** Teams (slugs) GitHub lists as requested for review before any request is made here. */
  requestedTeams?: string[];
}): Written {
  const written: Written = { comments: [], checks: [], reviewRequests: [], calls: [] };
  const scope = nock(API).persist();
  scope.on("request", (req: { method: string; path: string }) => {
    written.calls.push(`${req.method} ${req.path.split("?")[0]}`);
  });
  scope
    .post(`/app/installations/${installation.id}/access_tokens`)
    .reply(201, {
      token: "ghs_nocktoken0000000000000000000000000",
      expires_at: "2099-01-01T00:00:00Z",
    })
    .get(`${REPO}/pulls/7`)
    .reply(200, () => ({
      ...pullRequest(options.changed?.length ?? 2),
      comments: options.commentsCount ?? (options.comments?.length ?? 0) + written.comments.length,
      // What was requested for review here is listed as GitHub lists it.
      requested_reviewers: written.reviewRequests.flatMap((r) =>
        ((r.reviewers as string[] | undefined) ?? []).map((login, i) => ({
          id: 700 + i,
          login,
          type: "User",
        })),
      ),
      requested_teams: [
        ...(options.requestedTeams ?? []),
        ...written.reviewRequests.flatMap((r) => (r.team_reviewers as string[] | undefined) ?? []),
      ].map((slug) => ({ slug })),
    }))
    .get(`${REPO}/git/ref/heads%2Fmain`)
    .reply(200, { ref: "refs/heads/main", object: { sha: BASE, type: "commit" } })
    .get(`${REPO}/pulls/7/files`)
    .query(true)
    .reply(
      200,
      options.changed ?? [
        { filename: "models/credit/model.py", status: "modified" },
        { filename: ASSESSMENT_PATH, status: "modified" },
      ],
    )
    .get(/\/repos\/acme\/models\/contents\/.*/)
    .query(true)
    .reply((uri) => {
      const path = decodeURIComponent(uri.split("/contents/")[1]?.split("?")[0] ?? "");
      const content = contentOf(path);
      return content ? [200, content] : [404, { message: "Not Found" }];
    })
    .get(`${REPO}/pulls/7/commits`)
    .query(true)
    .reply(200, [
      {
        sha: HEAD,
        author: DAVE,
        committer: DAVE,
        commit: {
          author: { name: "Dave", date: "2026-11-27T10:00:00Z" },
          committer: { name: "Dave", date: "2026-11-27T10:00:00Z" },
        },
      },
    ])
    .get(`${REPO}/pulls/7/reviews`)
    .query(true)
    .reply(200, options.reviews ?? [])
    .get("/repos/acme/models/issues/7/comments")
    .query(true)
    .reply(200, () => [
      ...(options.comments ?? []),
      ...written.comments.map((body, i) => ({
        id: 9000 + i,
        user: BOT,
        body,
        created_at: NOW.toISOString(),
        updated_at: NOW.toISOString(),
      })),
    ])
    .get(/\/orgs\/acme\/teams\/[^/]+\/memberships\/.+/)
    .reply((uri) => {
      const [, team, login] = /teams\/([^/]+)\/memberships\/(.+)$/.exec(uri) ?? [];
      return options.members?.[`${team}:${login}`]
        ? [200, { state: "active", role: "member" }]
        : [404, { message: "Not Found" }];
    })
    .get(`${REPO}/compare/${OLD_HEAD}...${HEAD}`)
    .query(true)
    .reply(200, () => ({
      status: "ahead",
      files: (options.since ?? []).map((filename) => ({ filename, status: "modified" })),
    }))
    .get(`${REPO}/commits/${HEAD}/check-runs`)
    .query(true)
    .reply(200, {
      total_count: options.checkRuns?.length ?? 0,
      check_runs: options.checkRuns ?? [],
    })
    .get("/repos/acme/models/issues/7/events")
    .query(true)
    // The review requests made so far, as the App (id 123) made them at NOW.
    .reply(200, () =>
      [
        ...(options.requestedTeams ?? []).map((slug) => ({ requested_team: { slug } })),
        ...written.reviewRequests.flatMap((r) => [
          ...((r.team_reviewers as string[] | undefined) ?? []).map((slug) => ({
            requested_team: { slug },
          })),
          ...((r.reviewers as string[] | undefined) ?? []).map((login) => ({
            requested_reviewer: { login },
          })),
        ]),
      ].map((reviewer, i) => ({
        id: 900 + i,
        event: "review_requested",
        created_at: NOW.toISOString().replace(/\.\d{3}Z$/, "Z"),
        actor: { id: 99, login: "aigate[bot]", type: "Bot" },
        performed_via_github_app: { id: 123, slug: "aigate" },
        ...reviewer,
      })),
    )
    .post(`${REPO}/pulls/7/requested_reviewers`)
    .reply(201, (_uri, body) => {
      written.reviewRequests.push(body as Record<string, unknown>);
      return pullRequest(options.changed?.length ?? 2);
    })
    .post("/repos/acme/models/issues/7/comments")
    .reply(201, (_uri, body) => {
      const text = (body as { body: string }).body;
      written.comments.push(text);
      return { id: 9000 + written.comments.length - 1, body: text, user: BOT };
    })
    .post(`${REPO}/check-runs`)
    .reply(201, (_uri, body) => {
      written.checks.push(body as Record<string, unknown>);
      return { id: 100 + written.checks.length };
    })
    .patch(/\/repos\/acme\/models\/check-runs\/\d+/)
    .reply(200, (_uri, body) => {
      written.checks.push(body as Record<string, unknown>);
      return { id: 1 };
    });
  return written;
}

export function review(id: number, reviewer: object, state: string, commit = HEAD, body = "") {
  return {
    id,
    user: reviewer,
    state,
    body,
    commit_id: commit,
    submitted_at: "2026-11-27T11:00:00Z",
  };
}
