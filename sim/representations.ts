import type { Commit, FileChange } from "./git.js";
import { lineStats, withRenames } from "./git.js";
import type {
  SimApp,
  SimCheckRun,
  SimComment,
  SimIssue,
  SimPullRequest,
  SimRepo,
  SimReview,
  SimReviewRequestEvent,
  SimUser,
} from "./state.js";

/**
 * JSON shapes of GitHub's REST resources, built from simulator state. `api` is the API base
 * (`…/api/v3`) and `web` the web origin, as on GitHub Enterprise Server.
 */
export interface Urls {
  api: string;
  web: string;
}

type Json = Record<string, unknown>;

const nodeId = (kind: string, id: number | string) =>
  Buffer.from(`0:${kind}${id}`).toString("base64").replace(/=+$/, "");

export function userJson(u: SimUser, { api, web }: Urls): Json {
  const url = `${api}/users/${u.login}`;
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId("User", u.id),
    avatar_url: `${web}/avatars/u/${u.id}`,
    gravatar_id: "",
    url,
    html_url: `${web}/${u.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: u.type,
    user_view_type: "public",
    site_admin: false,
  };
}

/** The fuller user object of `GET /users/{username}`. */
export function publicUserJson(u: SimUser, urls: Urls, createdAt: string): Json {
  return {
    ...userJson(u, urls),
    name: u.name,
    company: null,
    blog: "",
    location: null,
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: createdAt,
    updated_at: createdAt,
  };
}

export function appJson(app: SimApp, owner: SimUser, urls: Urls, createdAt: string): Json {
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId("App", app.id),
    client_id: `Iv1.${app.slug}`,
    owner: userJson(owner, urls),
    name: app.name,
    description: "",
    external_url: `${urls.web}/apps/${app.slug}`,
    html_url: `${urls.web}/apps/${app.slug}`,
    created_at: createdAt,
    updated_at: createdAt,
    permissions: {
      checks: "write",
      contents: "read",
      issues: "write",
      pull_requests: "write",
      members: "read",
      metadata: "read",
    },
    events: ["pull_request", "pull_request_review", "issue_comment", "check_run"],
  };
}

export function repoJson(r: SimRepo, urls: Urls): Json {
  const url = `${urls.api}/repos/${r.fullName}`;
  return {
    id: r.id,
    node_id: nodeId("Repository", r.id),
    name: r.name,
    full_name: r.fullName,
    private: r.private,
    owner: userJson(r.owner, urls),
    html_url: `${urls.web}/${r.fullName}`,
    description: null,
    fork: false,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    git_url: `git:${urls.web.replace(/^https?:/, "")}/${r.fullName}.git`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    ssh_url: `git@${urls.web.replace(/^https?:\/\//, "")}:${r.fullName}.git`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
    clone_url: `${urls.web}/${r.fullName}.git`,
    hooks_url: `${url}/hooks`,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    // GitHub reports 0 for a repository without commits.
    size: r.commits.size === 0 ? 0 : 1 + r.commits.size,
    default_branch: r.defaultBranch,
    open_issues_count: [...r.pulls.values()].filter((p) => p.state === "open").length,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    archived: r.archived,
    disabled: false,
    visibility: r.private ? "private" : "public",
    pushed_at: r.pushedAt,
    created_at: r.createdAt,
    updated_at: r.createdAt,
    allow_forking: true,
    web_commit_signoff_required: false,
    forks: 0,
    open_issues: 0,
    watchers: 0,
  };
}

/** GitHub's author_association of `user` on `repo`. */
export function association(repo: SimRepo, user: SimUser): string {
  if (user.login.toLowerCase() === repo.owner.login.toLowerCase()) return "OWNER";
  if (repo.state.isOrgMember(repo.owner.login, user.login)) return "MEMBER";
  if (repo.collaborators.has(user.login.toLowerCase())) return "COLLABORATOR";
  for (const c of repo.commits.values()) {
    if (c.authorLogin?.toLowerCase() === user.login.toLowerCase()) return "CONTRIBUTOR";
  }
  return "NONE";
}

function branchJson(pr: SimPullRequest, ref: string, sha: string, urls: Urls): Json {
  return {
    label: `${pr.repo.owner.login}:${ref}`,
    ref,
    sha,
    user: userJson(pr.repo.owner, urls),
    repo: repoJson(pr.repo, urls),
  };
}

/** A pull request as `pulls/list` returns it (no diff statistics). */
export function pullSimpleJson(pr: SimPullRequest, urls: Urls): Json {
  const { repo } = pr;
  const url = `${urls.api}/repos/${repo.fullName}/pulls/${pr.number}`;
  const html = `${urls.web}/${repo.fullName}/pull/${pr.number}`;
  const issue = `${urls.api}/repos/${repo.fullName}/issues/${pr.number}`;
  return {
    url,
    id: pr.id,
    node_id: nodeId("PullRequest", pr.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${urls.api}/repos/${repo.fullName}/pulls/comments{/number}`,
    comments_url: `${issue}/comments`,
    statuses_url: `${urls.api}/repos/${repo.fullName}/statuses/${pr.headSha}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: userJson(pr.author, urls),
    body: pr.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.state === "closed" ? pr.updatedAt : null,
    merged_at: pr.merged ? pr.updatedAt : null,
    merge_commit_sha: pr.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: pr.requestedUsers.map((u) => userJson(u, urls)),
    requested_teams: pr.requestedTeams.map((slug) => teamJson(repo.owner.login, slug, urls)),
    head: branchJson(pr, pr.headRef, pr.headSha, urls),
    base: branchJson(pr, pr.baseRef, pr.baseSha, urls),
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issue },
      comments: { href: `${issue}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${urls.api}/repos/${repo.fullName}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${urls.api}/repos/${repo.fullName}/statuses/${pr.headSha}` },
    },
    author_association: association(repo, pr.author),
    auto_merge: null,
    draft: pr.draft,
  };
}

/** A pull request as `pulls/get` returns it. */
export function pullJson(pr: SimPullRequest, urls: Urls): Json {
  const files = withRenames(pr.files());
  let additions = 0;
  let deletions = 0;
  for (const f of files) {
    const s = fileStats(pr.repo, f);
    additions += s.additions;
    deletions += s.deletions;
  }
  return {
    ...pullSimpleJson(pr, urls),
    merged: pr.merged,
    mergeable: pr.state === "open" ? true : null,
    rebaseable: pr.state === "open" ? true : null,
    mergeable_state: "clean",
    merged_by: null,
    comments: pr.repo.issueComments(pr.number).length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: pr.commits().length,
    additions,
    deletions,
    changed_files: files.length,
  };
}

function fileStats(repo: SimRepo, f: FileChange) {
  const before = f.previousSha === null ? null : (repo.state.blobs.get(f.previousSha) ?? null);
  const after = f.status === "removed" ? null : (repo.state.blobs.get(f.sha) ?? null);
  return lineStats(before, after);
}

/** One entry of `pulls/list-files`, `compare` or a commit's `files`. */
export function fileJson(repo: SimRepo, f: FileChange, ref: string, urls: Urls): Json {
  const path = f.filename.split("/").map(encodeURIComponent).join("/");
  return {
    sha: f.sha,
    filename: f.filename,
    status: f.status,
    ...(f.previousFilename ? { previous_filename: f.previousFilename } : {}),
    ...fileStats(repo, f),
    blob_url: `${urls.web}/${repo.fullName}/blob/${ref}/${path}`,
    raw_url: `${urls.web}/${repo.fullName}/raw/${ref}/${path}`,
    contents_url: `${urls.api}/repos/${repo.fullName}/contents/${path}?ref=${ref}`,
    patch: "",
  };
}

export function commitJson(repo: SimRepo, c: Commit, urls: Urls): Json {
  const url = `${urls.api}/repos/${repo.fullName}/commits/${c.sha}`;
  const account = (login: string | null) => {
    const u = login ? repo.state.findUser(login) : undefined;
    return u ? userJson(u, urls) : null;
  };
  return {
    url,
    sha: c.sha,
    node_id: nodeId("Commit", c.sha),
    html_url: `${urls.web}/${repo.fullName}/commit/${c.sha}`,
    comments_url: `${url}/comments`,
    commit: {
      url: `${urls.api}/repos/${repo.fullName}/git/commits/${c.sha}`,
      author: c.author,
      committer: c.committer,
      message: c.message,
      tree: { sha: c.treeSha, url: `${urls.api}/repos/${repo.fullName}/git/trees/${c.treeSha}` },
      comment_count: 0,
      verification: {
        verified: false,
        reason: "unsigned",
        signature: null,
        payload: null,
        verified_at: null,
      },
    },
    author: account(c.authorLogin),
    committer: account(c.committerLogin),
    parents: c.parents.map((sha) => ({
      sha,
      url: `${urls.api}/repos/${repo.fullName}/commits/${sha}`,
      html_url: `${urls.web}/${repo.fullName}/commit/${sha}`,
    })),
  };
}

export function reviewJson(pr: SimPullRequest, r: SimReview, urls: Urls): Json {
  const html = `${urls.web}/${pr.repo.fullName}/pull/${pr.number}#pullrequestreview-${r.id}`;
  const prUrl = `${urls.api}/repos/${pr.repo.fullName}/pulls/${pr.number}`;
  return {
    id: r.id,
    node_id: nodeId("PullRequestReview", r.id),
    user: userJson(r.user, urls),
    body: r.body,
    state: r.state,
    html_url: html,
    pull_request_url: prUrl,
    _links: { html: { href: html }, pull_request: { href: prUrl } },
    submitted_at: r.submittedAt,
    commit_id: r.commitId,
    author_association: association(pr.repo, r.user),
  };
}

export function commentJson(repo: SimRepo, c: SimComment, urls: Urls): Json {
  const owner = repo.state.findUser(repo.state.app.ownerLogin) ?? repo.owner;
  return {
    id: c.id,
    node_id: nodeId("IssueComment", c.id),
    url: `${urls.api}/repos/${repo.fullName}/issues/comments/${c.id}`,
    html_url: `${urls.web}/${repo.fullName}/pull/${c.issueNumber}#issuecomment-${c.id}`,
    body: c.body,
    user: userJson(c.user, urls),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    issue_url: `${urls.api}/repos/${repo.fullName}/issues/${c.issueNumber}`,
    author_association: association(repo, c.user),
    performed_via_github_app: c.performedViaApp
      ? appJson(c.performedViaApp, owner, urls, repo.createdAt)
      : null,
  };
}

export function checkRunJson(repo: SimRepo, run: SimCheckRun, urls: Urls): Json {
  const url = `${urls.api}/repos/${repo.fullName}/check-runs/${run.id}`;
  const appOwner = repo.state.user(run.app.ownerLogin);
  const prs = [...repo.pulls.values()].filter(
    (p) => p.state === "open" && p.headSha === run.headSha,
  );
  const miniRepo = { id: repo.id, url: `${urls.api}/repos/${repo.fullName}`, name: repo.name };
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: nodeId("CheckRun", run.id),
    external_id: run.externalId ?? "",
    url,
    html_url: `${urls.web}/${repo.fullName}/runs/${run.id}`,
    details_url: run.detailsUrl ?? `${urls.web}/${repo.fullName}/runs/${run.id}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      ...run.output,
      annotations_count: run.annotations.length,
      annotations_url: `${url}/annotations`,
    },
    name: run.name,
    check_suite: { id: run.id },
    app: appJson(run.app, appOwner, urls, repo.createdAt),
    pull_requests: prs.map((p) => ({
      url: `${urls.api}/repos/${repo.fullName}/pulls/${p.number}`,
      id: p.id,
      number: p.number,
      head: { ref: p.headRef, sha: p.headSha, repo: miniRepo },
      base: { ref: p.baseRef, sha: p.baseSha, repo: miniRepo },
    })),
  };
}

/** Files larger than this come back from `repos/get-content` without their content. */
export const CONTENT_INLINE_LIMIT = 1024 * 1024;

/** `repos/get-content` for a file: base64 in 60-column lines, like GitHub. */
export function contentFileJson(
  repo: SimRepo,
  path: string,
  ref: string,
  blob: { content: string; sha: string },
  urls: Urls,
): Json {
  const bytes = Buffer.from(blob.content, "utf8");
  const entry = contentEntryJson(repo, path, ref, "file", blob.sha, bytes.length, urls);
  // Above 1 MB GitHub leaves the content out; clients fetch the blob or the raw media type.
  if (bytes.length > CONTENT_INLINE_LIMIT) return { ...entry, encoding: "none", content: "" };
  const lines = bytes.toString("base64").match(/.{1,60}/g) ?? [];
  return { ...entry, encoding: "base64", content: lines.length ? `${lines.join("\n")}\n` : "" };
}

export function contentEntryJson(
  repo: SimRepo,
  path: string,
  ref: string,
  type: "file" | "dir",
  sha: string,
  size: number,
  urls: Urls,
): Json {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  const self = `${urls.api}/repos/${repo.fullName}/contents/${encoded}?ref=${encodeURIComponent(ref)}`;
  const git = `${urls.api}/repos/${repo.fullName}/git/${type === "file" ? "blobs" : "trees"}/${sha}`;
  const html = `${urls.web}/${repo.fullName}/${type === "file" ? "blob" : "tree"}/${ref}/${encoded}`;
  return {
    type,
    size,
    name: path.split("/").pop() ?? path,
    path,
    sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url: type === "file" ? `${urls.web}/${repo.fullName}/raw/${ref}/${encoded}` : null,
    _links: { self, git, html },
  };
}

export function organizationJson(org: SimUser, { api, web }: Urls): Json {
  const url = `${api}/orgs/${org.login}`;
  return {
    login: org.login,
    id: org.id,
    node_id: nodeId("Organization", org.id),
    url,
    repos_url: `${url}/repos`,
    events_url: `${url}/events`,
    hooks_url: `${url}/hooks`,
    issues_url: `${url}/issues`,
    members_url: `${url}/members{/member}`,
    public_members_url: `${url}/public_members{/member}`,
    avatar_url: `${web}/avatars/u/${org.id}`,
    description: null,
  };
}

/** The issue side of a pull request, as `issue_comment` webhooks carry it. */
export function issueJson(pr: SimPullRequest, urls: Urls): Json {
  const { repo } = pr;
  const url = `${urls.api}/repos/${repo.fullName}/issues/${pr.number}`;
  const html = `${urls.web}/${repo.fullName}/pull/${pr.number}`;
  return {
    url,
    repository_url: `${urls.api}/repos/${repo.fullName}`,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: html,
    id: pr.id,
    node_id: nodeId("Issue", pr.id),
    number: pr.number,
    title: pr.title,
    user: userJson(pr.author, urls),
    labels: [],
    state: pr.state,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: repo.issueComments(pr.number).length,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.state === "closed" ? pr.updatedAt : null,
    author_association: association(repo, pr.author),
    active_lock_reason: null,
    draft: pr.draft,
    body: pr.body,
    pull_request: {
      url: `${urls.api}/repos/${repo.fullName}/pulls/${pr.number}`,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      merged_at: pr.merged ? pr.updatedAt : null,
    },
  };
}

/** An issue (not a pull request), as the issues API returns it. */
export function plainIssueJson(repo: SimRepo, issue: SimIssue, urls: Urls): Json {
  const url = `${urls.api}/repos/${repo.fullName}/issues/${issue.number}`;
  return {
    url,
    repository_url: `${urls.api}/repos/${repo.fullName}`,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${urls.web}/${repo.fullName}/issues/${issue.number}`,
    id: issue.id,
    node_id: nodeId("Issue", issue.id),
    number: issue.number,
    title: issue.title,
    user: userJson(issue.user, urls),
    labels: issue.labels.map((name) => labelJson(repo, name, urls)),
    state: issue.state,
    state_reason: issue.stateReason,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: 0,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    author_association: association(repo, issue.user),
    active_lock_reason: null,
    body: issue.body,
  };
}

export function labelJson(repo: SimRepo, name: string, urls: Urls): Json {
  const id = [...name].reduce((n, c) => (n * 31 + c.charCodeAt(0)) % 1_000_000, 7);
  return {
    id,
    node_id: nodeId("Label", id),
    url: `${urls.api}/repos/${repo.fullName}/labels/${encodeURIComponent(name)}`,
    name,
    color: "ededed",
    default: false,
    description: null,
  };
}

/** A team as GitHub nests it in pull requests and timeline events. */
export function teamJson(org: string, slug: string, { api, web }: Urls): Json {
  const id = [...`${org}/${slug}`.toLowerCase()].reduce(
    (h, c) => (h * 31 + c.charCodeAt(0)) % 1_000_000,
    7,
  );
  return {
    id,
    node_id: nodeId("Team", id),
    url: `${api}/organizations/${org}/team/${id}`,
    html_url: `${web}/orgs/${org}/teams/${slug}`,
    name: slug,
    slug,
    description: null,
    privacy: "closed",
    notification_setting: "notifications_enabled",
    permission: "pull",
    members_url: `${api}/organizations/${org}/team/${id}/members{/member}`,
    repositories_url: `${api}/organizations/${org}/team/${id}/repos`,
    parent: null,
  };
}

/** A review request event as the issue timeline lists it. */
export function reviewRequestEventJson(
  pr: SimPullRequest,
  e: SimReviewRequestEvent,
  urls: Urls,
): Json {
  const { repo } = pr;
  const reviewer =
    "user" in e.reviewer
      ? { requested_reviewer: userJson(e.reviewer.user, urls) }
      : { requested_team: teamJson(repo.owner.login, e.reviewer.team, urls) };
  return {
    id: e.id,
    node_id: nodeId("ReviewRequestedEvent", e.id),
    url: `${urls.api}/repos/${repo.fullName}/issues/events/${e.id}`,
    actor: userJson(e.actor, urls),
    event: e.event,
    commit_id: null,
    commit_url: null,
    created_at: e.createdAt,
    review_requester: userJson(e.actor, urls),
    ...reviewer,
    performed_via_github_app: e.viaApp
      ? appJson(e.viaApp, repo.state.user(e.viaApp.ownerLogin), urls, repo.createdAt)
      : null,
  };
}
