import { RequestError } from "@octokit/request-error";
import pLimit from "p-limit";
import * as z from "zod";
import type { FoundCheckRun } from "../../core/audit/index.js";
import { MERGE_VERIFICATION_CHECK_NAME } from "../../core/report/index.js";
import type { GitHubClient } from "../../github/client.js";
import { CacheFile } from "./cache-file.js";

/**
 * The merge verification check runs of the governed commits, one request per commit, each
 * conditional on the ETag of the last answer (a `304` costs no rate limit), kept between runs
 * in the cache folder (docs/audit.md#aigate-audit-the-population-of-landed-changes).
 */

const RunSchema = z.object({
  conclusion: z.string().nullable(),
  summary: z.string().nullable(),
  text: z.string().nullable(),
  url: z.string().nullable(),
});
const CachedRuns = z.object({ etag: z.string(), runs: z.array(RunSchema) });

const ListedSchema = z.object({
  check_runs: z.array(
    z.object({
      conclusion: z.string().nullable(),
      html_url: z.string().nullable().optional(),
      output: z
        .object({
          summary: z.string().nullable().optional(),
          text: z.string().nullable().optional(),
        })
        .optional(),
    }),
  ),
});

/** The merge verification runs of each commit, kept with the ETag they came with. */
export class CheckRunCache extends CacheFile<z.infer<typeof CachedRuns>> {
  constructor(root: string | undefined, apiUrl: string) {
    super(root, apiUrl, "merge-verifications.json", CachedRuns);
  }
}

export interface CheckRunReads {
  requests: number;
  notModified: number;
}

/** Reads the merge verification runs of each commit; `onDone` is called after each commit. */
export async function readMergeVerifications(
  client: GitHubClient,
  repository: { owner: string; repo: string },
  shas: string[],
  cache: CheckRunCache,
  onDone: (sha: string) => void,
): Promise<{ runs: Map<string, FoundCheckRun[]>; reads: CheckRunReads }> {
  const limit = pLimit(8);
  const runs = new Map<string, FoundCheckRun[]>();
  const reads: CheckRunReads = { requests: 0, notModified: 0 };
  await Promise.all(
    shas.map((sha) =>
      limit(async () => {
        const key = `${repository.owner}/${repository.repo}@${sha}`;
        const cached = cache.get(key);
        reads.requests++;
        try {
          const response = await client.request(
            "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
            {
              ...repository,
              ref: sha,
              check_name: MERGE_VERIFICATION_CHECK_NAME,
              filter: "latest",
              per_page: 100,
              headers: cached ? { "if-none-match": cached.etag } : {},
            },
          );
          const listed = ListedSchema.parse(response.data).check_runs.map((r) => ({
            conclusion: r.conclusion,
            summary: r.output?.summary ?? null,
            text: r.output?.text ?? null,
            url: r.html_url ?? null,
          }));
          const etag = response.headers.etag;
          if (typeof etag === "string") cache.set(key, { etag, runs: listed });
          runs.set(sha, listed);
        } catch (error) {
          if (!(error instanceof RequestError && error.status === 304 && cached)) throw error;
          reads.notModified++;
          runs.set(sha, cached.runs);
        }
        onDone(sha);
      }),
    ),
  );
  return { runs, reads };
}
