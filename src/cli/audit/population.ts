import { createHash } from "node:crypto";
import type { PopulationCommit } from "../../core/audit/index.js";
import { type ManifestPreparation, prepareManifest } from "../../core/manifest/prepare.js";
import { MANIFEST_PATH } from "../../core/manifest/schema.js";
import { governedChange } from "../../core/merge-verification/index.js";
import type { LocalGit } from "../git.js";

/**
 * The population from a checkout: the first-parent commits of the branch in the window that
 * changed a governed path, each judged under the manifest at its first parent, as the App
 * judges pushes. Local git only: no request.
 */
export async function localPopulation(
  git: LocalGit,
  ref: string,
  window: { since?: string; until?: string },
): Promise<{ commits: PopulationCommit[]; listed: number }> {
  const history = await git.firstParentLog(ref, window);
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
  let manifest = firstParent ? prepare(await git.show(firstParent, MANIFEST_PATH)) : null;
  const commits: PopulationCommit[] = [];
  for (const commit of history) {
    const parent = commit.parents[0];
    if (parent && manifest) {
      const m = manifest.preparation;
      const governed = governedChange({
        sha: commit.sha,
        changed: commit.changed,
        manifest: m.ok
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
            },
      });
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
    if (commit.changed.some((f) => f.path === MANIFEST_PATH)) {
      manifest = prepare(await git.show(commit.sha, MANIFEST_PATH));
    }
  }
  return { commits, listed: history.length };
}
