import { randomBytes } from "node:crypto";
import { z } from "zod";
import { diffTrees, treeSha, withRenames } from "./git.js";
import {
  appJson,
  checkRunJson,
  commentJson,
  commitJson,
  contentEntryJson,
  contentFileJson,
  fileJson,
  labelJson,
  plainIssueJson,
  publicUserJson,
  pullJson,
  pullSimpleJson,
  repoJson,
  reviewJson,
  type Urls,
  userJson,
} from "./representations.js";
import type {
  Actor,
  CheckAnnotation,
  CheckOutput,
  CheckStatus,
  SimCheckRun,
  SimRepo,
  SimState,
} from "./state.js";
import { GITHUB_ACTIONS_APP } from "./state.js";

/** A request as an operation handler sees it (already validated against the OpenAPI description). */
export interface OpRequest {
  operationId: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Request path and query as received, for building `Link` headers. */
  url: string;
  urls: Urls;
  actor: Actor;
}

export interface OpReply {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export type OpHandler = (req: OpRequest) => OpReply;

const DOCS = "https://docs.github.com/rest";

export const errorReply = (status: number, message: string): OpReply => ({
  status,
  json: { message, documentation_url: DOCS, status: String(status) },
});

const notFound = () => errorReply(404, "Not Found");
/** Check runs can only be written by GitHub Apps (a workflow token is one). */
const onlyApps = () => errorReply(403, "You must authenticate via a GitHub App.");

/** GitHub's `pulls/list-files` stops at this many files. */
export const PULL_FILES_CAP = 3000;
/** GitHub's compare endpoint lists at most this many files. */
export const COMPARE_FILES_CAP = 300;
/** GitHub's `pulls/list-commits` stops at this many commits. */
export const PULL_COMMITS_CAP = 250;
const CHECK_TEXT_LIMIT = 65_535;
const ANNOTATIONS_PER_REQUEST = 50;

/** Slices `items` by `per_page`/`page` and sets GitHub's `Link` header. */
/**
 * Slices `items` by `per_page`/`page`, renders only that page with `toJson`, and sets GitHub's
 * `Link` header.
 */
export function paginate<T>(
  req: OpRequest,
  items: readonly T[],
  toJson: (item: T) => unknown,
  max = 100,
): OpReply {
  const { page, perPage } = pageParams(req, max);
  const slice = items.slice((page - 1) * perPage, page * perPage).map(toJson);
  const link = linkHeader(req, page, perPage, items.length);
  return { status: 200, json: slice, headers: link ? { link } : {} };
}

function pageParams(req: OpRequest, max: number) {
  const perPage = Math.min(Math.max(Number.parseInt(req.query.per_page ?? "30", 10) || 30, 1), max);
  const page = Math.max(Number.parseInt(req.query.page ?? "1", 10) || 1, 1);
  return { page, perPage };
}

function linkHeader(req: OpRequest, page: number, perPage: number, total: number): string {
  const last = Math.max(1, Math.ceil(total / perPage));
  const to = (p: number) => {
    const u = new URL(req.url, req.urls.web);
    u.searchParams.set("per_page", String(perPage));
    u.searchParams.set("page", String(p));
    return `<${u.href}>`;
  };
  const parts: string[] = [];
  if (page > 1) parts.push(`${to(page - 1)}; rel="prev"`);
  if (page < last) parts.push(`${to(page + 1)}; rel="next"`, `${to(last)}; rel="last"`);
  if (page > 1) parts.push(`${to(1)}; rel="first"`);
  return parts.join(", ");
}

const annotationSchema = z.object({
  path: z.string(),
  start_line: z.number().int(),
  end_line: z.number().int(),
  start_column: z.number().int().optional(),
  end_column: z.number().int().optional(),
  annotation_level: z.enum(["notice", "warning", "failure"]),
  message: z.string(),
  title: z.string().optional(),
  raw_details: z.string().optional(),
});

const checkBodySchema = z.object({
  name: z.string().optional(),
  head_sha: z.string().optional(),
  details_url: z.string().optional(),
  external_id: z.string().optional(),
  status: z
    .enum(["queued", "in_progress", "completed", "waiting", "requested", "pending"])
    .optional(),
  started_at: z.string().optional(),
  conclusion: z.string().optional(),
  completed_at: z.string().optional(),
  output: z
    .object({
      title: z.string().optional(),
      summary: z.string().optional(),
      text: z.string().optional(),
      annotations: z.array(annotationSchema).optional(),
    })
    .optional(),
});

const commentBodySchema = z.object({ body: z.string() });
const issueBodySchema = z.object({
  title: z.string().optional(),
  body: z
    .string()
    .nullable()
    .optional()
    .transform((b) => b ?? undefined),
  state: z.enum(["open", "closed"]).optional(),
  state_reason: z.string().nullable().optional(),
  labels: z.array(z.string()).optional(),
});
/** GitHub refuses longer comment bodies with 422. */
export const COMMENT_BODY_LIMIT = 65_536;

const commentTooLong = (body: string): OpReply | undefined =>
  body.length > COMMENT_BODY_LIMIT
    ? errorReply(
        422,
        `Validation Failed: body is too long (maximum is ${COMMENT_BODY_LIMIT} characters)`,
      )
    : undefined;

/** Builds the stateful operation handlers over `state`, keyed by GitHub operation id. */
export function createHandlers(state: SimState): Record<string, OpHandler> {
  const repoOf = (req: OpRequest): SimRepo | undefined =>
    state.repo(req.params.owner ?? "", req.params.repo ?? "");
  const int = (s: string | undefined) => Number.parseInt(s ?? "", 10);

  /** Runs `fn` with the repository, or answers 404 as GitHub does for a repo you cannot see. */
  const withRepo =
    (fn: (repo: SimRepo, req: OpRequest) => OpReply): OpHandler =>
    (req) => {
      const repo = repoOf(req);
      return repo ? fn(repo, req) : notFound();
    };

  const withPull = (
    fn: (pr: NonNullable<ReturnType<SimRepo["pulls"]["get"]>>, req: OpRequest) => OpReply,
  ) =>
    withRepo((repo, req) => {
      const pr = repo.pulls.get(int(req.params.pull_number));
      return pr ? fn(pr, req) : notFound();
    });

  const checkProblems = (output: z.infer<typeof checkBodySchema>["output"]): string | undefined => {
    for (const field of ["summary", "text"] as const) {
      const value = output?.[field];
      if (value !== undefined && value.length > CHECK_TEXT_LIMIT) {
        return `Invalid request.\n\nOnly ${CHECK_TEXT_LIMIT} characters are allowed; ${value.length} were supplied.`;
      }
    }
    const count = output?.annotations?.length ?? 0;
    if (count > ANNOTATIONS_PER_REQUEST) {
      return `Invalid request.\n\nOnly ${ANNOTATIONS_PER_REQUEST} annotations are allowed per request; ${count} were supplied.`;
    }
    return undefined;
  };

  const applyCheckBody = (run: SimCheckRun, body: z.infer<typeof checkBodySchema>) => {
    if (body.name !== undefined) run.name = body.name;
    if (body.details_url !== undefined) run.detailsUrl = body.details_url;
    if (body.external_id !== undefined) run.externalId = body.external_id;
    if (body.started_at !== undefined) run.startedAt = body.started_at;
    if (body.status !== undefined) run.status = body.status;
    if (body.conclusion !== undefined) {
      run.conclusion = body.conclusion;
      run.status = "completed";
    }
    if (run.status === "completed") {
      run.completedAt = body.completed_at ?? run.completedAt ?? state.timestamp();
    }
    if (body.output) {
      const output: CheckOutput = {
        title: body.output.title ?? null,
        summary: body.output.summary ?? null,
        text: body.output.text ?? null,
      };
      run.output = output;
      const added: CheckAnnotation[] = body.output.annotations ?? [];
      run.annotations.push(...added);
    }
    run.history.push({
      status: run.status,
      conclusion: run.conclusion,
      output: { ...run.output },
      at: state.timestamp(),
    });
  };

  const runApp = (req: OpRequest) => (req.actor.kind === "app" ? req.actor.app : state.app);

  const handlers: Record<string, OpHandler> = {
    // --- app authentication -------------------------------------------------------------
    "apps/get-authenticated": (req) => ({
      status: 200,
      json: appJson(state.app, state.user(state.app.ownerLogin), req.urls, "2026-01-01T00:00:00Z"),
    }),
    "apps/get-repo-installation": withRepo((repo, req) => ({
      status: 200,
      json: installationJson(state, repo, req.urls),
    })),
    "apps/create-installation-access-token": (req) => {
      const id = int(req.params.installation_id);
      const known =
        id === state.installationId || state.allRepos().some((r) => r.installationId === id);
      if (!known) return notFound();
      const token = `ghs_${randomBytes(18).toString("hex")}`;
      state.addToken(token, { app: state.app });
      const expires = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
      return {
        status: 201,
        json: {
          token,
          expires_at: expires,
          permissions: {
            checks: "write",
            contents: "read",
            issues: "write",
            pull_requests: "write",
            members: "read",
            metadata: "read",
          },
          repository_selection: "all",
        },
      };
    },

    // --- pull requests --------------------------------------------------------------------
    "pulls/get": withPull((pr, req) => ({ status: 200, json: pullJson(pr, req.urls) })),
    "pulls/list": withRepo((repo, req) => {
      const state_ = req.query.state ?? "open";
      const [headOwner, headRef] = (req.query.head ?? "").includes(":")
        ? (req.query.head ?? "").split(":")
        : [undefined, req.query.head];
      const pulls = [...repo.pulls.values()]
        .filter((p) => state_ === "all" || p.state === state_)
        .filter((p) => !req.query.base || p.baseRef === req.query.base)
        .filter(
          (p) =>
            !headRef ||
            (p.headRef === headRef &&
              (!headOwner || headOwner.toLowerCase() === repo.owner.login.toLowerCase())),
        )
        .sort((a, b) =>
          req.query.sort === "updated"
            ? b.updatedAt.localeCompare(a.updatedAt) || b.number - a.number
            : b.number - a.number,
        );
      if (req.query.direction === "asc") pulls.reverse();
      return paginate(req, pulls, (p) => pullSimpleJson(p, req.urls));
    }),
    "pulls/list-files": withPull((pr, req) =>
      paginate(req, withRenames(pr.files()).slice(0, PULL_FILES_CAP), (f) =>
        fileJson(pr.repo, f, pr.headSha, req.urls),
      ),
    ),
    "pulls/list-commits": withPull((pr, req) =>
      paginate(req, pr.commits().slice(0, PULL_COMMITS_CAP), (c) =>
        commitJson(pr.repo, c, req.urls),
      ),
    ),
    "pulls/list-reviews": withPull((pr, req) =>
      paginate(req, pr.reviews, (r) => reviewJson(pr, r, req.urls)),
    ),
    "pulls/get-review": withPull((pr, req) => {
      const review = pr.reviews.find((r) => r.id === int(req.params.review_id));
      return review ? { status: 200, json: reviewJson(pr, review, req.urls) } : notFound();
    }),

    // --- contents and commits -------------------------------------------------------------
    "repos/get-content": withRepo((repo, req) => {
      const ref = req.query.ref ?? repo.defaultBranch;
      const sha = repo.resolveRef(ref);
      if (!sha) return errorReply(404, `No commit found for the ref ${ref}`);
      const path = (req.params.path ?? "").replace(/^\/+|\/+$/g, "");
      const file = repo.fileAt(sha, path);
      if (file) {
        if (/\bvnd\.github(\.v3)?\.raw\b/.test(req.headers.accept ?? "")) {
          return {
            status: 200,
            text: file.content,
            headers: { "content-type": "application/vnd.github.raw; charset=utf-8" },
          };
        }
        return { status: 200, json: contentFileJson(repo, path, ref, file, req.urls) };
      }
      const tree = repo.getCommit(sha).tree;
      const prefix = path === "" ? "" : `${path}/`;
      const entries = new Map<string, "file" | "dir">();
      for (const p of tree.keys()) {
        if (!p.startsWith(prefix)) continue;
        const rest = p.slice(prefix.length).split("/");
        const name = rest[0] ?? "";
        entries.set(name, rest.length > 1 ? "dir" : "file");
      }
      if (entries.size === 0) return notFound();
      const listing = [...entries.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, type]) => {
          const full = `${prefix}${name}`;
          const blob = tree.get(full);
          const size = blob ? Buffer.byteLength(state.blobs.get(blob) ?? "") : 0;
          const sub = new Map([...tree].filter(([p]) => p.startsWith(`${full}/`)));
          const entrySha = type === "file" ? (blob ?? "") : treeSha(sub);
          return contentEntryJson(repo, full, ref, type, entrySha, size, req.urls);
        });
      return { status: 200, json: listing };
    }),
    "git/get-blob": withRepo((repo, req) => {
      const sha = req.params.file_sha ?? "";
      const content = state.blobs.get(sha);
      const inRepo = [...repo.commits.values()].some((c) => [...c.tree.values()].includes(sha));
      if (content === undefined || !inRepo) return notFound();
      const bytes = Buffer.from(content, "utf8");
      return {
        status: 200,
        json: {
          sha,
          node_id: Buffer.from(`0:Blob${sha}`).toString("base64"),
          size: bytes.length,
          url: `${req.urls.api}/repos/${repo.fullName}/git/blobs/${sha}`,
          content: bytes.toString("base64"),
          encoding: "base64",
        },
      };
    }),
    "repos/get-commit": withRepo((repo, req) => {
      const sha = repo.resolveRef(req.params.ref ?? "");
      if (!sha) return errorReply(422, `No commit found for SHA: ${req.params.ref ?? ""}`);
      const commit = repo.getCommit(sha);
      const parent = commit.parents[0];
      const changes = withRenames(
        diffTrees(parent ? repo.getCommit(parent).tree : new Map(), commit.tree),
      );
      const files = changes.map((f) => fileJson(repo, f, sha, req.urls));
      const sum = (k: "additions" | "deletions") =>
        files.reduce((n, f) => n + (typeof f[k] === "number" ? f[k] : 0), 0);
      return {
        status: 200,
        json: {
          ...commitJson(repo, commit, req.urls),
          stats: {
            additions: sum("additions"),
            deletions: sum("deletions"),
            total: sum("additions") + sum("deletions"),
          },
          files,
        },
      };
    }),
    "repos/list-commits": withRepo((repo, req) => {
      const start = repo.resolveRef(req.query.sha ?? repo.defaultBranch);
      if (!start)
        return repo.commits.size === 0 ? errorReply(409, "Git Repository is empty.") : notFound();
      const path = req.query.path;
      const commits = repo
        .ancestors(start)
        .map((sha) => repo.getCommit(sha))
        .filter((c) => {
          if (!path) return true;
          const parent = c.parents[0];
          const before = parent ? repo.getCommit(parent).tree.get(path) : undefined;
          return before !== c.tree.get(path);
        });
      return paginate(req, commits, (c) => commitJson(repo, c, req.urls));
    }),
    "repos/compare-commits": withRepo((repo, req) => {
      const basehead = req.params.basehead ?? "";
      const [base = "", head = ""] = basehead.includes("...")
        ? basehead.split("...")
        : basehead.split("..");
      const baseSha = repo.resolveRef(base);
      const headSha = repo.resolveRef(head);
      if (!baseSha || !headSha) return notFound();
      const mergeBase = repo.mergeBase(baseSha, headSha);
      const ahead = repo.commitsBetween(baseSha, headSha);
      const behind = repo.commitsBetween(headSha, baseSha);
      const status =
        ahead.length === 0 && behind.length === 0
          ? "identical"
          : behind.length === 0
            ? "ahead"
            : ahead.length === 0
              ? "behind"
              : "diverged";
      const { page, perPage } = pageParams(req, 250);
      const paged = req.query.page !== undefined || req.query.per_page !== undefined;
      const commits = paged
        ? ahead.slice((page - 1) * perPage, page * perPage)
        : ahead.slice(0, 250);
      const files = withRenames(repo.diff(baseSha, headSha)).slice(0, COMPARE_FILES_CAP);
      const link = paged ? linkHeader(req, page, perPage, ahead.length) : "";
      return {
        status: 200,
        headers: link ? { link } : {},
        json: {
          url: `${req.urls.api}/repos/${repo.fullName}/compare/${basehead}`,
          html_url: `${req.urls.web}/${repo.fullName}/compare/${basehead}`,
          permalink_url: `${req.urls.web}/${repo.fullName}/compare/${baseSha}...${headSha}`,
          diff_url: `${req.urls.web}/${repo.fullName}/compare/${basehead}.diff`,
          patch_url: `${req.urls.web}/${repo.fullName}/compare/${basehead}.patch`,
          base_commit: commitJson(repo, repo.getCommit(baseSha), req.urls),
          merge_base_commit: commitJson(repo, repo.getCommit(mergeBase ?? baseSha), req.urls),
          status,
          ahead_by: ahead.length,
          behind_by: behind.length,
          total_commits: ahead.length,
          commits: commits.map((c) => commitJson(repo, c, req.urls)),
          // GitHub lists the files on the first page only.
          files: page === 1 ? files.map((f) => fileJson(repo, f, headSha, req.urls)) : [],
        },
      };
    }),

    // --- issue comments -------------------------------------------------------------------
    "issues/list-comments": withRepo((repo, req) => {
      const number = int(req.params.issue_number);
      if (!repo.pulls.has(number)) return notFound();
      const since = req.query.since;
      const comments = repo.issueComments(number).filter((c) => !since || c.updatedAt >= since);
      return paginate(req, comments, (c) => commentJson(repo, c, req.urls));
    }),
    "issues/list-comments-for-repo": withRepo((repo, req) => {
      const since = req.query.since;
      const comments = [...repo.comments.values()]
        .filter((c) => !c.deleted && (!since || c.updatedAt >= since))
        .sort((a, b) =>
          req.query.sort === "updated"
            ? a.updatedAt.localeCompare(b.updatedAt) || a.id - b.id
            : a.id - b.id,
        );
      if (req.query.direction === "desc") comments.reverse();
      return paginate(req, comments, (c) => commentJson(repo, c, req.urls));
    }),
    "issues/create-comment": withRepo((repo, req) => {
      const number = int(req.params.issue_number);
      if (!repo.pulls.has(number)) return notFound();
      const body = commentBodySchema.parse(req.body).body;
      const tooLong = commentTooLong(body);
      if (tooLong) return tooLong;
      const user = state.actorUser(req.actor);
      const via = req.actor.kind === "app" ? req.actor.app : null;
      const comment = repo.addComment(number, { user, body }, via);
      return { status: 201, json: commentJson(repo, comment, req.urls) };
    }),
    "issues/get-comment": withRepo((repo, req) => {
      const comment = repo.comments.get(int(req.params.comment_id));
      return comment && !comment.deleted
        ? { status: 200, json: commentJson(repo, comment, req.urls) }
        : notFound();
    }),
    "issues/update-comment": withRepo((repo, req) => {
      const comment = repo.comments.get(int(req.params.comment_id));
      if (!comment || comment.deleted) return notFound();
      const body = commentBodySchema.parse(req.body).body;
      const tooLong = commentTooLong(body);
      if (tooLong) return tooLong;
      const updated = repo.editComment(comment.id, body);
      return { status: 200, json: commentJson(repo, updated, req.urls) };
    }),
    "issues/delete-comment": withRepo((repo, req) => {
      const comment = repo.comments.get(int(req.params.comment_id));
      if (!comment || comment.deleted) return notFound();
      repo.deleteComment(comment.id);
      return { status: 204 };
    }),

    // --- check runs -------------------------------------------------------------------------
    "checks/create": withRepo((repo, req) => {
      if (req.actor.kind === "user") return onlyApps();
      const body = checkBodySchema.parse(req.body);
      const headSha = repo.resolveRef(body.head_sha ?? "");
      if (!headSha || headSha !== body.head_sha) {
        return errorReply(422, `No commit found for SHA: ${body.head_sha ?? ""}`);
      }
      const problem = checkProblems(body.output);
      if (problem) return errorReply(422, problem);
      if (body.status === "completed" && body.conclusion === undefined) {
        return errorReply(
          422,
          "Invalid request.\n\nNo conclusion given for a completed check run.",
        );
      }
      const now = state.timestamp();
      const run: SimCheckRun = {
        id: state.newId(),
        name: body.name ?? "",
        headSha,
        status: "queued" satisfies CheckStatus,
        conclusion: null,
        startedAt: now,
        completedAt: null,
        output: { title: null, summary: null, text: null },
        annotations: [],
        detailsUrl: null,
        externalId: null,
        app: runApp(req),
        history: [],
      };
      applyCheckBody(run, body);
      repo.checkRuns.push(run);
      return { status: 201, json: checkRunJson(repo, run, req.urls) };
    }),
    "checks/update": withRepo((repo, req) => {
      const run = repo.checkRuns.find((r) => r.id === int(req.params.check_run_id));
      if (!run) return notFound();
      if (req.actor.kind === "user") return onlyApps();
      if (req.actor.app.id !== run.app.id) {
        return errorReply(403, "Resource not accessible by integration");
      }
      const body = checkBodySchema.parse(req.body);
      const problem = checkProblems(body.output);
      if (problem) return errorReply(422, problem);
      applyCheckBody(run, body);
      return { status: 200, json: checkRunJson(repo, run, req.urls) };
    }),
    "checks/get": withRepo((repo, req) => {
      const run = repo.checkRuns.find((r) => r.id === int(req.params.check_run_id));
      return run ? { status: 200, json: checkRunJson(repo, run, req.urls) } : notFound();
    }),
    "checks/list-annotations": withRepo((repo, req) => {
      const run = repo.checkRuns.find((r) => r.id === int(req.params.check_run_id));
      if (!run) return notFound();
      return paginate(req, run.annotations, (a) => ({
        path: a.path,
        start_line: a.start_line,
        end_line: a.end_line,
        start_column: a.start_column ?? null,
        end_column: a.end_column ?? null,
        annotation_level: a.annotation_level,
        title: a.title ?? "",
        message: a.message,
        raw_details: a.raw_details ?? "",
        blob_href: `${req.urls.web}/${repo.fullName}/blob/${run.headSha}/${a.path}`,
      }));
    }),
    "checks/list-for-ref": withRepo((repo, req) => {
      const sha = repo.resolveRef(req.params.ref ?? "");
      if (!sha) return errorReply(422, `No commit found for SHA: ${req.params.ref ?? ""}`);
      let runs = repo.checkRuns.filter((r) => r.headSha === sha);
      const { check_name: name, status, app_id: appId, filter = "latest" } = req.query;
      if (name) runs = runs.filter((r) => r.name === name);
      if (status) runs = runs.filter((r) => r.status === status);
      if (appId) runs = runs.filter((r) => String(r.app.id) === appId);
      if (filter === "latest") {
        const newest = new Map<string, SimCheckRun>();
        for (const r of runs) newest.set(`${r.app.id}\0${r.name}`, r);
        runs = [...newest.values()];
      }
      runs = [...runs].sort((a, b) => b.id - a.id);
      const page = paginate(req, runs, (r) => checkRunJson(repo, r, req.urls));
      return { ...page, json: { total_count: runs.length, check_runs: page.json } };
    }),

    // --- people -------------------------------------------------------------------------------
    "teams/get-membership-for-user-in-org": (req) => {
      const { org = "", team_slug: slug = "", username = "" } = req.params;
      // A workflow's GITHUB_TOKEN has no members permission: GitHub refuses team reads.
      if (req.actor.kind === "app" && req.actor.app.id === GITHUB_ACTIONS_APP.id) {
        return errorReply(403, "Resource not accessible by integration");
      }
      const membership = state.teamMembership(org, slug, username);
      if (!membership) return notFound();
      return {
        status: 200,
        json: {
          url: `${req.urls.api}/organizations/${org}/team/${slug}/memberships/${username}`,
          role: "member",
          state: membership,
        },
      };
    },
    "users/get-by-username": (req) => {
      const user = state.findUser(req.params.username ?? "");
      return user
        ? { status: 200, json: publicUserJson(user, req.urls, "2020-01-01T00:00:00Z") }
        : notFound();
    },
    "repos/get": withRepo((repo, req) => ({ status: 200, json: repoJson(repo, req.urls) })),
    // --- issues (not pull requests) -----------------------------------------------------
    "issues/list-for-repo": withRepo((repo, req) => {
      const wanted = req.query.state ?? "open";
      const labels = (req.query.labels ?? "")
        .split(",")
        .map((l) => l.trim())
        .filter((l) => l !== "");
      const issues = [...repo.issues.values()]
        .filter((i) => wanted === "all" || i.state === wanted)
        .filter((i) => labels.every((l) => i.labels.includes(l)))
        .sort((a, b) => b.number - a.number);
      if (req.query.direction === "asc") issues.reverse();
      return paginate(req, issues, (i) => plainIssueJson(repo, i, req.urls));
    }),
    "issues/get": withRepo((repo, req) => {
      const issue = repo.issues.get(int(req.params.issue_number));
      return issue ? { status: 200, json: plainIssueJson(repo, issue, req.urls) } : notFound();
    }),
    "issues/create": withRepo((repo, req) => {
      const body = issueBodySchema.parse(req.body);
      if (body.title === undefined || body.title.trim() === "") {
        return errorReply(422, "Validation Failed: title is missing");
      }
      const tooLong = commentTooLong(body.body ?? "");
      if (tooLong) return tooLong;
      const issue = repo.openIssue({
        user: state.actorUser(req.actor),
        title: body.title,
        body: body.body ?? "",
        labels: body.labels ?? [],
      });
      return { status: 201, json: plainIssueJson(repo, issue, req.urls) };
    }),
    "issues/update": withRepo((repo, req) => {
      const number = int(req.params.issue_number);
      if (!repo.issues.has(number)) return notFound();
      const body = issueBodySchema.parse(req.body);
      const tooLong = commentTooLong(body.body ?? "");
      if (tooLong) return tooLong;
      const issue = repo.updateIssue(number, {
        ...(body.title !== undefined ? { title: body.title } : {}),
        ...(body.body !== undefined ? { body: body.body } : {}),
        ...(body.state !== undefined ? { state: body.state } : {}),
        ...(body.state_reason !== undefined ? { stateReason: body.state_reason } : {}),
      });
      return { status: 200, json: plainIssueJson(repo, issue, req.urls) };
    }),
    "issues/create-label": withRepo((repo, req) => {
      const { name } = z.object({ name: z.string().min(1) }).parse(req.body);
      if (repo.labels.has(name)) {
        return {
          status: 422,
          json: {
            message: "Validation Failed",
            errors: [{ resource: "Label", code: "already_exists", field: "name" }],
            documentation_url: DOCS,
          },
        };
      }
      repo.labels.add(name);
      return { status: 201, json: labelJson(repo, name, req.urls) };
    }),
    "repos/list-for-org": (req) => listRepos(req, state, req.params.org ?? "", "Organization"),
    "repos/list-for-user": (req) => listRepos(req, state, req.params.username ?? "", "User"),
    "git/get-ref": withRepo((repo, req) => {
      const ref = req.params.ref ?? "";
      if (repo.commits.size === 0) return errorReply(409, "Git Repository is empty.");
      const branch = ref.startsWith("heads/") ? ref.slice("heads/".length) : undefined;
      const sha = branch !== undefined ? repo.branches.get(branch) : undefined;
      if (!sha) return notFound();
      const url = `${req.urls.api}/repos/${repo.fullName}/git/refs/${ref}`;
      return {
        status: 200,
        json: {
          ref: `refs/${ref}`,
          node_id: Buffer.from(`0:Ref${repo.id}:${ref}`).toString("base64"),
          url,
          object: {
            sha,
            type: "commit",
            url: `${req.urls.api}/repos/${repo.fullName}/git/commits/${sha}`,
          },
        },
      };
    }),
    "git/get-tree": withRepo((repo, req) => {
      if (repo.commits.size === 0) return errorReply(409, "Git Repository is empty.");
      const wanted = req.params.tree_sha ?? "";
      const commitSha =
        repo.resolveRef(wanted) ??
        [...repo.commits.values()].find((c) => c.treeSha === wanted)?.sha;
      if (!commitSha) return notFound();
      const commit = repo.getCommit(commitSha);
      const recursive = req.query.recursive !== undefined && req.query.recursive !== "0";
      const entries = treeEntries(commit.tree, recursive, (sha) =>
        Buffer.byteLength(state.blobs.get(sha) ?? ""),
      );
      const truncated = entries.length > state.treeEntryLimit;
      const api = `${req.urls.api}/repos/${repo.fullName}/git`;
      return {
        status: 200,
        json: {
          sha: commit.treeSha,
          url: `${api}/trees/${commit.treeSha}`,
          tree: entries.slice(0, state.treeEntryLimit).map((e) => ({
            ...e,
            url: `${api}/${e.type === "blob" ? "blobs" : "trees"}/${e.sha}`,
          })),
          truncated,
        },
      };
    }),
  };
  return handlers;
}

/** An owner's repositories, as `GET /orgs/{org}/repos` and `GET /users/{username}/repos` list them. */
function listRepos(
  req: OpRequest,
  state: SimState,
  owner: string,
  type: "Organization" | "User",
): OpReply {
  const account = state.findUser(owner);
  if (!account || account.type !== type) return notFound();
  const repos = state.reposOf(owner);
  if (req.query.sort === "full_name") repos.sort((a, b) => a.fullName.localeCompare(b.fullName));
  else repos.reverse(); // newest first, as GitHub sorts by created
  if (req.query.direction === "asc" && req.query.sort !== "full_name") repos.reverse();
  if (req.query.direction === "desc" && req.query.sort === "full_name") repos.reverse();
  return paginate(req, repos, (r) => repoJson(r, req.urls));
}

interface TreeEntry {
  path: string;
  mode: string;
  type: "blob" | "tree";
  sha: string;
  size?: number;
}

/** A flat tree as `git/get-tree` lists it: blobs, and the folders above them. */
function treeEntries(
  tree: ReadonlyMap<string, string>,
  recursive: boolean,
  sizeOf: (sha: string) => number,
): TreeEntry[] {
  const folders = new Map<string, Map<string, string>>();
  const entries: TreeEntry[] = [];
  for (const [path, sha] of tree) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join("/");
      const inside = folders.get(folder) ?? new Map<string, string>();
      inside.set(path, sha);
      folders.set(folder, inside);
    }
    if (recursive || parts.length === 1) {
      entries.push({ path, mode: "100644", type: "blob", sha, size: sizeOf(sha) });
    }
  }
  for (const [folder, inside] of folders) {
    if (recursive || !folder.includes("/")) {
      entries.push({ path: folder, mode: "040000", type: "tree", sha: treeSha(inside) });
    }
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function installationJson(state: SimState, repo: SimRepo, urls: Urls) {
  return {
    id: repo.installationId,
    account: userJson(repo.owner, urls),
    repository_selection: "all",
    access_tokens_url: `${urls.api}/app/installations/${repo.installationId}/access_tokens`,
    repositories_url: `${urls.api}/installation/repositories`,
    html_url: `${urls.web}/organizations/${repo.owner.login}/settings/installations/${repo.installationId}`,
    app_id: state.app.id,
    app_slug: state.app.slug,
    target_id: repo.owner.id,
    target_type: repo.owner.type,
    permissions: {
      checks: "write",
      contents: "read",
      issues: "write",
      pull_requests: "write",
      members: "read",
      metadata: "read",
    },
    events: ["pull_request", "pull_request_review", "issue_comment", "check_run"],
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}
