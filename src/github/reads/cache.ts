/**
 * The adapter's cache across events: immutable facts (files at commits, compares, trees,
 * prepared manifests) and, briefly, team memberships.
 */
import { LRUCache } from "lru-cache";
import type { VerificationReport } from "../../core/attestation/verify.js";
import type { ManifestPreparation } from "../../core/manifest/prepare.js";
import type { RequestMemory } from "../../core/policy/request-memory.js";
import type { CommitFacts } from "../../core/types.js";
import type { FileContent } from "../../facts/reader.js";

/**
 * What the adapter remembers between events: only what cannot change (a file at a commit,
 * the files between two commits, the manifest by blob SHA) and, briefly, team memberships.
 * Everything else is read live on every event, so replicas need not share this cache.
 * Each map is an LRU (lru-cache) bounded by entry count, with a time to live where given.
 */
export class BoundedCache<V> {
  // lru-cache stores no null or undefined: each value is boxed, so "absent" can be cached too.
  readonly #lru: LRUCache<string, { value: V }>;

  constructor(capacity: number, ttlMs?: number, clock: () => number = Date.now) {
    this.#lru = new LRUCache<string, { value: V }>({
      max: capacity,
      ...(ttlMs !== undefined ? { ttl: ttlMs, ttlResolution: 0 } : {}),
      perf: { now: clock },
    });
  }

  get(key: string): V | undefined {
    return this.#lru.get(key)?.value;
  }

  set(key: string, value: V): void {
    this.#lru.set(key, { value });
  }

  /** The keys held now, most recently used first; reading them changes no recency. */
  keys(): string[] {
    return [...this.#lru.keys()];
  }

  get size(): number {
    return this.#lru.size;
  }
}

/** A file read at a commit: its text and the digest of its bytes, with its blob SHA. */
export interface FileAtCommit extends FileContent {
  /** Git blob SHA, when GitHub gave one. */
  blobSha?: string;
}

/** The caches one App process (or one Action run) keeps. */
export interface AdapterCache {
  /** `owner/repo@commit:path` → the file, or null when absent. Immutable. */
  files: BoundedCache<FileAtCommit | null>;
  /** Blob SHA → text, so the manifest is fetched and parsed once across base commits. */
  blobs: BoundedCache<FileAtCommit>;
  /** `owner/repo@from...to` → changed paths. Immutable. */
  compares: BoundedCache<string[] | null>;
  /** `org/team:login` → member or not, for a minute. */
  memberships: BoundedCache<boolean>;
  /** `owner/repo#pr@base..head` → the PR's commits. */
  commits: BoundedCache<CommitFacts[]>;
  /**
   * Tree SHA → the file paths of that tree (null when GitHub cut the listing), and
   * `owner/repo@commit` → the commit's tree SHA. Immutable: a head's tree is read once.
   */
  trees: BoundedCache<readonly string[] | null>;
  commitTrees: BoundedCache<string>;
  /**
   * `owner/repo@head` → the blob each file a pull request changes has at that head (null when
   * the change removes it), from a file list whose every entry names that head. Immutable: a
   * merge verification compares what landed with it instead of reading the head's tree
   * (docs/app.md#merge-verification).
   */
  pullHeads: BoundedCache<ReadonlyMap<string, string | null>>;
  /** Manifest path and sha256 → its parse (and compiled globs), so each manifest is parsed once. */
  manifests: BoundedCache<ManifestPreparation>;
  /**
   * Digest of (trusted keys, attestation comments as found) → their verification. The same
   * comments verify the same way against the same keys, so an event that changes nothing
   * does not verify every signature again.
   */
  verifications: BoundedCache<VerificationReport>;
  /**
   * An organisation policy named at a branch or tag (`owner/repo:path@ref`) → the repositories
   * whose manifests were seen extending it, so that a push to the policy re-evaluates their pull
   * requests without listing every repository (docs/app.md#re-evaluation-when-the-base-changes).
   */
  policyExtenders: BoundedCache<string[]>;
  /**
   * `owner/repo#number` → when each reviewer requested now was asked, and the owners' notes
   * that still hold (docs/app.md#review-requests); with REDIS_URL Redis holds them instead.
   */
  requests: BoundedCache<RequestMemory>;
}

export function createAdapterCache(clock: () => number = Date.now): AdapterCache {
  return {
    files: new BoundedCache(2_000, undefined, clock),
    blobs: new BoundedCache(500, undefined, clock),
    compares: new BoundedCache(2_000, undefined, clock),
    memberships: new BoundedCache(5_000, 60_000, clock),
    commits: new BoundedCache(500, undefined, clock),
    // A tree of 100 000 paths is several megabytes: only the last few heads are kept.
    trees: new BoundedCache(20, undefined, clock),
    commitTrees: new BoundedCache(2_000, undefined, clock),
    pullHeads: new BoundedCache(500, undefined, clock),
    manifests: new BoundedCache(100, undefined, clock),
    verifications: new BoundedCache(1_000, undefined, clock),
    policyExtenders: new BoundedCache(1_000, undefined, clock),
    requests: new BoundedCache(10_000, 30 * 24 * 60 * 60 * 1000, clock),
  };
}
