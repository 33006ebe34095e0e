/**
 * What the adapter remembers between events: only what cannot change (a file at a commit,
 * the files between two commits, the manifest by blob SHA) and, briefly, team memberships.
 * Everything else is read live on every event, so replicas need not share this cache.
 */
export class BoundedCache<V> {
  readonly #entries = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly capacity: number,
    private readonly ttlMs = Number.POSITIVE_INFINITY,
    private readonly clock: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.clock()) {
      this.#entries.delete(key);
      return undefined;
    }
    // Refresh recency: Map keeps insertion order, the first key is the least recently used.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: this.clock() + this.ttlMs });
    while (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}

export interface FileAtCommit {
  /** Git blob SHA, when GitHub gave one. */
  blobSha?: string;
  text: string;
  sha256: string;
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
  commits: BoundedCache<unknown>;
  /** Manifest sha256 → its parse (and compiled globs), so each manifest is parsed once. */
  manifests: BoundedCache<unknown>;
  /**
   * Digest of (trusted keys, attestation comments as found) → their verification. The same
   * comments verify the same way against the same keys, so an event that changes nothing
   * does not verify every signature again.
   */
  verifications: BoundedCache<unknown>;
}

export function createAdapterCache(clock: () => number = Date.now): AdapterCache {
  return {
    files: new BoundedCache(2_000, Number.POSITIVE_INFINITY, clock),
    blobs: new BoundedCache(500, Number.POSITIVE_INFINITY, clock),
    compares: new BoundedCache(2_000, Number.POSITIVE_INFINITY, clock),
    memberships: new BoundedCache(5_000, 60_000, clock),
    commits: new BoundedCache(500, Number.POSITIVE_INFINITY, clock),
    manifests: new BoundedCache(100, Number.POSITIVE_INFINITY, clock),
    verifications: new BoundedCache(1_000, Number.POSITIVE_INFINITY, clock),
  };
}
