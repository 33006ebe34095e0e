import { RequestError } from "@octokit/request-error";
import pLimit from "p-limit";
import * as z from "zod";
import type { PopulationCommit } from "../../core/audit/index.js";
import { MANIFEST_PATH } from "../../core/manifest/schema.js";
import type { GitHubClient } from "../../github/client.js";
import { readLandedCommit } from "../../github/landed/reads.js";
import { createAdapterCache } from "../../github/reads/cache.js";
import { readFileAt } from "../../github/reads/change.js";
import { UsageError } from "../context.js";
import { CacheFile } from "./cache-file.js";
import { type HistoryCommit, judgePopulation } from "./population.js";

/**
 * The population without a checkout (docs/audit.md#where-the-population-comes-from): the
 * branch's commits in the window listed by the API, the first-parent chain followed from the
 * branch's head, each commit's files against its first parent, and the manifest where it
 * changed, through the same judgement as a checkout's. Listings are asked conditionally on the
 * ETag of the last answer; a commit's files and the manifest at a commit never change, so once
 * read they are kept and never asked again.
 */

const PAGE = 100;

const CommitRow = z.object({
  sha: z.string(),
  parents: z.array(z.string()),
  date: z.string(),
  subject: z.string(),
});
const FileRow = z.object({
  path: z.string(),
  status: z.enum(["added", "removed", "modified", "renamed", "copied", "changed", "unchanged"]),
  previousPath: z.string().optional(),
});
const Entry = z.object({ etag: z.string().optional(), data: z.unknown() });

/** Answers kept between runs: conditional ones with their ETag, immutable ones without. */
export class ResponseCache {
  readonly #store: CacheFile<z.infer<typeof Entry>>;

  constructor(root: string | undefined, apiUrl: string) {
    this.#store = new CacheFile(root, apiUrl, "history.json", Entry);
  }

  /** The kept answer, parsed by `schema`; a kept answer that no longer parses is dropped. */
  get<T>(key: string, schema: z.ZodType<T>): { etag?: string; data: T } | undefined {
    const entry = this.#store.get(key);
    if (!entry) return undefined;
    const data = schema.safeParse(entry.data);
    if (!data.success) return undefined;
    return entry.etag === undefined ? { data: data.data } : { etag: entry.etag, data: data.data };
  }

  set(key: string, data: unknown, etag?: string): void {
    this.#store.set(key, etag === undefined ? { data } : { etag, data });
  }

  flush(): Promise<void> {
    return this.#store.flush();
  }
}

/** A read asked with `If-None-Match` when an answer is kept; a `304` gives the kept answer. */
async function conditional<T>(
  cache: ResponseCache,
  key: string,
  schema: z.ZodType<T>,
  read: (headers: Record<string, string>) => Promise<{ data: unknown; headers: { etag?: string } }>,
  project: (data: unknown) => T,
): Promise<T> {
  const cached = cache.get(key, schema);
  try {
    const response = await read(cached?.etag ? { "if-none-match": cached.etag } : {});
    const data = project(response.data);
    const etag = response.headers.etag;
    if (typeof etag === "string") cache.set(key, data, etag);
    return data;
  } catch (error) {
    if (error instanceof RequestError && error.status === 304 && cached) return cached.data;
    throw error;
  }
}

const ListedSchema = z.array(
  z.object({
    sha: z.string(),
    parents: z.array(z.object({ sha: z.string() })),
    commit: z.object({
      message: z.string(),
      committer: z.object({ date: z.string() }).nullable(),
    }),
  }),
);

function notFound(error: unknown, message: string): never {
  if (error instanceof RequestError && (error.status === 404 || error.status === 409))
    throw new UsageError(message);
  throw error;
}

/** The repository's default branch (`GET /repos/{o}/{r}`). */
export async function defaultBranch(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  cache: ResponseCache,
): Promise<string> {
  try {
    return await conditional(
      cache,
      `${repo.owner}/${repo.repo}:default-branch`,
      z.string(),
      (headers) => client.request("GET /repos/{owner}/{repo}", { ...repo, headers }),
      (data) => z.object({ default_branch: z.string() }).parse(data).default_branch,
    );
  } catch (error) {
    return notFound(error, `--repo ${repo.owner}/${repo.repo}: no such repository, or no access`);
  }
}

/** A window bound as the API takes it: a bare date is the start (since) or end (until) of that UTC day. */
function bound(text: string, end: boolean): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T${end ? "23:59:59" : "00:00:00"}Z` : text;
}

/** The population of `branch` in the window, from the API alone. */
export async function apiPopulation(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  branch: string,
  window: { since?: string; until?: string },
  cache: ResponseCache,
): Promise<{ commits: PopulationCommit[]; listed: number }> {
  const name = `${repo.owner}/${repo.repo}`;
  let head: string;
  try {
    head = await conditional(
      cache,
      `${name}:heads/${branch}`,
      z.string(),
      (headers) =>
        client.request("GET /repos/{owner}/{repo}/git/ref/{ref}", {
          ...repo,
          ref: `heads/${branch}`,
          headers,
        }),
      (data) => z.object({ object: z.object({ sha: z.string() }) }).parse(data).object.sha,
    );
  } catch (error) {
    return notFound(error, `--branch ${branch}: no such branch in ${name}`);
  }

  // Every commit reachable from the head since the window opens; the window's end is applied
  // to the chain below, so that the chain can be followed from the head.
  const since = window.since === undefined ? undefined : bound(window.since, false);
  const listed = new Map<string, z.infer<typeof CommitRow>>();
  for (let page = 1; ; page++) {
    const rows = await conditional(
      cache,
      `${name}:commits?sha=${head}&since=${since ?? ""}&page=${page}`,
      z.array(CommitRow),
      (headers) =>
        client.request("GET /repos/{owner}/{repo}/commits", {
          ...repo,
          sha: head,
          ...(since !== undefined ? { since } : {}),
          per_page: PAGE,
          page,
          headers,
        }),
      (data) =>
        ListedSchema.parse(data).map((c) => ({
          sha: c.sha,
          parents: c.parents.map((p) => p.sha),
          date: c.commit.committer?.date ?? "",
          subject: c.commit.message.split("\n")[0] ?? "",
        })),
    );
    for (const row of rows) listed.set(row.sha, row);
    if (rows.length < PAGE) break;
  }

  // The first-parent chain from the head, oldest first, within the window.
  const until = window.until === undefined ? undefined : Date.parse(bound(window.until, true));
  const chain: Array<z.infer<typeof CommitRow>> = [];
  for (let at = listed.get(head); at; at = listed.get(at.parents[0] ?? "")) {
    if (until === undefined || Date.parse(at.date) <= until) chain.push(at);
    if (chain.length > listed.size) break;
  }
  chain.reverse();

  // Each commit's files against its first parent: immutable, read once.
  const limit = pLimit(8);
  const DetailSchema = z.object({ files: z.array(FileRow), truncated: z.boolean() });
  const history: HistoryCommit[] = await Promise.all(
    chain.map((c) =>
      limit(async () => {
        const key = `${name}@${c.sha}:files`;
        const kept = cache.get(key, DetailSchema)?.data;
        let detail: z.infer<typeof DetailSchema>;
        if (kept) detail = kept;
        else {
          const read = await readLandedCommit(client, repo, c.sha);
          detail = {
            files: read.files.map((f) =>
              f.previousPath === undefined
                ? { path: f.path, status: f.status }
                : { path: f.path, status: f.status, previousPath: f.previousPath },
            ),
            truncated: read.truncated,
          };
          cache.set(key, detail);
        }
        return { ...c, changed: detail.files, truncated: detail.truncated };
      }),
    ),
  );

  // The manifest at a commit: immutable, read once.
  const adapter = createAdapterCache();
  const manifestAt = async (sha: string): Promise<Buffer | null> => {
    const key = `${name}@${sha}:${MANIFEST_PATH}`;
    const kept = cache.get(key, z.string().nullable());
    if (kept) return kept.data === null ? null : Buffer.from(kept.data, "utf8");
    const file = await readFileAt(client, adapter, repo, sha, MANIFEST_PATH);
    const text = file?.text ?? null;
    cache.set(key, text);
    return text === null ? null : Buffer.from(text, "utf8");
  };
  return judgePopulation(history, manifestAt);
}
