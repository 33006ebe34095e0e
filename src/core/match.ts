import picomatch from "picomatch";
import { literalBase, PICOMATCH_OPTIONS } from "./glob.js";
import {
  MANIFEST_PATH,
  MANIFEST_SYSTEM_ID,
  type Manifest,
  PATH_KINDS,
  type PathKind,
  type ResolvedSystem,
} from "./manifest/schema.js";
import type { AffectedFile, AffectedSystem, ChangedFile } from "./types.js";

/**
 * Which AI systems a change touches (docs/manifest.md). Globs are compiled once per manifest with
 * picomatch (`dot: true`); a file is only tested against the globs whose static base
 * (`picomatch.scan`) is one of its parent directories, and the globs of one system, kind and
 * base are combined into a single regular expression.
 */

/** How many triggering files an affected system lists; the rest are counted in `moreFiles`. */
export const MAX_FILES_PER_SYSTEM = 20;

interface Rule {
  system: number;
  kind: PathKind;
  /** The combined globs of one system, kind and static base. */
  include: RegExp;
}

/** A manifest's globs, compiled once; reused for every change evaluated against that manifest. */
export interface CompiledMatcher {
  systems: ResolvedSystem[];
  manifestPath: string;
  /** Rules keyed by the static base of their globs ("" for globs without one). */
  index: Map<string, Rule[]>;
  /** Exclusions (`!glob`) per system and kind: a file they match does not count for that kind. */
  exclude: Map<string, RegExp>;
  /** Files whose change makes an approval stale besides the globs: assessments, evidence, policy. */
  governedFiles: Set<string>;
}

/** Compiles every system's typed globs of a resolved manifest. */
export function compileMatcher(manifest: Manifest, manifestPath = MANIFEST_PATH): CompiledMatcher {
  const grouped = new Map<string, { system: number; kind: PathKind; globs: string[] }>();
  const excludes = new Map<string, string[]>();
  manifest.systems.forEach((system, systemIndex) => {
    for (const kind of PATH_KINDS) {
      for (const glob of system.paths[kind] ?? []) {
        const scan = picomatch.scan(glob, PICOMATCH_OPTIONS);
        if (scan.negated) {
          const key = excludeKey(systemIndex, kind);
          excludes.set(key, [...(excludes.get(key) ?? []), glob.slice(1)]);
          continue;
        }
        const base = literalBase(scan.base, scan.isGlob);
        const groupKey = `${systemIndex}\u0000${kind}\u0000${base}`;
        const group = grouped.get(groupKey) ?? { system: systemIndex, kind, globs: [] };
        group.globs.push(glob);
        grouped.set(groupKey, group);
      }
    }
  });

  const index = new Map<string, Rule[]>();
  for (const [groupKey, group] of grouped) {
    const base = groupKey.split("\u0000")[2] ?? "";
    const rules = index.get(base) ?? [];
    rules.push({ system: group.system, kind: group.kind, include: combine(group.globs) });
    index.set(base, rules);
  }
  // Keep manifest order within one base, so results never depend on map iteration.
  for (const rules of index.values()) rules.sort((a, b) => a.system - b.system);

  const exclude = new Map<string, RegExp>();
  for (const [key, globs] of excludes) exclude.set(key, combine(globs));

  const governedFiles = new Set<string>([manifestPath, manifest.governance.policy]);
  for (const system of manifest.systems) {
    if (system.assessment) governedFiles.add(system.assessment);
    for (const path of Object.values(system.evidence)) governedFiles.add(path);
  }
  return { systems: manifest.systems, manifestPath, index, exclude, governedFiles };
}

/**
 * The systems a change touches, in manifest order, each with the kinds touched and the files
 * that triggered it. A renamed file counts under its new and its previous path; removed files
 * count. When the manifest itself changes, the pseudo-system `aigate:manifest` comes last.
 */
export function matchChanges(
  compiled: CompiledMatcher,
  changedFiles: ChangedFile[],
): AffectedSystem[] {
  const hits = new Map<number, { kinds: Set<PathKind>; files: AffectedFile[]; total: number }>();
  for (const file of changedFiles) {
    const viaPath = kindsOf(compiled, file.path);
    const viaPrevious =
      file.previousPath && file.previousPath !== file.path
        ? kindsOf(compiled, file.previousPath)
        : undefined;
    if (!viaPath && !viaPrevious) continue;
    const systems = new Set<number>([...(viaPath?.keys() ?? []), ...(viaPrevious?.keys() ?? [])]);
    for (const system of systems) {
      const kinds = [...(viaPath?.get(system) ?? []), ...(viaPrevious?.get(system) ?? [])];
      const hit = hits.get(system) ?? { kinds: new Set<PathKind>(), files: [], total: 0 };
      for (const kind of kinds) hit.kinds.add(kind);
      hit.total++;
      if (hit.files.length < MAX_FILES_PER_SYSTEM) {
        const first = PATH_KINDS.find((k) => kinds.includes(k)) ?? "config";
        const affected: AffectedFile = { path: file.path, kind: first, status: file.status };
        if (viaPrevious?.has(system) && file.previousPath)
          affected.previousPath = file.previousPath;
        hit.files.push(affected);
      }
      hits.set(system, hit);
    }
  }

  const affected: AffectedSystem[] = [];
  compiled.systems.forEach((system, index) => {
    const hit = hits.get(index);
    if (!hit) return;
    affected.push({
      id: system.id,
      name: system.name,
      tier: system.tier,
      lifecycle: system.lifecycle,
      kinds: PATH_KINDS.filter((k) => hit.kinds.has(k)),
      files: hit.files,
      moreFiles: hit.total - hit.files.length,
    });
  });

  const manifestFiles = changedFiles.filter(
    (f) => f.path === compiled.manifestPath || f.previousPath === compiled.manifestPath,
  );
  if (manifestFiles.length > 0) {
    affected.push({
      id: MANIFEST_SYSTEM_ID,
      name: "Governance manifest",
      tier: "minimal",
      lifecycle: "production",
      kinds: ["manifest"],
      files: manifestFiles.map((f) => ({
        path: f.path,
        kind: "manifest" as const,
        status: f.status,
        ...(f.previousPath ? { previousPath: f.previousPath } : {}),
      })),
      moreFiles: 0,
    });
  }
  return affected;
}

/** Whether the change modifies, adds, removes or moves the manifest file itself. */
export function manifestChanged(compiled: CompiledMatcher, changedFiles: ChangedFile[]): boolean {
  return changedFiles.some(
    (f) => f.path === compiled.manifestPath || f.previousPath === compiled.manifestPath,
  );
}

/**
 * Whether any of the paths is governed: matched by a system's glob, or the manifest, an
 * assessment, an evidence file or the AI policy. Used to decide whether an approval went stale.
 */
export function touchesGoverned(compiled: CompiledMatcher, paths: string[]): boolean {
  return paths.some(
    (path) => compiled.governedFiles.has(path) || kindsOf(compiled, path) !== undefined,
  );
}

/**
 * Whether the change removes, or moves away, a file the manifest governs: one a system's glob
 * matches, or an assessment, evidence file or the AI policy. Only then can the change leave a
 * path of the manifest matching no file, so only then is the head's tree worth a request
 * (docs/manifest.md#paths-that-match-no-file).
 */
export function removesGoverned(compiled: CompiledMatcher, changedFiles: ChangedFile[]): boolean {
  const governed = (path: string) =>
    compiled.governedFiles.has(path) || kindsOf(compiled, path) !== undefined;
  return changedFiles.some((f) => {
    if (f.status === "removed") return governed(f.path);
    // A copy leaves its source in place; a rename (or a move listed as changed) does not.
    if (f.status === "copied" || !f.previousPath || f.previousPath === f.path) return false;
    return governed(f.previousPath);
  });
}

/** The systems (by manifest index) and kinds one path matches; undefined when none. */
function kindsOf(compiled: CompiledMatcher, path: string): Map<number, PathKind[]> | undefined {
  let found: Map<number, PathKind[]> | undefined;
  const test = (rules: Rule[] | undefined): void => {
    if (!rules) return;
    for (const rule of rules) {
      if (!rule.include.test(path)) continue;
      const excluded = compiled.exclude.get(excludeKey(rule.system, rule.kind));
      if (excluded?.test(path)) continue;
      found ??= new Map();
      const kinds = found.get(rule.system);
      if (!kinds) found.set(rule.system, [rule.kind]);
      else if (!kinds.includes(rule.kind)) kinds.push(rule.kind);
    }
  };
  test(compiled.index.get(""));
  // Every parent directory, then the path itself (for globs without wildcards).
  let slash = path.indexOf("/");
  while (slash !== -1) {
    test(compiled.index.get(path.slice(0, slash)));
    slash = path.indexOf("/", slash + 1);
  }
  test(compiled.index.get(path));
  return found;
}

function combine(globs: string[]): RegExp {
  if (globs.length === 1 && globs[0] !== undefined) {
    return picomatch.makeRe(globs[0], PICOMATCH_OPTIONS);
  }
  const sources = globs.map((g) => `(?:${picomatch.makeRe(g, PICOMATCH_OPTIONS).source})`);
  return new RegExp(sources.join("|"), "s");
}

function excludeKey(system: number, kind: PathKind): string {
  return `${system}\u0000${kind}`;
}
