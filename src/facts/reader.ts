import { createHash } from "node:crypto";
import type { ChangedFile } from "../core/types.js";

/** A file's text and its digest, taken over its raw bytes (never over decoded text). */
export interface FileContent {
  sha256: string;
  text: string;
}

/** sha256 hex of bytes: the digest recorded in decisions and attestations. */
export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The one way a reader turns bytes into a file: digest over the bytes, text decoded as UTF-8. */
export function fileContent(bytes: Uint8Array): FileContent {
  return { sha256: sha256(bytes), text: Buffer.from(bytes).toString("utf8") };
}

/**
 * Where the facts of one change come from: GitHub for the App and the Action, the local git
 * repository for the CLI. The one fact-gathering path (`readChange`) reads only through it, so
 * every door hashes the same bytes and applies the same plan.
 */
export interface SourceReader {
  /** `path` at `revision` (a commit SHA), or null when it is not a file there. */
  readFile(revision: string, path: string): Promise<FileContent | null>;
  /**
   * Many files at `revision`, each answered as `readFile` would answer it, in fewer requests
   * where the source can (docs/attestation.md#how-the-files-are-read). Optional: without it each
   * file is read with `readFile`.
   */
  readFiles?(revision: string, paths: readonly string[]): Promise<Map<string, FileContent | null>>;
  /** The files of the change `base...head`, renames with their previous name. */
  changedFiles(): Promise<{ files: ChangedFile[]; truncated: boolean }>;
  /**
   * Every file path of the tree at `revision`, or null when the listing is incomplete (GitHub
   * cuts a recursive tree past 100 000 entries). Read only for a change that edits the
   * manifest or deletes or moves a governed file, to find the paths the manifest names that
   * match no file (docs/manifest.md#paths-that-match-no-file).
   */
  treeFiles?(revision: string): Promise<readonly string[] | null>;
}
