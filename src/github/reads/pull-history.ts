/**
 * A repository's recently merged pull requests, as the register reads them (docs/audit.md,
 * "Counts from check runs"): one page of the most recently updated closed pull requests, and
 * what aigate's two checks concluded on each merged one's final head. One conditional request
 * for the page (a 304 when no closed pull request changed), then one a merged pull request not
 * already known, settled, from an earlier run.
 */
import {
  type CheckRunFact,
  type MergedPullGate,
  mergedPullGate,
  type RepositoryGateCounts,
  repositoryGateCounts,
} from "../../core/register/index.js";
import type { GitHubClient } from "../client.js";
import { statusOf } from "../errors.js";
import { type ListedCheckRun, readAllCheckRuns } from "./check-runs.js";

/** How many recently closed pull requests are looked at, per repository: one page. */
export const RECENT_CLOSED_PULLS = 50;

export interface RepositoryRef {
  owner: string;
  name: string;
  fullName: string;
}

/** A merged pull request of the window. */
export interface MergedPull {
  number: number;
  title: string;
  url: string | null;
  mergedAt: string;
  headSha: string;
}

export interface RecentPulls {
  /** Closed pull requests read (at most RECENT_CLOSED_PULLS). */
  closed: number;
  /** The merged ones, newest merge first. */
  merged: MergedPull[];
}

/**
 * What the register keeps between runs of a repository's pull requests: the page of recent
 * closed pull requests with its ETag, for a conditional read, and the settled records of merged
 * pull requests. A merged pull request's final head never changes, so a record whose two
 * checks had completed changes only if a check is re-run after the merge.
 */
export interface PullHistoryStore {
  recentPulls(repository: string): { etag: string; pulls: RecentPulls } | undefined;
  setRecentPulls(repository: string, value: { etag: string; pulls: RecentPulls }): void;
  gate(repository: string, headSha: string, app: string): MergedPullGate | undefined;
  setGate(repository: string, headSha: string, app: string, gate: MergedPullGate): void;
}

/** A store that keeps nothing. */
export const noPullHistory: PullHistoryStore = {
  recentPulls: () => undefined,
  setRecentPulls: () => {},
  gate: () => undefined,
  setGate: () => {},
};

/**
 * The repository's most recently updated closed pull requests, and the merged ones among them:
 * from the store when GitHub answers `304 Not Modified` to the ETag of the last read.
 */
export async function readRecentPulls(
  client: GitHubClient,
  repo: RepositoryRef,
  store: PullHistoryStore,
): Promise<RecentPulls> {
  const known = store.recentPulls(repo.fullName);
  let response: Awaited<ReturnType<GitHubClient["rest"]["pulls"]["list"]>>;
  try {
    response = await client.rest.pulls.list({
      owner: repo.owner,
      repo: repo.name,
      state: "closed",
      sort: "updated",
      direction: "desc",
      per_page: RECENT_CLOSED_PULLS,
      ...(known ? { headers: { "if-none-match": known.etag } } : {}),
    });
  } catch (error) {
    // A 304 means "unchanged" only when we asked for it with the ETag we hold.
    if (statusOf(error) === 304 && known) return known.pulls;
    throw error;
  }
  const { data } = response;
  const merged = data
    .flatMap((pr): MergedPull[] =>
      typeof pr.merged_at === "string"
        ? [
            {
              number: pr.number,
              title: pr.title,
              url: pr.html_url,
              mergedAt: pr.merged_at,
              headSha: pr.head.sha,
            },
          ]
        : [],
    )
    .sort((a, b) => b.mergedAt.localeCompare(a.mergedAt));
  const pulls = { closed: data.length, merged };
  const etag = response.headers.etag;
  if (typeof etag === "string") store.setRecentPulls(repo.fullName, { etag, pulls });
  return pulls;
}

function checkRunFact(run: ListedCheckRun): CheckRunFact {
  return {
    id: run.id,
    name: run.name,
    app: run.app?.slug ?? null,
    status: run.status,
    conclusion: run.conclusion,
    summary: run.output.summary,
  };
}

/**
 * What aigate's checks, written by `app`, concluded on each merged pull request of the window.
 * A settled record is taken from `store` without a request.
 */
export async function readGateCounts(
  client: GitHubClient,
  repo: RepositoryRef,
  pulls: RecentPulls,
  app: string,
  store: PullHistoryStore,
): Promise<RepositoryGateCounts> {
  const gates: MergedPullGate[] = [];
  for (const pull of pulls.merged) {
    let gate = store.gate(repo.fullName, pull.headSha, app);
    if (!gate || gate.pullRequest !== pull.number) {
      const runs = await readAllCheckRuns(
        client,
        { owner: repo.owner, repo: repo.name },
        pull.headSha,
      );
      gate = mergedPullGate(pull.number, runs.map(checkRunFact), app);
      if (gate.settled) store.setGate(repo.fullName, pull.headSha, app, gate);
    }
    gates.push(gate);
  }
  return repositoryGateCounts(repo.fullName, pulls.closed, gates);
}
