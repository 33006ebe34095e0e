import { MANIFEST_PATH, MANIFEST_SYSTEM_ID, type Manifest } from "../manifest/schema.js";
import type { AffectedSystem } from "../types.js";

/** The files the adapter must read before `evaluate` can decide (docs/assessment.md). */
export interface ReadPlan {
  /** Paths to read at the PR head: assessments, evidence, the proposed manifest. */
  head: string[];
  /** Paths to read at the base commit: the AI policy. */
  base: string[];
}

/**
 * The reads `evaluate` needs for these affected systems: each system's assessment and declared
 * evidence at the head, the manifest at the head when it changed, the AI policy at the base.
 * Nothing when no system is affected.
 */
export function planReads(
  manifest: Manifest,
  affected: AffectedSystem[],
  manifestPath: string = MANIFEST_PATH,
): ReadPlan {
  const head = new Set<string>();
  for (const a of affected) {
    if (a.id === MANIFEST_SYSTEM_ID) {
      head.add(manifestPath);
      continue;
    }
    const system = manifest.systems.find((s) => s.id === a.id);
    if (!system) continue;
    if (system.assessment) head.add(system.assessment);
    for (const path of Object.values(system.evidence)) head.add(path);
  }
  const base = affected.length > 0 ? [manifest.governance.policy] : [];
  return { head: [...head], base };
}
