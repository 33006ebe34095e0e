import picomatch from "picomatch";
import { literalBase, PICOMATCH_OPTIONS } from "./glob.js";
import { type Manifest, PATH_KINDS, type ResolvedSystem } from "./manifest/schema.js";
import type { PathFinding, PathRule } from "./types.js";
import { closestMatch, errorAt, type PathSegment, parseYaml } from "./yaml/index.js";

/**
 * Paths a manifest names that the repository's tree does not hold (docs/manifest.md, "Paths
 * that match no file"): a glob that matches no file gates nothing, silently, so where the tree
 * is known it is an error — a warning for a system still in design (nothing built yet), retired
 * (nothing left) or prohibited (its paths guard against building it). Pure: the caller reads
 * the tree (git, or the GitHub tree API).
 */

/** The files of a tree, as repository paths with `/`, indexed for the questions asked here. */
export interface RepositoryTree {
  /** Sorted, so that the files under a folder are one contiguous run. */
  files: readonly string[];
  fileSet: ReadonlySet<string>;
  /** Every folder that holds a file, at any depth ("" is the root). */
  folders: ReadonlySet<string>;
}

/** Indexes a list of file paths (in any order, duplicates allowed). */
export function repositoryTree(paths: Iterable<string>): RepositoryTree {
  const fileSet = new Set<string>();
  const folders = new Set<string>([""]);
  for (const path of paths) {
    if (path === "" || fileSet.has(path)) continue;
    fileSet.add(path);
    let slash = path.lastIndexOf("/");
    while (slash > 0) {
      const folder = path.slice(0, slash);
      if (folders.has(folder)) break;
      folders.add(folder);
      slash = path.lastIndexOf("/", slash - 1);
    }
  }
  const files = [...fileSet].sort(compare);
  return { files, fileSet, folders };
}

/** Where the manifest's text is, to locate each finding at the line a person edits. */
export interface ManifestSource {
  file: string;
  text: string;
}

/** Why a system's paths may match nothing without it being an error. */
function leniency(system: ResolvedSystem): string | undefined {
  if (system.blocked) return `${system.id} is ${system.tier}: its paths guard against building it`;
  if (system.lifecycle === "design") return `${system.id} is in design: nothing is built yet`;
  if (system.lifecycle === "retired") return `${system.id} is retired: nothing may be left`;
  return undefined;
}

interface Unlocated {
  rule: PathRule;
  severity: "error" | "warning";
  system?: string;
  path: PathSegment[];
  message: string;
}

/**
 * Every glob of every system that matches no file of `tree`, and every assessment, evidence
 * and policy path that is not a file of it, located in the manifest, in manifest order. Each
 * names the closest existing folder or file where one is close.
 */
export function findDeadPaths(
  manifest: Manifest,
  source: ManifestSource,
  tree: RepositoryTree,
): PathFinding[] {
  const found: Unlocated[] = [];
  const policy = manifest.governance.policy;
  if (!tree.fileSet.has(policy)) {
    found.push({
      rule: "policy-missing",
      severity: "error",
      path: ["governance", "policy"],
      message: `the AI policy ${policy} does not exist: create it or correct the path${fileHint(tree, policy)}`,
    });
  }
  manifest.systems.forEach((system, index) => {
    const lenient = leniency(system);
    const severity = lenient ? "warning" : "error";
    const why = lenient ? ` (a warning: ${lenient})` : "";
    for (const kind of PATH_KINDS) {
      (system.paths[kind] ?? []).forEach((glob, position) => {
        if (glob.startsWith("!")) return;
        if (globMatchesAny(tree, glob, excluder(system, kind))) return;
        found.push({
          rule: "glob-matches-no-file",
          severity,
          system: system.id,
          path: ["systems", index, "paths", kind, position],
          message: `${JSON.stringify(glob)} matches no file${globHint(tree, glob)}${why}`,
        });
      });
    }
    if (system.assessment !== undefined && !tree.fileSet.has(system.assessment)) {
      found.push({
        rule: "assessment-missing",
        severity,
        system: system.id,
        path: ["systems", index, "assessment"],
        message: `the risk assessment of ${system.id}, ${system.assessment}, does not exist: create it or correct the path${fileHint(tree, system.assessment)}${why}`,
      });
    }
    for (const [kind, path] of Object.entries(system.evidence)) {
      if (tree.fileSet.has(path)) continue;
      found.push({
        rule: "evidence-missing",
        severity,
        system: system.id,
        path: ["systems", index, "evidence", kind],
        message: `the ${kind} of ${system.id}, ${path}, does not exist: create it or correct the path${fileHint(tree, path)}${why}`,
      });
    }
  });
  return locateAll(found, source);
}

/** Located lazily: the manifest is parsed again only when there is something to report. */
function locateAll(found: Unlocated[], source: ManifestSource): PathFinding[] {
  if (found.length === 0) return [];
  const parsed = parseYaml(source.text, source.file);
  return found.map(({ path, ...rest }) => {
    const at = parsed.ok
      ? errorAt(parsed.source, path, rest.message)
      : { file: source.file, line: 0, column: 0, field: "", message: rest.message };
    const finding: PathFinding = { ...at, rule: rest.rule, severity: rest.severity };
    if (rest.system !== undefined) finding.system = rest.system;
    return finding;
  });
}

/** The exclusions (`!glob`) of one system and kind, as a test; undefined when there are none. */
function excluder(system: ResolvedSystem, kind: (typeof PATH_KINDS)[number]) {
  const globs = (system.paths[kind] ?? []).filter((g) => g.startsWith("!")).map((g) => g.slice(1));
  if (globs.length === 0) return undefined;
  const tests = globs.map((g) => picomatch.makeRe(g, PICOMATCH_OPTIONS));
  return (path: string) => tests.some((re) => re.test(path));
}

/** Whether a glob matches at least one file; only the files under its static base are tried. */
export function globMatchesAny(
  tree: RepositoryTree,
  glob: string,
  excluded?: (path: string) => boolean,
): boolean {
  const scan = picomatch.scan(glob, PICOMATCH_OPTIONS);
  const base = literalBase(scan.base, scan.isGlob);
  // A plain path matches that file only (a folder's name alone matches nothing under it).
  if (!scan.isGlob && base !== "") return tree.fileSet.has(base) && !excluded?.(base);
  const re = picomatch.makeRe(glob, PICOMATCH_OPTIONS);
  for (const path of filesUnder(tree, base)) {
    if (re.test(path) && !excluded?.(path)) return true;
  }
  return false;
}

/** The files under `folder` ("" for all), from the sorted list. */
function* filesUnder(tree: RepositoryTree, folder: string): Generator<string> {
  if (folder === "") {
    yield* tree.files;
    return;
  }
  const prefix = `${folder}/`;
  const files = tree.files;
  let low = 0;
  let high = files.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compare(files[mid] ?? "", prefix) < 0) low = mid + 1;
    else high = mid;
  }
  for (let i = low; i < files.length; i++) {
    const path = files[i] ?? "";
    if (!path.startsWith(prefix)) return;
    yield path;
  }
}

/** What to say after "matches no file": the glob with the closest existing folder, if any. */
function globHint(tree: RepositoryTree, glob: string): string {
  const scan = picomatch.scan(glob, PICOMATCH_OPTIONS);
  const base = literalBase(scan.base, scan.isGlob);
  if (base === "") return "";
  if (!scan.isGlob) {
    return tree.folders.has(base)
      ? ` — it is a folder: did you mean ${JSON.stringify(`${base}/**`)}?`
      : fileHint(tree, base);
  }
  if (tree.folders.has(base)) {
    const count = countUnder(tree, base);
    return ` (${base}/ holds ${count} file${count === 1 ? "" : "s"}, none of them matching)`;
  }
  const { folder, corrected } = closestFolder(tree, base);
  if (corrected) {
    const suggestion = `${folder}${glob.slice(base.length)}`;
    if (globMatchesAny(tree, suggestion)) return ` — did you mean ${JSON.stringify(suggestion)}?`;
  }
  return folder === "" ? "" : ` — the closest existing folder is "${folder}/"`;
}

/** What to say after a missing file: the closest existing file of a close folder, if any. */
function fileHint(tree: RepositoryTree, path: string): string {
  const slash = path.lastIndexOf("/");
  const parent = slash === -1 ? "" : path.slice(0, slash);
  const name = path.slice(slash + 1);
  const { folder } = tree.folders.has(parent) ? { folder: parent } : closestFolder(tree, parent);
  if (slash !== -1 && folder === "") return "";
  const siblings = childrenOf(tree, folder, "files");
  const closest = closestMatch(name, siblings);
  if (closest !== undefined) {
    return ` — did you mean ${JSON.stringify(folder === "" ? closest : `${folder}/${closest}`)}?`;
  }
  return folder !== "" && folder !== parent ? ` — the closest existing folder is "${folder}/"` : "";
}

/**
 * Walks `folder` segment by segment, replacing a segment that does not exist by the closest
 * child folder of the same parent (a typo, or a shorter name of it), and stops where no child
 * is close. Returns the folder reached and whether any segment was replaced.
 */
function closestFolder(
  tree: RepositoryTree,
  folder: string,
): { folder: string; corrected: boolean } {
  let current = "";
  let corrected = false;
  for (const segment of folder.split("/")) {
    const exact = current === "" ? segment : `${current}/${segment}`;
    if (tree.folders.has(exact)) {
      current = exact;
      continue;
    }
    const children = childrenOf(tree, current, "folders");
    const close = closestMatch(segment, children) ?? sharedWord(segment, children);
    if (close === undefined) return { folder: current, corrected: false };
    current = current === "" ? close : `${current}/${close}`;
    corrected = true;
  }
  return { folder: current, corrected };
}

/** A child whose name is one of the words of `segment` (`fraud` for `fraud-detection`), or holds it whole. */
function sharedWord(segment: string, children: readonly string[]): string | undefined {
  const words = segment
    .toLowerCase()
    .split(/[-_. ]+/)
    .filter((w) => w.length >= 3);
  return children.find((child) => {
    const name = child.toLowerCase();
    return words.includes(name) || (name.length >= 3 && segment.toLowerCase().includes(name));
  });
}

/** The names of the folders or files directly in `folder`. */
function childrenOf(tree: RepositoryTree, folder: string, what: "folders" | "files"): string[] {
  return [...(contentsOf(tree).get(folder)?.[what] ?? [])];
}

const CONTENTS = new WeakMap<
  RepositoryTree,
  Map<string, { folders: Set<string>; files: Set<string> }>
>();

/** What each folder directly holds, indexed once per tree and only when a hint is needed. */
function contentsOf(tree: RepositoryTree) {
  let contents = CONTENTS.get(tree);
  if (contents) return contents;
  contents = new Map();
  const entry = (folder: string) => {
    let found = contents?.get(folder);
    if (!found) {
      found = { folders: new Set(), files: new Set() };
      contents?.set(folder, found);
    }
    return found;
  };
  for (const folder of tree.folders) {
    if (folder === "") continue;
    const slash = folder.lastIndexOf("/");
    entry(slash === -1 ? "" : folder.slice(0, slash)).folders.add(folder.slice(slash + 1));
  }
  for (const path of tree.files) {
    const slash = path.lastIndexOf("/");
    entry(slash === -1 ? "" : path.slice(0, slash)).files.add(path.slice(slash + 1));
  }
  CONTENTS.set(tree, contents);
  return contents;
}

function countUnder(tree: RepositoryTree, folder: string): number {
  let count = 0;
  for (const _ of filesUnder(tree, folder)) count++;
  return count;
}

/** Code-unit order, the order `filesUnder` searches in (locale order would not be contiguous). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
