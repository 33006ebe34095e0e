/**
 * The governed files an approval names (docs/attestation.md#file-subjects): each file of the
 * change that a system the statement approves governs, as it is at the approved head. Files
 * present at the head become sha256 subjects, at most `MAX_FILE_SUBJECTS` of them; files gone
 * from the head are listed in the predicate. Pure: the adapter reads the digests.
 */
import { MANIFEST_SYSTEM_ID } from "../manifest/schema.js";
import { type CompiledMatcher, systemsGoverning } from "../match.js";
import type { ChangedFile } from "../types.js";

/** At most this many files are named as subjects; the rest are counted. */
export const MAX_FILE_SUBJECTS = 100;
/** Nor more path characters than this in all, so a statement always fits a comment. */
export const MAX_FILE_SUBJECT_CHARS = 10_000;
/** At most this many files gone from the head are listed; the rest are counted. */
export const MAX_DELETED_FILES = 100;

/** The files of a change that the approved systems govern. */
export interface ApprovedFiles {
  /** Paths present at the head (added, modified, renamed to, copied to), sorted. */
  present: string[];
  /** Paths gone from the head (removed, or renamed away from), sorted. */
  deleted: string[];
}

/** A file subject of an approval statement: the path and the sha256 of its raw bytes at the head. */
export interface FileSubject {
  name: string;
  digest: { sha256: string };
}

/** What the statement records of its files: the subjects, and the counts and deletions in the predicate. */
export interface FileEntries {
  subjects: FileSubject[];
  /** Governed files present at the head, whether named or not (a path read and found not to be a file is not counted). */
  count: number;
  deleted: string[];
  deletedCount: number;
}

/**
 * The files of `changedFiles` governed by any of `systems` (ids; `aigate:manifest` stands for
 * the manifest file). A rename counts its new path as present and its previous one as gone.
 */
export function approvedFiles(
  matcher: CompiledMatcher,
  changedFiles: readonly ChangedFile[],
  systems: readonly string[],
): ApprovedFiles {
  const wanted = new Set(systems);
  const governs = (path: string): boolean =>
    (wanted.has(MANIFEST_SYSTEM_ID) && path === matcher.manifestPath) ||
    systemsGoverning(matcher, path).some((id) => wanted.has(id));
  const present = new Set<string>();
  const deleted = new Set<string>();
  for (const file of changedFiles) {
    if (file.status === "removed") {
      if (governs(file.path)) deleted.add(file.path);
      continue;
    }
    if (governs(file.path)) present.add(file.path);
    if (file.previousPath && file.previousPath !== file.path && governs(file.previousPath)) {
      deleted.add(file.previousPath);
    }
  }
  for (const path of present) deleted.delete(path);
  return { present: [...present].sort(byCodeUnit), deleted: [...deleted].sort(byCodeUnit) };
}

/**
 * The entries a statement records for its approved files, given each present file's sha256 at
 * the head (`null`: not a file there, such as a submodule, and left out). Throws when a digest
 * was not read: the adapter must read every path `approvedFiles` returned.
 */
export function fileEntries(
  files: ApprovedFiles,
  digests: Readonly<Record<string, string | null>>,
): FileEntries {
  const subjects: FileSubject[] = [];
  let notFiles = 0;
  for (const path of namedFiles(files.present)) {
    const sha256 = digests[path];
    if (sha256 === undefined) throw new Error(`the digest of ${path} at the head was not read`);
    if (sha256 !== null) subjects.push({ name: path, digest: { sha256 } });
    else notFiles++;
  }
  return {
    subjects,
    // The paths not read (past the cap) are counted as files: reading them to tell would cost
    // one request each (docs/attestation.md#file-subjects).
    count: files.present.length - notFiles,
    deleted: files.deleted.slice(0, MAX_DELETED_FILES),
    deletedCount: files.deleted.length,
  };
}

/**
 * The present files a statement names, in path order: the first `MAX_FILE_SUBJECTS`, within
 * `MAX_FILE_SUBJECT_CHARS` path characters. Only these are read at the head, so a change of
 * 3,000 governed files reads 100 (docs/attestation.md#file-subjects).
 */
function namedFiles(present: readonly string[]): string[] {
  const named: string[] = [];
  let chars = 0;
  for (const path of present) {
    if (named.length === MAX_FILE_SUBJECTS) break;
    if (chars + path.length > MAX_FILE_SUBJECT_CHARS) break;
    chars += path.length;
    named.push(path);
  }
  return named;
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every path at the head that some of the statements will name: what the adapter reads. */
export function filesToRead(
  matcher: CompiledMatcher,
  changedFiles: readonly ChangedFile[],
  statements: ReadonlyArray<{
    decision: "approved" | "revoked";
    systems: ReadonlyArray<{ system: string }>;
  }>,
): string[] {
  const paths = new Set<string>();
  for (const s of statements) {
    if (s.decision !== "approved") continue;
    const { present } = approvedFiles(
      matcher,
      changedFiles,
      s.systems.map((e) => e.system),
    );
    for (const path of namedFiles(present)) paths.add(path);
  }
  return [...paths].sort(byCodeUnit);
}
