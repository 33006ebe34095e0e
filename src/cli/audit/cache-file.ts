/**
 * A JSON file of answers kept between `aigate audit` runs, one per API host in the cache folder
 * (docs/audit.md#aigate-audit-the-population-of-landed-changes): read once, checked with zod
 * (a file that does not parse is started afresh), written atomically and only when changed.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import writeFileAtomic from "write-file-atomic";
import * as z from "zod";

export class CacheFile<E> {
  readonly #file: string | undefined;
  readonly #entries: Record<string, E>;
  #changed = false;

  /** Without a `root`, nothing is read or written: the entries live for this run only. */
  constructor(root: string | undefined, apiUrl: string, fileName: string, entry: z.ZodType<E>) {
    if (root === undefined) {
      this.#entries = {};
      return;
    }
    const dir = join(root, "v1", createHash("sha256").update(apiUrl).digest("hex").slice(0, 16));
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.#file = join(dir, fileName);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.#file, "utf8"));
    } catch {
      parsed = {};
    }
    const checked = z.record(z.string(), entry).safeParse(parsed);
    this.#entries = checked.success ? checked.data : {};
  }

  get(key: string): E | undefined {
    return this.#entries[key];
  }

  set(key: string, value: E): void {
    this.#entries[key] = value;
    this.#changed = true;
  }

  async flush(): Promise<void> {
    if (this.#file === undefined || !this.#changed) return;
    await writeFileAtomic(this.#file, JSON.stringify(this.#entries), { mode: 0o600 });
    this.#changed = false;
  }
}
