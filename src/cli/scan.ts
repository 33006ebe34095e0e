import { closeSync, constants, openSync, readSync } from "node:fs";
import { joinRepo } from "./repo.js";
import {
  classifyPath,
  extensionOf,
  importedLibrary,
  isSource,
  leftOut,
  SNIFF_BYTES,
} from "./scan/classify.js";
import {
  type ExcludedFile,
  type LeftOut,
  type ProposedSystem,
  proposeSystems,
  type ScannedFile,
} from "./scan/propose.js";

/**
 * `aigate init --scan`: finds the AI assets of a repository among the files git lists (so
 * `.gitignore` holds; tests, docs, examples and vendored folders are left out; symbolic links
 * are never followed) and proposes the systems a maintainer would declare, each with typed
 * globs and the evidence behind them (docs/cli.md#how-the-scan-decides).
 */

export {
  type Asset,
  classifyPath,
  importedLibrary,
  isVendored,
  leftOut,
  SNIFF_BYTES,
  systemId,
  wouldSniff,
} from "./scan/classify.js";
export {
  type LeftOut,
  type ProposedGlob,
  type ProposedSystem,
  proposeSystems,
  type ScannedFile,
} from "./scan/propose.js";

const buffer = Buffer.alloc(SNIFF_BYTES);
// O_NOFOLLOW: a symbolic link (a loop, or a link out of the repository) is never read through.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * The first `SNIFF_BYTES` of a file as text, or undefined for a link, a folder, a binary or an
 * unreadable file. Synchronous: one open, one read and one close per file is the cheapest way
 * through a hundred thousand small files.
 */
function sniff(root: string, path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(joinRepo(root, path), READ_FLAGS);
    const read = readSync(fd, buffer, 0, SNIFF_BYTES, 0);
    // The first NUL anywhere in the buffer: one before `read` makes the file a binary.
    const nul = buffer.indexOf(0);
    if (nul !== -1 && nul < read) return undefined;
    return buffer.toString("utf8", 0, read);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface ScanResult {
  /** Files git lists, before anything is left out. */
  listed: number;
  /** Files skipped as vendored. */
  vendored: number;
  /** Files the proposed globs govern. */
  governed: number;
  systems: ProposedSystem[];
  /** What was left out and why: tests, docs, vendored folders, packages with no AI. */
  leftOut: LeftOut[];
}

/** Scans the listed files of the repository at `root` and proposes systems. */
export function scanFiles(
  root: string,
  listed: readonly string[],
  repositoryName: string,
): ScanResult {
  const files: ScannedFile[] = [];
  const excluded: ExcludedFile[] = [];
  let vendored = 0;
  for (const path of listed) {
    const out = leftOut(path);
    if (out) {
      if (out.reason === "vendored") vendored++;
      excluded.push({ path, ...out });
      continue;
    }
    const found = classifyPath(path);
    if (found === undefined) {
      files.push({ path });
      continue;
    }
    if (found !== "source") {
      files.push({ path, asset: found, ...(isSource(extensionOf(path)) ? { source: true } : {}) });
      continue;
    }
    const head = sniff(root, path);
    const library = head === undefined ? undefined : importedLibrary(path, head);
    if (library === undefined) files.push({ path, source: true });
    else if (library.clientOnly) files.push({ path, source: true, client: library.library });
    else
      files.push({
        path,
        source: true,
        asset: { path, kind: "model", evidence: library.library, core: true },
      });
  }
  const proposal = proposeSystems(files, excluded, repositoryName);
  return {
    listed: listed.length,
    vendored,
    governed: proposal.governed,
    systems: proposal.systems,
    leftOut: proposal.leftOut,
  };
}
