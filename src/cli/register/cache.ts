import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import writeFileAtomic from "write-file-atomic";
import * as z from "zod";
import { GATE_OUTCOMES, type MergedPullGate } from "../../core/register/index.js";
import type { InventoryStore, TreeSnapshot } from "../../github/reads/inventory.js";
import type { PullHistoryStore, RecentPulls } from "../../github/reads/pull-history.js";

/**
 * The register's cache between runs (docs/audit.md, "Cache"): branch heads with their ETags,
 * which blob the manifest and assessments were at each commit, and blob texts by SHA. Trees and
 * blobs are content-addressed, so they are never stale; a head is only used when GitHub answers
 * `304 Not Modified` to its ETag. With `--with-approvals` or `--with-check-runs`, each
 * repository's page of recent closed pull requests with its ETag, and what aigate's checks
 * concluded on each merged pull request whose two checks had completed (keyed by its final
 * head). Kept per API URL, readable by its owner only.
 */

const HeadsSchema = z.record(z.string(), z.object({ sha: z.string(), etag: z.string() }));
const TreesSchema = z.record(
  z.string(),
  z.object({
    manifest: z.string().nullable(),
    files: z.record(z.string(), z.string().nullable()),
  }),
);

const GateOutcomeSchema = z.enum(GATE_OUTCOMES);
const GatesSchema = z.record(
  z.string(),
  z.strictObject({
    pullRequest: z.int().positive(),
    assessment: GateOutcomeSchema,
    oversight: GateOutcomeSchema,
    approvals: z.int().min(0),
    settled: z.literal(true),
  }),
);

const PullsSchema = z.record(
  z.string(),
  z.strictObject({
    etag: z.string(),
    pulls: z.strictObject({
      closed: z.int().min(0),
      merged: z.array(
        z.strictObject({
          number: z.int().positive(),
          title: z.string(),
          url: z.string().nullable(),
          mergedAt: z.string(),
          headSha: z.string(),
        }),
      ),
    }),
  }),
);

const BLOB_SHA = /^[0-9a-f]{40,64}$/;

/** The default cache folder: `$XDG_CACHE_HOME/aigate/register`, else `~/.cache/aigate/register`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME?.trim() || join(homedir(), ".cache");
  return join(base, "aigate", "register");
}

function readJson<T>(file: string, schema: z.ZodType<T>): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export class DiskStore implements InventoryStore, PullHistoryStore {
  readonly #dir: string;
  readonly #heads: Record<string, { sha: string; etag: string }>;
  readonly #trees: Record<string, TreeSnapshot>;
  readonly #gates: Record<string, MergedPullGate>;
  readonly #pulls: Record<string, { etag: string; pulls: RecentPulls }>;
  readonly #newBlobs = new Map<string, string>();
  #changed = false;

  /** Opens (creating) the cache for one API URL; an unreadable cache file starts empty. */
  constructor(root: string, apiUrl: string) {
    const key = createHash("sha256").update(apiUrl).digest("hex").slice(0, 16);
    this.#dir = join(root, "v1", key);
    mkdirSync(join(this.#dir, "blobs"), { recursive: true, mode: 0o700 });
    this.#heads = readJson(join(this.#dir, "heads.json"), HeadsSchema) ?? {};
    this.#trees = readJson(join(this.#dir, "trees.json"), TreesSchema) ?? {};
    this.#gates = readJson(join(this.#dir, "gates.json"), GatesSchema) ?? {};
    this.#pulls = readJson(join(this.#dir, "pulls.json"), PullsSchema) ?? {};
  }

  head(repository: string, branch: string) {
    return this.#heads[`${repository}@${branch}`];
  }

  setHead(repository: string, branch: string, value: { sha: string; etag: string }): void {
    this.#heads[`${repository}@${branch}`] = value;
    this.#changed = true;
  }

  tree(repository: string, commit: string): TreeSnapshot | undefined {
    return this.#trees[`${repository}@${commit}`];
  }

  setTree(repository: string, commit: string, tree: TreeSnapshot): void {
    this.#trees[`${repository}@${commit}`] = tree;
    this.#changed = true;
  }

  recentPulls(repository: string): { etag: string; pulls: RecentPulls } | undefined {
    return this.#pulls[repository];
  }

  setRecentPulls(repository: string, value: { etag: string; pulls: RecentPulls }): void {
    this.#pulls[repository] = value;
    this.#changed = true;
  }

  gate(repository: string, headSha: string, app: string): MergedPullGate | undefined {
    return this.#gates[`${repository}@${headSha} ${app}`];
  }

  setGate(repository: string, headSha: string, app: string, gate: MergedPullGate): void {
    this.#gates[`${repository}@${headSha} ${app}`] = gate;
    this.#changed = true;
  }

  blob(sha: string): string | undefined {
    const fresh = this.#newBlobs.get(sha);
    if (fresh !== undefined || !BLOB_SHA.test(sha)) return fresh;
    try {
      return readFileSync(join(this.#dir, "blobs", sha), "utf8");
    } catch {
      return undefined;
    }
  }

  setBlob(sha: string, text: string): void {
    if (BLOB_SHA.test(sha)) this.#newBlobs.set(sha, text);
  }

  /** Writes what this run learnt, each file atomically. */
  async flush(): Promise<void> {
    for (const [sha, text] of this.#newBlobs) {
      await writeFileAtomic(join(this.#dir, "blobs", sha), text, { mode: 0o600 });
    }
    this.#newBlobs.clear();
    if (!this.#changed) return;
    for (const [name, value] of [
      ["heads.json", this.#heads],
      ["trees.json", this.#trees],
      ["gates.json", this.#gates],
      ["pulls.json", this.#pulls],
    ] as const) {
      await writeFileAtomic(join(this.#dir, name), JSON.stringify(value), { mode: 0o600 });
    }
    this.#changed = false;
  }
}
