import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RequestError } from "@octokit/request-error";
import pLimit from "p-limit";
import writeFileAtomic from "write-file-atomic";
import { z } from "zod";
import type { FoundCheckRun } from "../../core/audit/index.js";
import { MERGE_VERIFICATION_CHECK_NAME } from "../../core/report/index.js";
import type { GitHubClient } from "../../github/client.js";

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
const CacheSchema = z.record(z.string(), z.object({ etag: z.string(), runs: z.array(RunSchema) }));

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

export class CheckRunCache {
  readonly #file: string | undefined;
  readonly #entries: z.infer<typeof CacheSchema>;
  #changed = false;

  constructor(root: string | undefined, apiUrl: string) {
    if (root === undefined) {
      this.#entries = {};
      return;
    }
    const dir = join(root, "v1", createHash("sha256").update(apiUrl).digest("hex").slice(0, 16));
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.#file = join(dir, "merge-verifications.json");
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.#file, "utf8"));
    } catch {
      parsed = {};
    }
    const checked = CacheSchema.safeParse(parsed);
    this.#entries = checked.success ? checked.data : {};
  }

  get(key: string) {
    return this.#entries[key];
  }

  set(key: string, value: { etag: string; runs: FoundCheckRun[] }): void {
    this.#entries[key] = value;
    this.#changed = true;
  }

  async flush(): Promise<void> {
    if (this.#file === undefined || !this.#changed) return;
    await writeFileAtomic(this.#file, JSON.stringify(this.#entries), { mode: 0o600 });
    this.#changed = false;
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
