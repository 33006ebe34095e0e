import {
  blobSha,
  type Commit,
  commitSha,
  diffTrees,
  type FileChange,
  type Tree,
  treeSha,
} from "./git.js";

export type UserType = "User" | "Bot" | "Organization";

export type MembershipState = "active" | "pending";

export interface SimUser {
  id: number;
  login: string;
  type: UserType;
  name: string;
  email: string;
}

/** The GitHub App the simulator authenticates installations for. */
export interface SimApp {
  id: number;
  slug: string;
  name: string;
  ownerLogin: string;
}

/** The app a workflow's `GITHUB_TOKEN` acts as: `sim.state.addToken(token, { app: GITHUB_ACTIONS_APP })`. */
export const GITHUB_ACTIONS_APP: SimApp = {
  id: 15368,
  slug: "github-actions",
  name: "GitHub Actions",
  ownerLogin: "github",
};

/** Someone or something a request acts as (decided by its token). */
export type Actor = { kind: "app"; app: SimApp } | { kind: "user"; user: SimUser };

/** A user named by login (created on first mention) or an existing `{ login }`. */
export type UserRef = string | { login: string };

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

export interface SimReview {
  id: number;
  user: SimUser;
  state: ReviewState;
  body: string;
  commitId: string;
  submittedAt: string;
}

/** A `review_requested` or `review_request_removed` event of a pull request's timeline. */
export interface SimReviewRequestEvent {
  id: number;
  event: "review_requested" | "review_request_removed";
  actor: SimUser;
  /** The GitHub App the request was made through, when it was. */
  viaApp: SimApp | null;
  reviewer: { user: SimUser } | { team: string };
  createdAt: string;
}

export interface CommentRevision {
  body: string;
  at: string;
}

export interface SimComment {
  id: number;
  issueNumber: number;
  user: SimUser;
  body: string;
  createdAt: string;
  updatedAt: string;
  /** Every body it has had, oldest first (the first is the original). */
  revisions: CommentRevision[];
  deleted: boolean;
  /** For comments written through the API by an app: which app. */
  performedViaApp: SimApp | null;
}

export type CheckStatus =
  | "queued"
  | "in_progress"
  | "completed"
  | "waiting"
  | "requested"
  | "pending";

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number | undefined;
  end_column?: number | undefined;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string | undefined;
  raw_details?: string | undefined;
}

export interface CheckOutput {
  title: string | null;
  summary: string | null;
  text: string | null;
}

export interface CheckRunSnapshot {
  status: CheckStatus;
  conclusion: string | null;
  output: CheckOutput;
  at: string;
}

export interface SimCheckRun {
  id: number;
  name: string;
  headSha: string;
  status: CheckStatus;
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  output: CheckOutput;
  annotations: CheckAnnotation[];
  detailsUrl: string | null;
  externalId: string | null;
  app: SimApp;
  /** The state after the create and after each update, oldest first. */
  history: CheckRunSnapshot[];
}

export interface CheckRunsAtSha {
  /** The newest run of each name (what GitHub's `filter=latest` and the PR page show). */
  latest: Record<string, SimCheckRun>;
  /** Every run on that sha, oldest first. */
  all: SimCheckRun[];
}

export interface CommitInput {
  /** path → new content, or `null` to delete the file. */
  files: Record<string, string | null>;
  /** The GitHub account the author signature maps to; `null` for an unattributed commit. */
  author?: UserRef | null;
  committer?: UserRef | null;
  message?: string;
  /** Commit on top of this sha instead of the branch head (for merges pass `parents`). */
  parents?: string[];
}

export interface OpenPullRequestInput {
  number?: number;
  head: string;
  base?: string;
  author: UserRef;
  title?: string;
  body?: string;
  draft?: boolean;
}

export interface ReviewInput {
  user: UserRef;
  state: ReviewState;
  body?: string;
  /** The commit the review was given on; defaults to the current head. */
  commit?: string;
}

export interface CreateRepoInput {
  owner: string;
  name: string;
  id?: number;
  defaultBranch?: string;
  private?: boolean;
  /** Owner account type; an owner seen for the first time is an Organization unless told. */
  ownerType?: "User" | "Organization";
  installationId?: number;
}

export class SimError extends Error {}

export interface SimIssue {
  number: number;
  id: number;
  title: string;
  body: string;
  state: "open" | "closed";
  stateReason: string | null;
  labels: string[];
  user: SimUser;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** How many times it was changed through the API after it was opened. */
  edits: number;
}

const SHA_RE = /^[0-9a-f]{7,40}$/;

/**
 * The simulated GitHub's data: users, teams, repositories with a content-addressed commit
 * graph, pull requests, reviews, comments and check runs. Tests build scenarios with it and
 * read back what the app wrote; the HTTP handlers read and write the same objects.
 */
export class SimState {
  readonly app: SimApp;
  readonly installationId: number;
  private readonly users = new Map<string, SimUser>();
  private readonly repos = new Map<string, SimRepo>();
  private readonly teams = new Map<string, Map<string, MembershipState>>();
  private readonly tokens = new Map<string, Actor>();
  readonly blobs = new Map<string, string>();
  /**
   * Entries a recursive tree read returns before it is cut with `truncated: true` (GitHub cuts
   * at 100 000 entries or 7 MB); lower it to test a client's fallback.
   */
  treeEntryLimit = 100_000;
  /** Where the simulator is served; webhook payloads and API responses link here. */
  urls = { api: "https://api.github.com", web: "https://github.com" };
  private nextId = 1000;
  private nextUserId = 100;
  private nextRepoId = 500;
  private clock: () => Date;

  constructor(opts: { app?: Partial<SimApp>; installationId?: number; now?: () => Date } = {}) {
    this.app = {
      id: opts.app?.id ?? 1,
      slug: opts.app?.slug ?? "aigate",
      name: opts.app?.name ?? "aigate",
      ownerLogin: opts.app?.ownerLogin ?? "aigate-dev",
    };
    this.installationId = opts.installationId ?? 1;
    this.clock = opts.now ?? (() => new Date());
    this.addUser({ login: `${this.app.slug}[bot]`, type: "Bot" });
  }

  /** Sets the clock used for timestamps (created_at, submitted_at, commit dates …). */
  setNow(now: Date | (() => Date)): void {
    this.clock = typeof now === "function" ? now : () => now;
  }

  /** Current time as GitHub prints it (whole seconds, `Z`). */
  timestamp(): string {
    return this.clock()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
  }

  newId(): number {
    return this.nextId++;
  }

  /** Adds (or returns) a user; logins ending in `[bot]` are Bots. */
  addUser(input: {
    login: string;
    id?: number;
    type?: UserType;
    name?: string;
    email?: string;
  }): SimUser {
    const existing = this.users.get(input.login.toLowerCase());
    if (existing) return existing;
    const type = input.type ?? (input.login.endsWith("[bot]") ? "Bot" : "User");
    const id = input.id ?? this.nextUserId++;
    const user: SimUser = {
      id,
      login: input.login,
      type,
      name: input.name ?? input.login,
      email: input.email ?? `${id}+${input.login}@users.noreply.github.com`,
    };
    this.users.set(input.login.toLowerCase(), user);
    return user;
  }

  /** The user with that login, created as a plain User if it is new. */
  user(ref: UserRef): SimUser {
    const login = typeof ref === "string" ? ref : ref.login;
    return this.users.get(login.toLowerCase()) ?? this.addUser({ login });
  }

  findUser(login: string): SimUser | undefined {
    return this.users.get(login.toLowerCase());
  }

  /** The bot user the app's installation token writes as. */
  get appBot(): SimUser {
    return this.user(`${this.app.slug}[bot]`);
  }

  /** Declares a team `org/slug` with active members (replacing any earlier declaration). */
  addTeam(orgSlug: string, logins: string[]): void {
    const members = new Map<string, MembershipState>();
    for (const login of logins) members.set(this.user(login).login.toLowerCase(), "active");
    this.teams.set(orgSlug.toLowerCase(), members);
  }

  /**
   * Adds (`true` or `"active"`), invites (`"pending"`: GitHub answers 200 with
   * `state: "pending"`) or removes (`false`) one member of a team, creating the team if needed.
   */
  setTeamMember(orgSlug: string, login: string, member: boolean | MembershipState): void {
    const key = orgSlug.toLowerCase();
    const members = this.teams.get(key) ?? new Map<string, MembershipState>();
    if (member === false) members.delete(login.toLowerCase());
    else members.set(this.user(login).login.toLowerCase(), member === true ? "active" : member);
    this.teams.set(key, members);
  }

  /** The membership state, or undefined when the team or the membership does not exist. */
  teamMembership(org: string, slug: string, login: string): MembershipState | undefined {
    return this.teams.get(`${org}/${slug}`.toLowerCase())?.get(login.toLowerCase());
  }

  /** Whether the team `org/slug` exists. */
  hasTeam(org: string, slug: string): boolean {
    return this.teams.has(`${org}/${slug}`.toLowerCase());
  }

  /** The logins of a team's active members, or undefined when there is no such team. */
  teamMembers(org: string, slug: string): SimUser[] | undefined {
    const members = this.teams.get(`${org}/${slug}`.toLowerCase());
    if (!members) return undefined;
    return [...members]
      .filter(([, state]) => state === "active")
      .map(([login]) => this.user(login));
  }

  /** Whether `login` is in any team of `org`. */
  isOrgMember(org: string, login: string): boolean {
    const prefix = `${org.toLowerCase()}/`;
    for (const [key, members] of this.teams) {
      if (key.startsWith(prefix) && members.get(login.toLowerCase()) === "active") return true;
    }
    return false;
  }

  /** Makes `token` act as a user or another app (unknown tokens act as the simulator's app). */
  addToken(token: string, actor: { user: UserRef } | { app: SimApp }): void {
    if ("user" in actor) this.tokens.set(token, { kind: "user", user: this.user(actor.user) });
    else {
      this.addUser({ login: `${actor.app.slug}[bot]`, type: "Bot" });
      this.tokens.set(token, { kind: "app", app: actor.app });
    }
  }

  actorFor(token: string | undefined): Actor {
    return (token && this.tokens.get(token)) || { kind: "app", app: this.app };
  }

  /** The user an actor writes comments and reviews as. */
  actorUser(actor: Actor): SimUser {
    return actor.kind === "user" ? actor.user : this.user(`${actor.app.slug}[bot]`);
  }

  createRepo(input: CreateRepoInput): SimRepo {
    const key = `${input.owner}/${input.name}`.toLowerCase();
    if (this.repos.has(key))
      throw new SimError(`repository ${input.owner}/${input.name} already exists`);
    const owner = this.addUser({ login: input.owner, type: input.ownerType ?? "Organization" });
    const repo = new SimRepo(this, {
      owner,
      name: input.name,
      id: input.id ?? this.nextRepoId++,
      defaultBranch: input.defaultBranch ?? "main",
      private: input.private ?? false,
      installationId: input.installationId ?? this.installationId,
    });
    this.repos.set(key, repo);
    return repo;
  }

  repo(owner: string, name: string): SimRepo | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  /** A repository by object or `owner/name`; throws when there is none. */
  resolveRepo(ref: SimRepo | string): SimRepo {
    if (typeof ref !== "string") return ref;
    const [owner = "", name = ""] = ref.split("/");
    const repo = this.repo(owner, name);
    if (!repo) throw new SimError(`no repository ${ref}`);
    return repo;
  }

  allRepos(): SimRepo[] {
    return [...this.repos.values()];
  }

  /** The repositories an account owns, in creation order. */
  reposOf(owner: string): SimRepo[] {
    return this.allRepos().filter((r) => r.owner.login.toLowerCase() === owner.toLowerCase());
  }

  /** Check runs the app (or anyone) created on a commit. */
  checkRuns(repo: SimRepo | string, headSha: string): CheckRunsAtSha {
    const all = this.resolveRepo(repo).checkRuns.filter((r) => r.headSha === headSha);
    const latest: Record<string, SimCheckRun> = {};
    for (const run of all) latest[run.name] = run;
    return { latest, all };
  }

  /** The live (not deleted) comments on a pull request, oldest first. */
  comments(repo: SimRepo | string, pr: SimPullRequest | number): SimComment[] {
    const number = typeof pr === "number" ? pr : pr.number;
    return this.resolveRepo(repo).issueComments(number);
  }
}

export class SimRepo {
  readonly owner: SimUser;
  readonly name: string;
  readonly id: number;
  readonly defaultBranch: string;
  readonly private: boolean;
  readonly installationId: number;
  readonly commits = new Map<string, Commit>();
  readonly branches = new Map<string, string>();
  readonly pulls = new Map<number, SimPullRequest>();
  readonly comments = new Map<number, SimComment>();
  /** Issues (not pull requests); they share the pull requests' numbers. */
  readonly issues = new Map<number, SimIssue>();
  readonly labels = new Set<string>();
  readonly checkRuns: SimCheckRun[] = [];
  readonly createdAt: string;
  /** When a branch last moved (GitHub's `pushed_at`). */
  pushedAt: string;
  /** An archived repository is read-only; GitHub lists it with `archived: true`. */
  archived = false;
  /** Outside collaborators by lower-cased login (the owner and organisation members are collaborators too). */
  readonly collaborators = new Set<string>();
  /** Teams (slugs of the owner's organisation) given access to the repository. */
  readonly teamsWithAccess = new Set<string>();
  private nextNumber = 1;

  constructor(
    readonly state: SimState,
    init: {
      owner: SimUser;
      name: string;
      id: number;
      defaultBranch: string;
      private: boolean;
      installationId: number;
    },
  ) {
    this.owner = init.owner;
    this.name = init.name;
    this.id = init.id;
    this.defaultBranch = init.defaultBranch;
    this.private = init.private;
    this.installationId = init.installationId;
    this.createdAt = state.timestamp();
    this.pushedAt = this.createdAt;
  }

  get fullName(): string {
    return `${this.owner.login}/${this.name}`;
  }

  /** Whether GitHub lets `login` be requested for a review here: the owner, an organisation member or a collaborator. */
  isCollaborator(login: string): boolean {
    const lower = login.toLowerCase();
    return (
      lower === this.owner.login.toLowerCase() ||
      this.state.isOrgMember(this.owner.login, login) ||
      this.collaborators.has(lower)
    );
  }

  addCollaborator(login: string): void {
    this.collaborators.add(this.state.user(login).login.toLowerCase());
  }

  /** Gives a team of the owner's organisation access to the repository, so it can be requested. */
  grantTeam(slug: string): void {
    this.teamsWithAccess.add(slug.toLowerCase());
  }

  /**
   * Commits `files` on `branch` and moves the branch to the new commit. A new branch starts
   * from the default branch's head (or from nothing in an empty repository).
   * Returns the commit sha.
   */
  commit(branch: string, input: CommitInput): string {
    const current = this.branches.get(branch);
    const parents =
      input.parents ??
      (current !== undefined
        ? [current]
        : this.branches.has(this.defaultBranch)
          ? [this.branches.get(this.defaultBranch) ?? ""]
          : []);
    for (const p of parents) {
      if (!this.commits.has(p)) throw new SimError(`${this.fullName}: unknown parent commit ${p}`);
    }
    const first = parents[0];
    const tree = new Map<string, string>(first ? this.getCommit(first).tree : []);
    for (const [path, content] of Object.entries(input.files)) {
      if (content === null) tree.delete(path);
      else {
        const sha = blobSha(content);
        this.state.blobs.set(sha, content);
        tree.set(path, sha);
      }
    }
    const account = (ref: UserRef | null) => (ref === null ? null : this.state.user(ref));
    // An organisation does not author commits; a user-owned repository's owner does.
    const fallback = this.owner.type === "User" ? this.owner : this.state.user("octocat");
    const authorUser = input.author === undefined ? fallback : account(input.author);
    const committerUser = input.committer === undefined ? authorUser : account(input.committer);
    const date = this.state.timestamp();
    const signature = (u: SimUser | null) =>
      u
        ? { name: u.name, email: u.email, date }
        : { name: "Unknown", email: "unknown@example.invalid", date };
    const draft: Omit<Commit, "sha"> = {
      treeSha: treeSha(tree),
      parents,
      tree,
      message: input.message ?? `Update ${Object.keys(input.files).join(", ")}`,
      author: signature(authorUser),
      committer: signature(committerUser),
      authorLogin: authorUser ? authorUser.login : null,
      committerLogin: committerUser ? committerUser.login : null,
    };
    const sha = commitSha(draft);
    this.commits.set(sha, { sha, ...draft });
    this.branches.set(branch, sha);
    this.pushedAt = date;
    for (const pr of this.pulls.values()) {
      if (pr.headRef === branch && pr.state === "open") pr.synchronize();
    }
    return sha;
  }

  /**
   * Adopts commits made outside the simulator (a local git repository's, oldest first) by their
   * SHAs, so that check runs can be written and listed on them. A commit that gives its `files`
   * (path → content, `null` to delete, on top of its first parent's tree), `message` and `date`
   * is served with them; without, its tree is empty. Moves `branch` to the last one when given.
   */
  adoptCommits(
    commits: ReadonlyArray<{
      sha: string;
      parents: readonly string[];
      files?: Readonly<Record<string, string | null>>;
      message?: string;
      date?: string;
    }>,
    branch?: string,
  ): void {
    for (const c of commits) {
      if (this.commits.has(c.sha)) continue;
      const date = c.date ?? this.state.timestamp();
      const signature = { name: "git", email: "git@example.invalid", date };
      const first = c.parents[0];
      const tree = new Map<string, string>(
        c.files && first && this.commits.has(first) ? this.getCommit(first).tree : [],
      );
      for (const [path, content] of Object.entries(c.files ?? {})) {
        if (content === null) tree.delete(path);
        else {
          const sha = blobSha(content);
          this.state.blobs.set(sha, content);
          tree.set(path, sha);
        }
      }
      this.commits.set(c.sha, {
        sha: c.sha,
        treeSha: treeSha(tree),
        parents: [...c.parents],
        tree,
        message: c.message ?? "",
        author: signature,
        committer: signature,
        authorLogin: null,
        committerLogin: null,
      });
    }
    const last = commits.at(-1);
    if (branch !== undefined && last) this.branches.set(branch, last.sha);
  }

  /** Adds a completed check run written by `app` (the App by default), as an App's create would. */
  addCheckRun(init: {
    headSha: string;
    name: string;
    conclusion: string;
    output?: Partial<CheckOutput>;
    app?: SimApp;
  }): SimCheckRun {
    const now = this.state.timestamp();
    const run: SimCheckRun = {
      id: this.state.newId(),
      name: init.name,
      headSha: this.getCommit(init.headSha).sha,
      status: "completed",
      conclusion: init.conclusion,
      startedAt: now,
      completedAt: now,
      output: { title: null, summary: null, text: null, ...init.output },
      annotations: [],
      detailsUrl: null,
      externalId: null,
      app: init.app ?? this.state.app,
      history: [],
    };
    this.checkRuns.push(run);
    return run;
  }

  /**
   * Merges branch (or sha) `from` into branch `into` with a merge commit whose parents are
   * `into`'s head and `from`'s head, and whose tree is `into`'s tree plus `from`'s changes since
   * their merge base (conflicts resolve to `from`). "Update branch" is `merge("main", "feature")`.
   * Returns the merge commit sha.
   */
  merge(from: string, into: string, input: { author?: UserRef; message?: string } = {}): string {
    const fromSha = this.resolveRef(from);
    const intoSha = this.resolveRef(into);
    if (!fromSha) throw new SimError(`${this.fullName}: unknown ref ${from}`);
    if (!intoSha) throw new SimError(`${this.fullName}: unknown ref ${into}`);
    const files: Record<string, string | null> = {};
    for (const change of this.diff(intoSha, fromSha)) {
      files[change.filename] =
        change.status === "removed" ? null : (this.state.blobs.get(change.sha) ?? null);
    }
    const author = input.author ?? this.state.user("octocat");
    return this.commit(into, {
      files,
      parents: [intoSha, fromSha],
      author,
      committer: author,
      message: input.message ?? `Merge ${from} into ${into}`,
    });
  }

  /** Creates `name` pointing at `from` (a branch or sha; default branch by default). */
  createBranch(name: string, from: string = this.defaultBranch): string {
    const sha = this.resolveRef(from);
    if (!sha) throw new SimError(`${this.fullName}: unknown ref ${from}`);
    this.branches.set(name, sha);
    return sha;
  }

  /** A sha (full or abbreviated), branch name or `refs/heads/…` → full commit sha. */
  resolveRef(ref: string): string | undefined {
    const branch = ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : ref;
    const head = this.branches.get(branch);
    if (head) return head;
    if (this.commits.has(ref)) return ref;
    if (SHA_RE.test(ref)) {
      const matches = [...this.commits.keys()].filter((sha) => sha.startsWith(ref));
      if (matches.length === 1) return matches[0];
    }
    return undefined;
  }

  getCommit(sha: string): Commit {
    const commit = this.commits.get(sha);
    if (!commit) throw new SimError(`${this.fullName}: unknown commit ${sha}`);
    return commit;
  }

  /** The text of `path` at `ref`, or undefined. */
  fileAt(ref: string, path: string): { content: string; sha: string } | undefined {
    const sha = this.resolveRef(ref);
    const blob = sha ? this.getCommit(sha).tree.get(path) : undefined;
    const content = blob ? this.state.blobs.get(blob) : undefined;
    return blob && content !== undefined ? { content, sha: blob } : undefined;
  }

  /** All ancestors of `sha` including itself, nearest first (breadth first). */
  ancestors(sha: string): string[] {
    const seen = new Set<string>([sha]);
    const order = [sha];
    for (let i = 0; i < order.length; i++) {
      for (const p of this.getCommit(order[i] ?? "").parents) {
        if (!seen.has(p)) {
          seen.add(p);
          order.push(p);
        }
      }
    }
    return order;
  }

  /** The nearest common ancestor of two commits, if any. */
  mergeBase(a: string, b: string): string | undefined {
    const ofA = new Set(this.ancestors(a));
    return this.ancestors(b).find((sha) => ofA.has(sha));
  }

  /** Commits reachable from `head` but not from `base`, oldest first (like `git log base..head`). */
  commitsBetween(base: string | undefined, head: string): Commit[] {
    const exclude = new Set(base ? this.ancestors(base) : []);
    return this.ancestors(head)
      .filter((sha) => !exclude.has(sha))
      .map((sha) => this.getCommit(sha))
      .reverse();
  }

  /** Files changed from `base`'s merge base with `head` to `head` (GitHub's three-dot diff). */
  diff(base: string, head: string): FileChange[] {
    const mergeBase = this.mergeBase(base, head);
    const from: Tree = mergeBase ? this.getCommit(mergeBase).tree : new Map();
    return diffTrees(from, this.getCommit(head).tree);
  }

  /** Opens a pull request from branch `head` into `base` (default branch by default). */
  /** Opens an issue as `user`; labels that do not exist yet are created, as on GitHub. */
  openIssue(input: { user: UserRef; title: string; body?: string; labels?: string[] }): SimIssue {
    const number = this.nextNumber++;
    const at = this.state.timestamp();
    for (const label of input.labels ?? []) this.labels.add(label);
    const issue: SimIssue = {
      number,
      id: this.state.newId(),
      title: input.title,
      body: input.body ?? "",
      state: "open",
      stateReason: null,
      labels: [...new Set(input.labels ?? [])],
      user: this.state.user(input.user),
      createdAt: at,
      updatedAt: at,
      closedAt: null,
      edits: 0,
    };
    this.issues.set(number, issue);
    return issue;
  }

  /** Changes an issue as the API's update does; counts each change in `edits`. */
  updateIssue(
    number: number,
    change: {
      title?: string;
      body?: string;
      state?: "open" | "closed";
      stateReason?: string | null;
    },
  ): SimIssue {
    const issue = this.issues.get(number);
    if (!issue) throw new SimError(`${this.fullName}: no issue ${number}`);
    const at = this.state.timestamp();
    if (change.title !== undefined) issue.title = change.title;
    if (change.body !== undefined) issue.body = change.body;
    if (change.state !== undefined && change.state !== issue.state) {
      issue.state = change.state;
      issue.closedAt = change.state === "closed" ? at : null;
      issue.stateReason =
        change.state === "closed" ? (change.stateReason ?? "completed") : "reopened";
    }
    issue.updatedAt = at;
    issue.edits++;
    return issue;
  }

  openPullRequest(input: OpenPullRequestInput): SimPullRequest {
    const number = input.number ?? this.nextNumber;
    if (this.pulls.has(number)) throw new SimError(`${this.fullName}#${number} already exists`);
    this.nextNumber = Math.max(this.nextNumber, number + 1);
    const base = input.base ?? this.defaultBranch;
    if (!this.branches.has(input.head))
      throw new SimError(`${this.fullName}: no branch ${input.head}`);
    if (!this.branches.has(base)) throw new SimError(`${this.fullName}: no branch ${base}`);
    const pr = new SimPullRequest(this, {
      number,
      headRef: input.head,
      baseRef: base,
      author: this.state.user(input.author),
      title: input.title ?? `Pull request ${number}`,
      body: input.body ?? "",
      draft: input.draft ?? false,
    });
    this.pulls.set(number, pr);
    return pr;
  }

  pullRequest(number: number): SimPullRequest {
    const pr = this.pulls.get(number);
    if (!pr) throw new SimError(`${this.fullName}#${number} does not exist`);
    return pr;
  }

  /** Posts an issue comment on pull request `prNumber` as `user`. */
  addComment(
    prNumber: number,
    input: { user: UserRef; body: string },
    via: SimApp | null = null,
  ): SimComment {
    this.pullRequest(prNumber);
    const at = this.state.timestamp();
    const comment: SimComment = {
      id: this.state.newId(),
      issueNumber: prNumber,
      user: this.state.user(input.user),
      body: input.body,
      createdAt: at,
      updatedAt: at,
      revisions: [{ body: input.body, at }],
      deleted: false,
      performedViaApp: via,
    };
    this.comments.set(comment.id, comment);
    return comment;
  }

  /** Replaces a comment's body (the old body stays in `revisions`). */
  editComment(id: number, body: string): SimComment {
    const comment = this.liveComment(id);
    const at = this.state.timestamp();
    comment.body = body;
    comment.updatedAt = at;
    comment.revisions.push({ body, at });
    return comment;
  }

  deleteComment(id: number): void {
    this.liveComment(id).deleted = true;
  }

  liveComment(id: number): SimComment {
    const comment = this.comments.get(id);
    if (!comment || comment.deleted) throw new SimError(`${this.fullName}: no comment ${id}`);
    return comment;
  }

  issueComments(number: number): SimComment[] {
    return [...this.comments.values()]
      .filter((c) => c.issueNumber === number && !c.deleted)
      .sort((a, b) => a.id - b.id);
  }
}

export class SimPullRequest {
  readonly number: number;
  readonly id: number;
  readonly headRef: string;
  readonly baseRef: string;
  readonly author: SimUser;
  readonly createdAt: string;
  readonly reviews: SimReview[] = [];
  /** Users whose review is requested now (a review they submit answers it). */
  readonly requestedUsers: SimUser[] = [];
  /** Team slugs of the owner's organisation whose review is requested now. */
  readonly requestedTeams: string[] = [];
  /** Review request events, oldest first, as the timeline lists them. */
  readonly requestEvents: SimReviewRequestEvent[] = [];
  /** Every head sha the pull request has had, oldest first (the last is the current head). */
  readonly heads: string[] = [];
  title: string;
  body: string;
  draft: boolean;
  state: "open" | "closed" = "open";
  merged = false;
  /** What merging created: the merge or squash commit, or the last rebased commit (GitHub's `merge_commit_sha`). */
  mergeCommitSha: string | null = null;
  /** The commits merging put on the base branch, oldest first (a rebase puts several). */
  readonly landed: string[] = [];
  updatedAt: string;
  /** The base branch head as of the last push to the head branch (like GitHub's `base.sha`). */
  baseSha: string;

  constructor(
    readonly repo: SimRepo,
    init: {
      number: number;
      headRef: string;
      baseRef: string;
      author: SimUser;
      title: string;
      body: string;
      draft: boolean;
    },
  ) {
    this.number = init.number;
    this.id = repo.state.newId();
    this.headRef = init.headRef;
    this.baseRef = init.baseRef;
    this.author = init.author;
    this.title = init.title;
    this.body = init.body;
    this.draft = init.draft;
    this.createdAt = repo.state.timestamp();
    this.updatedAt = this.createdAt;
    this.baseSha = repo.resolveRef(init.baseRef) ?? "";
    this.heads.push(this.headSha);
  }

  get headSha(): string {
    return this.repo.resolveRef(this.headRef) ?? "";
  }

  /** Called when the head branch moves. */
  synchronize(): void {
    this.baseSha = this.repo.resolveRef(this.baseRef) ?? this.baseSha;
    this.updatedAt = this.repo.state.timestamp();
    this.heads.push(this.headSha);
  }

  /** The head before the latest push (what a `synchronize` event calls `before`). */
  get previousHeadSha(): string | undefined {
    return this.heads.at(-2);
  }

  /** Files the pull request changes (three-dot diff of base and head). */
  files(): FileChange[] {
    return this.repo.diff(this.baseSha, this.headSha);
  }

  commits(): Commit[] {
    return this.repo.commitsBetween(this.baseSha, this.headSha);
  }

  addReview(input: ReviewInput): SimReview {
    const review: SimReview = {
      id: this.repo.state.newId(),
      user: this.repo.state.user(input.user),
      state: input.state,
      body: input.body ?? "",
      commitId: input.commit ?? this.headSha,
      submittedAt: this.repo.state.timestamp(),
    };
    this.reviews.push(review);
    // A submitted review answers the reviewer's request, and their team's, on whose behalf
    // GitHub counts it (no timeline event).
    if (input.state !== "PENDING") {
      const requested = this.requestedUsers.findIndex((u) => u.id === review.user.id);
      if (requested >= 0) this.requestedUsers.splice(requested, 1);
      const owner = this.repo.owner.login;
      for (const slug of [...this.requestedTeams]) {
        if (this.repo.state.teamMembership(owner, slug, review.user.login) !== "active") continue;
        this.requestedTeams.splice(this.requestedTeams.indexOf(slug), 1);
      }
    }
    return review;
  }

  /**
   * Requests reviews from users and team slugs, as `by` (through `viaApp` when an app asked).
   * Someone already requested is left as is; everyone new gets a `review_requested` event.
   */
  requestReviewers(
    by: SimUser,
    users: SimUser[],
    teams: string[],
    viaApp: SimApp | null = null,
  ): void {
    const at = this.repo.state.timestamp();
    for (const user of users) {
      if (this.requestedUsers.some((u) => u.id === user.id)) continue;
      this.updatedAt = at;
      this.requestedUsers.push(user);
      this.requestEvents.push({
        id: this.repo.state.newId(),
        event: "review_requested",
        actor: by,
        viaApp,
        reviewer: { user },
        createdAt: at,
      });
    }
    for (const team of teams) {
      const slug = team.toLowerCase();
      if (this.requestedTeams.includes(slug)) continue;
      this.updatedAt = at;
      this.requestedTeams.push(slug);
      this.requestEvents.push({
        id: this.repo.state.newId(),
        event: "review_requested",
        actor: by,
        viaApp,
        reviewer: { team: slug },
        createdAt: at,
      });
    }
  }

  /** Removes review requests, as `by` does from the pull request's page. */
  removeRequestedReviewers(by: SimUser, users: SimUser[], teams: string[]): void {
    const at = this.repo.state.timestamp();
    for (const user of users) {
      const index = this.requestedUsers.findIndex((u) => u.id === user.id);
      if (index < 0) continue;
      this.requestedUsers.splice(index, 1);
      this.requestEvents.push({
        id: this.repo.state.newId(),
        event: "review_request_removed",
        actor: by,
        viaApp: null,
        reviewer: { user },
        createdAt: at,
      });
    }
    for (const team of teams) {
      const index = this.requestedTeams.indexOf(team.toLowerCase());
      if (index < 0) continue;
      const [slug = team] = this.requestedTeams.splice(index, 1);
      this.requestEvents.push({
        id: this.repo.state.newId(),
        event: "review_request_removed",
        actor: by,
        viaApp: null,
        reviewer: { team: slug },
        createdAt: at,
      });
    }
  }

  /** Dismisses a review, as a maintainer does (state becomes DISMISSED). */
  dismissReview(id: number): SimReview {
    const review = this.reviews.find((r) => r.id === id);
    if (!review) throw new SimError(`${this.repo.fullName}#${this.number}: no review ${id}`);
    review.state = "DISMISSED";
    return review;
  }

  close(): void {
    this.state = "closed";
    this.updatedAt = this.repo.state.timestamp();
  }

  /**
   * Merges into the base branch with a merge commit (parents: base head, PR head) whose tree is
   * the base tree plus the pull request's changes, and closes the pull request.
   * Returns the merge commit sha.
   */
  merge(by: UserRef = this.author): string {
    if (this.state !== "open")
      throw new SimError(`${this.repo.fullName}#${this.number} is not open`);
    const sha = this.repo.merge(this.headRef, this.baseRef, {
      author: by,
      message: `Merge pull request #${this.number} from ${this.headRef}`,
    });
    return this.landedAs([sha]);
  }

  /**
   * Squash-merges: one commit on the base branch with the pull request's changes since the merge
   * base; `files` changes more in the same commit (what a squash over a moved base can pick up).
   */
  squash(by: UserRef = this.author, files: Record<string, string | null> = {}): string {
    if (this.state !== "open")
      throw new SimError(`${this.repo.fullName}#${this.number} is not open`);
    const head = this.headSha;
    const changes: Record<string, string | null> = {};
    for (const change of this.repo.diff(this.repo.resolveRef(this.baseRef) ?? "", head)) {
      changes[change.filename] =
        change.status === "removed" ? null : (this.repo.state.blobs.get(change.sha) ?? null);
    }
    const sha = this.repo.commit(this.baseRef, {
      files: { ...changes, ...files },
      author: by,
      committer: by,
      message: `${this.title} (#${this.number})`,
    });
    return this.landedAs([sha]);
  }

  /** Rebase-merges: each commit of the pull request replayed on the base branch, oldest first. */
  rebase(by: UserRef = this.author): string[] {
    if (this.state !== "open")
      throw new SimError(`${this.repo.fullName}#${this.number} is not open`);
    const landed: string[] = [];
    for (const commit of this.commits()) {
      const parent = commit.parents[0];
      const files: Record<string, string | null> = {};
      for (const change of diffTrees(
        parent ? this.repo.getCommit(parent).tree : new Map(),
        commit.tree,
      )) {
        files[change.filename] =
          change.status === "removed" ? null : (this.repo.state.blobs.get(change.sha) ?? null);
      }
      landed.push(
        this.repo.commit(this.baseRef, {
          files,
          author: by,
          committer: by,
          message: commit.message,
        }),
      );
    }
    this.landedAs(landed);
    return landed;
  }

  private landedAs(shas: string[]): string {
    this.landed.push(...shas);
    this.mergeCommitSha = shas.at(-1) ?? null;
    this.merged = true;
    this.close();
    return this.mergeCommitSha ?? "";
  }
}

export const isSha = (s: string): boolean => SHA_RE.test(s);
