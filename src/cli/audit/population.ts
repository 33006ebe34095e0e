import { createHash } from "node:crypto";
import type { PopulationCommit } from "../../core/audit/index.js";
import { type ManifestPreparation, prepareManifest } from "../../core/manifest/prepare.js";
import { MANIFEST_PATH } from "../../core/manifest/schema.js";
import { type GovernedCommit, governedChange } from "../../core/merge-verification/index.js";
import type { FirstParentCommit, LocalGit } from "../git.js";

/**
 * The population: the first-parent commits of the branch in the window that changed a governed
 * path, each judged under the manifest at its first parent, as the App judges pushes. From a
 * checkout (local git, no request) or from the API (./api-population.ts), through the one
 * judgement below (docs/audit.md#where-the-population-comes-from).
 */

/** A first-parent commit; `truncated` when GitHub listed fewer files than it changed. */
export interface HistoryCommit extends FirstParentCommit {
  truncated?: boolean;
}

/** The manifest's bytes at a commit, null where it has none. */
export type ManifestAt = (sha: string) => Promise<Buffer | null>;

export async function judgePopulation(
  history: HistoryCommit[],
  manifestAt: ManifestAt,
): Promise<{ commits: PopulationCommit[]; listed: number }> {
  const prepared = new Map<string, ManifestPreparation>();
  const prepare = (bytes: Buffer | null) => {
    if (bytes === null) return null;
    const key = createHash("sha256").update(bytes).digest("hex");
    let found = prepared.get(key);
    if (!found) {
      found = prepareManifest(bytes.toString("utf8"), MANIFEST_PATH);
      prepared.set(key, found);
    }
    return { preparation: found, sha256: key };
  };
  const first = history[0];
  const firstParent = first?.parents[0];
  let manifest = firstParent ? prepare(await manifestAt(firstParent)) : null;
  const commits: PopulationCommit[] = [];
  for (const commit of history) {
    const parent = commit.parents[0];
    if (parent && manifest) {
      const m = manifest.preparation;
      const atParent: GovernedCommit["manifest"] = m.ok
        ? {
            state: "prepared",
            prepared: m,
            path: MANIFEST_PATH,
            commit: parent,
            sha256: manifest.sha256,
          }
        : {
            state: "invalid",
            path: MANIFEST_PATH,
            commit: parent,
            sha256: manifest.sha256,
            problem: m.errors[0]?.message ?? "invalid",
          };
      let governed = governedChange({
        sha: commit.sha,
        changed: commit.changed,
        manifest: atParent,
      });
      // More files than GitHub lists: what is not listed may be governed. Fail closed, as the App does.
      if (!governed && commit.truncated) {
        governed = { sha: commit.sha, affected: [], files: commit.changed, manifest: atParent };
      }
      if (governed) {
        commits.push({
          sha: commit.sha,
          date: commit.date,
          subject: commit.subject,
          systems: [...new Set(governed.affected.map((a) => a.id))],
          files: governed.files.map((f) => f.path),
        });
      }
    }
    if (commit.changed.some((f) => f.path === MANIFEST_PATH || f.previousPath === MANIFEST_PATH)) {
      manifest = prepare(await manifestAt(commit.sha));
    }
  }
  return { commits, listed: history.length };
}

/** The population from a checkout: local git only, no request. */
export async function localPopulation(
  git: LocalGit,
  ref: string,
  window: { since?: string; until?: string },
): Promise<{ commits: PopulationCommit[]; listed: number }> {
  return judgePopulation(await git.firstParentLog(ref, window), (sha) =>
    git.show(sha, MANIFEST_PATH),
  );
}
