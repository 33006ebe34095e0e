/**
 * The conversation of a pull request as the flow reads it: its commits (for separation of
 * duties), reviews and comments, and the team memberships of approvers.
 */
import type { TeamsOf } from "../../core/policy/approval-plan.js";
import type {
  Actor,
  CommentFacts,
  CommitFacts,
  ReviewFacts,
  ReviewState,
} from "../../core/types.js";
import type { GitHubClient, PullRequestTarget } from "../client.js";
import { isForbiddenNotRateLimited, isNotFound } from "../errors.js";
import type { AdapterCache } from "./cache.js";

export interface GitHubUser {
  id: number;
  login: string;
  type: string;
}

export function toActor(user: GitHubUser | null | undefined): Actor | null {
  if (!user) return null;
  const type = user.type === "Bot" || user.type === "Organization" ? user.type : "User";
  return { id: user.id, login: user.login, type };
}

/** The PR's commits with their GitHub accounts, for separation of duties. */
export async function readCommits(
  client: GitHubClient,
  cache: AdapterCache,
  target: PullRequestTarget,
  pr: { baseSha: string; headSha: string },
): Promise<CommitFacts[]> {
  const key = `${target.owner}/${target.repo}#${target.pullNumber}@${pr.baseSha}..${pr.headSha}`;
  const cached = cache.commits.get(key);
  if (cached) return cached;
  const listed = await client.paginate(client.rest.pulls.listCommits, {
    owner: target.owner,
    repo: target.repo,
    pull_number: target.pullNumber,
    per_page: 100,
  });
  const commits: CommitFacts[] = listed.map((c) => {
    const commit: CommitFacts = {
      sha: c.sha,
      author: toActor(c.author as GitHubUser | null),
      committer: toActor(c.committer as GitHubUser | null),
    };
    if (c.commit.author?.name) commit.authorName = c.commit.author.name;
    if (c.commit.committer?.name) commit.committerName = c.commit.committer.name;
    if (c.commit.committer?.date) commit.committedAt = c.commit.committer.date;
    return commit;
  });
  cache.commits.set(key, commits);
  return commits;
}

export async function readReviews(
  client: GitHubClient,
  target: PullRequestTarget,
): Promise<ReviewFacts[]> {
  const listed = await client.paginate(client.rest.pulls.listReviews, {
    owner: target.owner,
    repo: target.repo,
    pull_number: target.pullNumber,
    per_page: 100,
  });
  return listed.map((r) => ({
    id: r.id,
    reviewer: toActor(r.user as GitHubUser | null),
    state: r.state as ReviewState,
    body: r.body ?? "",
    commit: r.commit_id ?? "",
    submittedAt: r.submitted_at ?? "",
  }));
}

export async function readComments(
  client: GitHubClient,
  target: PullRequestTarget,
): Promise<CommentFacts[]> {
  const listed = await client.paginate(client.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.pullNumber,
    per_page: 100,
  });
  return listed.map((c) => ({
    id: c.id,
    author: toActor(c.user as GitHubUser | null),
    body: c.body ?? "",
    createdAt: c.created_at,
    updatedAt: c.updated_at,
    association: c.author_association,
  }));
}

/**
 * The teams (as `org/team-slug`) among `teams` that `login` is an active member of.
 * Needs the `members: read` permission; a 404 means "not a member"; a 403 (a workflow's
 * GITHUB_TOKEN has no members permission) leaves the team unreadable. Cached for a minute.
 */
export async function readTeamsOf(
  client: GitHubClient,
  cache: AdapterCache,
  login: string,
  teams: string[],
): Promise<TeamsOf> {
  const result: TeamsOf = { member: [], unreadable: [] };
  for (const team of new Set(teams)) {
    const [org, slug] = team.split("/");
    if (!org || !slug) continue;
    const key = `${team.toLowerCase()}:${login.toLowerCase()}`;
    let member = cache.memberships.get(key);
    if (member === undefined) {
      try {
        const { data } = await client.rest.teams.getMembershipForUserInOrg({
          org,
          team_slug: slug,
          username: login,
        });
        member = data.state === "active";
      } catch (error) {
        if (isForbiddenNotRateLimited(error)) {
          result.unreadable.push(team);
          continue;
        }
        if (!isNotFound(error)) throw error;
        member = false;
      }
      cache.memberships.set(key, member);
    }
    if (member) result.member.push(team);
  }
  return result;
}
