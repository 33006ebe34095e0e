import picomatch from "picomatch";
import { PICOMATCH_OPTIONS } from "../glob.js";
import type { PreparedManifest } from "../manifest/prepare.js";
import type { Manifest } from "../manifest/schema.js";
import { matchChanges, touchesGoverned } from "../match.js";
import type { AffectedSystem, ChangedFile } from "../types.js";

/**
 * Which commits of a push get a merge verification (docs/app.md#merge-verification): each commit
 * the push adds to the branch's first-parent history that changed a governed path against its
 * first parent, judged under the manifest at that first parent (the base rule again).
 */

/** Commits judged one by one in a push; the rest get one failure record on the push's head. */
export const MAX_JUDGED_COMMITS = 250;

/** The manifest as read at a commit's first parent. */
export type ManifestAtParent =
  | { state: "absent" }
  | {
      state: "prepared";
      prepared: PreparedManifest;
      path: string;
      /** The first parent the manifest was read at. */
      commit: string;
      sha256: string;
    }
  | { state: "invalid"; path: string; commit: string; sha256: string; problem: string };

/** One commit of the branch's first-parent history, as the push added it. */
export interface ChainCommit {
  sha: string;
  /** Files changed against the first parent. */
  changed: ChangedFile[];
  manifest: ManifestAtParent;
}

/** A commit that changed a governed path, with what it touched. */
export interface GovernedCommit {
  sha: string;
  affected: AffectedSystem[];
  /** The governed files it changed: matched by a system, or the manifest, an assessment, evidence, the policy. */
  files: ChangedFile[];
  manifest: Exclude<ManifestAtParent, { state: "absent" }>;
}

/** Why part of a push was not judged commit by commit. */
export interface Unjudged {
  /** The push's head, which carries the failure record. */
  head: string;
  /** Commits of the first-parent history left unjudged (beyond the bound). */
  count: number;
  /** The push rewrote the branch's history. */
  forced: boolean;
}

export interface PushJudgement {
  governed: GovernedCommit[];
  /** Present when the push was forced or longer than the bound. */
  unjudged?: Unjudged;
}

/**
 * The first-parent chain from `after` back to (not including) `before`, newest last, from the
 * commits a compare or a local log listed. Commits reached only through a merge's second
 * parent (a pull request's own commits) are not on it.
 */
export function firstParentChain(
  commits: Array<{ sha: string; parents: string[] }>,
  before: string | undefined,
  after: string,
): string[] {
  const bySha = new Map(commits.map((c) => [c.sha, c]));
  const chain: string[] = [];
  let at: string | undefined = after;
  while (at !== undefined && at !== before) {
    const commit = bySha.get(at);
    if (!commit) break;
    chain.push(at);
    at = commit.parents[0];
  }
  return chain.reverse();
}

/** Whether the manifest governs the changed files of one commit; which systems and files. */
export function governedChange(commit: ChainCommit): GovernedCommit | undefined {
  const manifest = commit.manifest;
  if (manifest.state === "absent") return undefined;
  if (manifest.state === "invalid") {
    // Fail closed: without a valid manifest nothing can say a change is ungoverned.
    return commit.changed.length > 0
      ? { sha: commit.sha, affected: [], files: commit.changed, manifest }
      : undefined;
  }
  const { compiled } = manifest.prepared;
  const files = commit.changed.filter((f) =>
    touchesGoverned(compiled, f.previousPath ? [f.path, f.previousPath] : [f.path]),
  );
  if (files.length === 0) return undefined;
  return { sha: commit.sha, affected: matchChanges(compiled, files), files, manifest };
}

/**
 * Judges a push: the governed commits among the first `bound` of its first-parent chain
 * (oldest first), and what was left unjudged when the push was forced or longer.
 * `total` is the chain's full length when the caller could not list all of it.
 */
export function judgePush(
  push: { chain: ChainCommit[]; head: string; forced: boolean; total?: number },
  bound = MAX_JUDGED_COMMITS,
): PushJudgement {
  const judged = push.chain.slice(0, bound);
  const governed = judged.flatMap((c) => {
    const g = governedChange(c);
    return g ? [g] : [];
  });
  const total = Math.max(push.total ?? push.chain.length, push.chain.length);
  const count = total - judged.length;
  if (count <= 0 && !push.forced) return { governed };
  return {
    governed,
    unjudged: { head: push.head, count: Math.max(0, count), forced: push.forced },
  };
}

/** Whether pushes to `branch` are verified: the default branch, and any `governance.branches` glob. */
export function isGovernedBranch(
  manifest: Pick<Manifest, "governance">,
  branch: string,
  defaultBranch: string,
): boolean {
  if (branch === defaultBranch) return true;
  return manifest.governance.branches.some((glob) =>
    picomatch.isMatch(branch, glob, PICOMATCH_OPTIONS),
  );
}
