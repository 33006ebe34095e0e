import { basename } from "node:path";
import { MANIFEST_PATH } from "../core/manifest/schema.js";
import type { PreparedChange } from "../core/policy/evaluate.js";
import type { Facts } from "../core/types.js";
import { type ChangeTarget, factsOfChange, gatherChange } from "../facts/gather.js";
import { fileContent, type SourceReader } from "../facts/reader.js";
import { UsageError } from "./context.js";
import type { LocalGit } from "./git.js";
import { readWorkingContent } from "./repo.js";

export interface LocalRange {
  base: string;
  baseSha: string;
  headSha: string;
}

/**
 * The revision the CLI reads the head side of a change at: the working tree, so an author can
 * fix an assessment before committing. Never a commit SHA, so the base is always read from git.
 */
const WORKING_TREE = "working tree";

/**
 * The local repository as a source of facts: files at a commit through `git show`, files at
 * `WORKING_TREE` from disk; the change is `base...HEAD` with renames.
 */
function localReader(git: LocalGit, root: string, range: LocalRange): SourceReader {
  return {
    async readFile(revision, path) {
      if (revision === WORKING_TREE) return readWorkingContent(root, path);
      const bytes = await git.show(revision, path);
      return bytes ? fileContent(bytes) : null;
    },
    async changedFiles() {
      return { files: await git.changedFiles(range.baseSha, range.headSha), truncated: false };
    },
  };
}

/**
 * Facts for `aigate check` from a local repository, through the same fact-gathering path as
 * the App: the manifest from the base commit (never the working tree: docs/policy.md#the-manifest-comes-from-the-base-commit), the diff
 * base...HEAD, and the assessments and evidence as they are in the working tree. Approvals
 * are not evaluated: they can only be given on the pull request.
 */
export async function localFacts(
  git: LocalGit,
  root: string,
  base: string,
  options: { readPolicy?: ChangeTarget["readPolicy"] } = {},
): Promise<{ facts: Facts; range: LocalRange; prepared?: PreparedChange }> {
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
  const range = { base, baseSha, headSha };
  const change = await gatherChange(localReader(git, root, range), {
    baseSha,
    headSha: WORKING_TREE,
    manifestPath: MANIFEST_PATH,
    ...(options.readPolicy ? { readPolicy: options.readPolicy } : {}),
  });
  const repository = { fullName: await repositoryName(git, root) };
  const facts = factsOfChange(repository, change, false);
  return { facts, range, ...(change.prepared ? { prepared: change.prepared } : {}) };
}

/** owner/name from a GitHub remote, else the folder's name. */
async function repositoryName(git: LocalGit, root: string): Promise<string> {
  const url = await git.remoteUrl("origin");
  const match = url?.match(/[/:]([^/:]+\/[^/]+?)(?:\.git)?\/?$/);
  return match?.[1] ?? basename(root);
}
