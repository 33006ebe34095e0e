import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import type { FileFacts } from "../core/types.js";

/** sha256 hex of bytes, as the engine records file digests. */
export function sha256(bytes: Buffer | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Reads a repository-relative path from a working tree, or null when it is absent.
 * Paths come from a manifest, so they are confined to the repository root.
 */
export async function readWorkingFile(
  root: string,
  path: string,
  withText = true,
): Promise<FileFacts | null> {
  const full = resolve(root, path);
  const rel = relative(root, full);
  if (rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel)) return null;
  try {
    const info = await stat(full);
    if (!info.isFile()) return null;
    const bytes = await readFile(full);
    return withText
      ? { path, sha256: sha256(bytes), text: bytes.toString("utf8") }
      : { path, sha256: sha256(bytes) };
  } catch {
    return null;
  }
}

export function joinRepo(root: string, path: string): string {
  return join(root, ...path.split("/"));
}
