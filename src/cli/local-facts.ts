import { basename } from "node:path";
import { parseManifest } from "../core/manifest/parse.js";
import { MANIFEST_PATH } from "../core/manifest/schema.js";
import { compileMatcher, matchChanges } from "../core/match.js";
import { planReads } from "../core/policy/plan.js";
import type { Facts, FileFacts, ManifestFacts } from "../core/types.js";
import { UsageError } from "./context.js";
import type { LocalGit } from "./git.js";
import { readWorkingFile, sha256 } from "./repo.js";

export interface LocalRange {
  base: string;
  baseSha: string;
  headSha: string;
}

/**
 * Facts for `aigate check` from a local repository: the manifest from the base commit (never
 * the working tree, DESIGN §2), the diff base...HEAD with renames, and the assessments and
 * evidence as they are in the working tree, so an author can fix them before committing.
 * Approvals are not evaluated: they can only be given on the pull request.
 */
export async function localFacts(
  git: LocalGit,
  root: string,
  base: string,
): Promise<{ facts: Facts; range: LocalRange }> {
  const baseSha = await git.resolve(base);
  if (!baseSha)
    throw new UsageError(
      `base ${base} is not a commit here: pass --base REF (a branch, tag or commit)`,
    );
  const headSha = await git.resolve("HEAD");
  if (!headSha)
    throw new UsageError("HEAD has no commit yet: commit your change, then run aigate check");
  if (!(await git.mergeBase(baseSha, headSha))) {
    throw new UsageError(
      `${base} and HEAD share no history: pass the branch this change will merge into with --base`,
    );
  }

  const manifestBytes = await git.show(baseSha, MANIFEST_PATH);
  const manifest: ManifestFacts = manifestBytes
    ? {
        status: "present",
        path: MANIFEST_PATH,
        baseSha,
        sha256: sha256(manifestBytes),
        text: manifestBytes.toString("utf8"),
      }
    : { status: "missing", path: MANIFEST_PATH, baseSha };
  const changedFiles = await git.changedFiles(baseSha, headSha);

  const headFiles: Record<string, FileFacts | null> = {};
  const baseFiles: Record<string, FileFacts | null> = {};
  if (manifest.status === "present") {
    const parsed = parseManifest(manifest.text, MANIFEST_PATH);
    if (parsed.ok) {
      const affected = matchChanges(compileMatcher(parsed.manifest), changedFiles);
      const plan = planReads(parsed.manifest, affected);
      for (const path of plan.head) headFiles[path] = await readWorkingFile(root, path);
      for (const path of plan.base) {
        const bytes = await git.show(baseSha, path);
        baseFiles[path] = bytes
          ? { path, sha256: sha256(bytes), text: bytes.toString("utf8") }
          : null;
      }
    }
  }

  const facts: Facts = {
    repository: { fullName: await repositoryName(git, root) },
    manifest,
    changedFiles,
    changedFilesTruncated: false,
    headFiles,
    baseFiles,
    commits: [],
    approvals: [],
    vetoes: [],
    rejectedAttestations: [],
    changedSince: {},
    evaluateApprovals: false,
  };
  if (changedFiles.some((f) => f.path === MANIFEST_PATH || f.previousPath === MANIFEST_PATH)) {
    const proposed = await readWorkingFile(root, MANIFEST_PATH);
    facts.proposedManifest =
      proposed?.text !== undefined
        ? { text: proposed.text, sha256: proposed.sha256 }
        : { removed: true };
  }
  return { facts, range: { base, baseSha, headSha } };
}

/** owner/name from a GitHub remote, else the folder's name. */
async function repositoryName(git: LocalGit, root: string): Promise<string> {
  const url = await git.remoteUrl("origin");
  const match = url?.match(/[/:]([^/:]+\/[^/]+?)(?:\.git)?\/?$/);
  return match?.[1] ?? basename(root);
}
