/**
 * The check runs on a commit as GitHub lists them: every run of every App, or ours by name.
 */
import type { GitHubClient } from "../client.js";

/** One of our check runs as it stands on a commit. */
export interface ExistingCheckRun {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
  annotationsCount: number;
}

/** A check run as GitHub lists it on a commit. */
export type ListedCheckRun = Awaited<
  ReturnType<GitHubClient["rest"]["checks"]["listForRef"]>
>["data"]["check_runs"][number];

/**
 * Every check run on a commit, by any App, every run of each name (not only the newest): one
 * page unless the commit carries more than 100.
 */
export function readAllCheckRuns(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  sha: string,
): Promise<ListedCheckRun[]> {
  return client.paginate(client.rest.checks.listForRef, {
    owner: repo.owner,
    repo: repo.repo,
    ref: sha,
    filter: "all",
    per_page: 100,
  });
}

/**
 * Our check runs on the head commit, by name (the newest of each name). With `appId`, only that
 * app's: any app (or workflow) can write a run with our names, and it is not ours to update.
 */
export async function readCheckRuns(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  headSha: string,
  names: string[],
  appId?: number,
): Promise<Map<string, ExistingCheckRun>> {
  const { data } = await client.rest.checks.listForRef({
    owner: repo.owner,
    repo: repo.repo,
    ref: headSha,
    filter: "latest",
    per_page: 100,
    ...(appId !== undefined ? { app_id: appId } : {}),
  });
  const wanted = new Set(names);
  const runs = new Map<string, ExistingCheckRun>();
  for (const run of data.check_runs) {
    if (!wanted.has(run.name)) continue;
    if (appId !== undefined && run.app && run.app.id !== appId) continue;
    const seen = runs.get(run.name);
    if (seen && seen.id > run.id) continue;
    runs.set(run.name, {
      id: run.id,
      name: run.name,
      status: run.status,
      conclusion: run.conclusion,
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotationsCount: run.output.annotations_count,
    });
  }
  return runs;
}
