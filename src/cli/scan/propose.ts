import picomatch from "picomatch";
import { escapeGlob, literalBase, PICOMATCH_OPTIONS } from "../../core/glob.js";
import type { PathKind } from "../../core/manifest/schema.js";
import {
  type Asset,
  CONFIG_EXTENSIONS,
  CONFIG_FOLDER,
  DATA_FOLDER,
  EVAL_FOLDER,
  extensionOf,
  isSource,
  LEFT_OUT_REASONS,
  type LeftOutReason,
  MODEL_FOLDER,
  PROMPT_FOLDER,
  SHARED_FOLDER,
  systemId,
  TEMPLATE_FOLDER,
} from "./classify.js";

/**
 * Groups the files found into the systems a maintainer would declare, with folder globs
 * where the whole folder is the system's (docs/cli.md#how-the-scan-decides).
 */

/** One listed file that is not left out, with what the scan found in it. */
export interface ScannedFile {
  path: string;
  asset?: Asset;
  /** A source file (Python, notebook, JavaScript/TypeScript), whatever it imports. */
  source?: boolean;
  /** A client-only package it imports (`ai/react`): it calls a model, it is not one. */
  client?: string;
}

/** A file left out of every system, and why. */
export interface ExcludedFile {
  path: string;
  reason: LeftOutReason;
  /** The folder (ending in `/`) or file the reason starts at. */
  at: string;
}

export interface ProposedGlob {
  kind: PathKind;
  glob: string;
  files: number;
  /** What gave the files away, e.g. `.onnx`, `prompts/`, `torch`, `data script`. */
  evidence: string[];
}

export interface ProposedSystem {
  id: string;
  /** The package folder the system was found in, `""` for the repository root. */
  root: string;
  globs: ProposedGlob[];
  /** Files governed per kind, each counted once even where two of the kind's globs match it. */
  files: Partial<Record<PathKind, number>>;
}

export interface LeftOut {
  path: string;
  files: number;
  reason: string;
}

export interface Proposal {
  systems: ProposedSystem[];
  leftOut: LeftOut[];
  /** Files the proposed globs govern. */
  governed: number;
}

const PACKAGE_FILES = new Set([
  "package.json",
  "pyproject.toml",
  "setup.py",
  "setup.cfg",
  "Cargo.toml",
  "go.mod",
  "pom.xml",
  "build.gradle",
  "build.gradle.kts",
]);
/** First-level folders whose sub-folders may each be one system (`models/fraud`, `src/fraud`). */
const LAYOUT_FOLDER =
  /^(models?|weights|checkpoints?|artifacts?|data|datasets?|prompts?|evals?|evaluations?|configs?|src|lib|app|apps|services?|pipelines?|notebooks?)$/i;
const TEMPLATE_EXTENSIONS = new Set([".json", ".yaml", ".yml", ".txt", ".jinja", ".j2", ".tmpl"]);
const MAX_EVIDENCE = 6;
const PROSE = new Set([".md", ".rst"]);

interface Node {
  dir: string;
  name: string;
  files: ScannedFile[];
  children: Map<string, Node>;
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "" : path.slice(0, slash);
}

function nameOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** The kind a folder's name gives its whole content, when its files bear the name out. */
function folderKind(name: string, files: readonly ScannedFile[]): PathKind | undefined {
  const exts = files.map((f) => extensionOf(f.path).toLowerCase());
  if (PROMPT_FOLDER.test(name)) return "prompts";
  if (EVAL_FOLDER.test(name)) return "evaluation";
  if (MODEL_FOLDER.test(name)) {
    const modelish = files.some((f, i) => f.asset || (!isSource(exts[i] ?? "") && exts[i] !== ""));
    return modelish ? "model" : undefined;
  }
  if (DATA_FOLDER.test(name)) {
    // A folder of plain code named `data` (a web app's data layer) is no dataset; a README
    // beside that code does not make it one.
    const dataish = (f: ScannedFile, ext: string) => f.asset || !(isSource(ext) || PROSE.has(ext));
    return files.some((f, i) => dataish(f, exts[i] ?? "")) ? "data" : undefined;
  }
  if (CONFIG_FOLDER.test(name)) {
    return exts.some((e) => CONFIG_EXTENSIONS.has(e)) ? "model" : undefined;
  }
  if (TEMPLATE_FOLDER.test(name)) {
    const prompts = exts.some((e) => TEMPLATE_EXTENSIONS.has(e)) && !exts.includes(".html");
    return prompts ? "prompts" : undefined;
  }
  return undefined;
}

function subtree(node: Node): ScannedFile[] {
  const all = [...node.files];
  for (const child of node.children.values()) all.push(...subtree(child));
  return all;
}

class GlobSet {
  readonly globs = new Map<string, ProposedGlob>();
  readonly covered = new Set<string>();
  readonly byKind = new Map<PathKind, Set<string>>();

  add(kind: PathKind, glob: string, files: readonly ScannedFile[], evidence: string[]): void {
    const key = `${kind}\u0000${glob}`;
    const entry = this.globs.get(key) ?? { kind, glob, files: 0, evidence: [] };
    entry.files += files.length;
    for (const e of evidence) {
      if (!entry.evidence.includes(e) && entry.evidence.length < MAX_EVIDENCE)
        entry.evidence.push(e);
    }
    this.globs.set(key, entry);
    const ofKind = this.byKind.get(kind) ?? new Set<string>();
    for (const f of files) {
      this.covered.add(f.path);
      ofKind.add(f.path);
    }
    this.byKind.set(kind, ofKind);
  }
}

function evidenceOf(files: readonly ScannedFile[]): string[] {
  const found: string[] = [];
  for (const f of files) {
    const e = f.asset?.evidence;
    if (e && !found.includes(e)) found.push(e);
    if (found.length >= MAX_EVIDENCE) break;
  }
  return found;
}

/**
 * Proposes globs for one system's files. `prefix` is the package folder with a slash (or "").
 * A folder named for a kind (`data/`, `models/`, `config/`, `prompts/` …) whose files bear the
 * name out is governed whole (`data/**`); a folder of source code is governed by extension
 * (`utils/**\/*.py`) when it is shared code, a Python package, or more than half its files of
 * that extension import an AI library; otherwise its AI files are named one by one.
 */
function walk(
  node: Node,
  prefix: string,
  hint: PathKind | undefined,
  transparent: ReadonlyMap<string, PathKind | undefined>,
  out: GlobSet,
): void {
  let childHint: PathKind | undefined;
  if (node.dir !== "") {
    if (transparent.has(node.dir)) {
      // A layout folder split between systems: its own files and its other sub-folders
      // keep the folder's kind, one level at a time.
      childHint = transparent.get(node.dir);
      if (childHint && node.files.length > 0) {
        out.add(childHint, `${escapeGlob(prefix + node.dir)}/*`, node.files, [
          `${node.name}/`,
          ...evidenceOf(node.files),
        ]);
      }
    } else {
      const all = subtree(node);
      const kind = hint ?? folderKind(node.name, all);
      if (kind) {
        out.add(kind, `${escapeGlob(prefix + node.dir)}/**`, all, [
          `${node.dir}/`,
          ...evidenceOf(all),
        ]);
        return;
      }
      const byExt = new Map<string, { sources: ScannedFile[]; ai: ScannedFile[] }>();
      for (const f of all) {
        if (!f.source) continue;
        const ext = extensionOf(f.path);
        const entry = byExt.get(ext) ?? { sources: [], ai: [] };
        entry.sources.push(f);
        if (f.asset?.core) entry.ai.push(f);
        byExt.set(ext, entry);
      }
      const pythonPackage = node.files.some((f) => nameOf(f.path) === "__init__.py");
      for (const [ext, { sources, ai }] of byExt) {
        if (ai.length === 0) continue;
        const whole =
          SHARED_FOLDER.test(node.name) ||
          (pythonPackage && ext === ".py") ||
          ai.length * 2 > sources.length;
        if (whole && sources.some((f) => !out.covered.has(f.path))) {
          out.add("model", `${escapeGlob(prefix + node.dir)}/**/*${escapeGlob(ext)}`, sources, [
            ...evidenceOf(ai),
          ]);
        }
      }
    }
  }
  for (const f of node.files) {
    if (f.asset && !out.covered.has(f.path)) {
      out.add(f.asset.kind, escapeGlob(prefix + f.path), [f], [f.asset.evidence]);
    }
  }
  for (const child of node.children.values()) walk(child, prefix, childHint, transparent, out);
}

/** The folder tree of files whose paths are relative to their package. */
function tree(files: readonly ScannedFile[]): Node {
  const root: Node = { dir: "", name: "", files: [], children: new Map() };
  for (const file of files) {
    const segments = file.path.split("/");
    let node = root;
    for (let i = 0; i < segments.length - 1; i++) {
      const name = segments[i] ?? "";
      let child = node.children.get(name);
      if (!child) {
        child = { dir: segments.slice(0, i + 1).join("/"), name, files: [], children: new Map() };
        node.children.set(name, child);
      }
      node = child;
    }
    node.files.push(file);
  }
  return root;
}

/** The sub-folder names that recur under two or more layout folders: one system each. */
function recurringNames(files: readonly ScannedFile[]): Map<string, Set<string>> {
  const seen = new Map<string, Set<string>>();
  for (const f of files) {
    const first = f.path.indexOf("/");
    if (first === -1 || !LAYOUT_FOLDER.test(f.path.slice(0, first))) continue;
    const [top, second, ...rest] = f.path.split("/");
    if (!top || !second || rest.length === 0) continue;
    if (LAYOUT_FOLDER.test(second) || SHARED_FOLDER.test(second) || DATA_FOLDER.test(second))
      continue;
    const tops = seen.get(second) ?? new Set<string>();
    tops.add(top);
    seen.set(second, tops);
  }
  for (const [name, tops] of seen) if (tops.size < 2) seen.delete(name);
  return seen;
}

/** Groups scanned files into proposed systems; `excluded` are the files left out. */
export function proposeSystems(
  files: readonly ScannedFile[],
  excluded: readonly ExcludedFile[],
  repositoryName: string,
): Proposal {
  const roots = new Set<string>([""]);
  for (const f of files) if (PACKAGE_FILES.has(nameOf(f.path))) roots.add(dirOf(f.path));
  const packageOf = (path: string): string => {
    let dir = dirOf(path);
    while (dir !== "" && !roots.has(dir)) dir = dirOf(dir);
    return dir;
  };
  const packages = new Map<string, ScannedFile[]>();
  for (const f of files) {
    const pkg = packageOf(f.path);
    const list = packages.get(pkg) ?? [];
    list.push(f);
    packages.set(pkg, list);
  }

  const excludedBy = new Map<string, ExcludedFile[]>();
  for (const e of excluded) {
    const pkg = packageOf(e.path);
    const list = excludedBy.get(pkg) ?? [];
    list.push(e);
    excludedBy.set(pkg, list);
  }

  const leftOut: LeftOut[] = [];
  const clients = new Map<string, { files: number; library: string }>();
  for (const f of files) {
    if (!f.client) continue;
    const pkg = packageOf(f.path);
    const entry = clients.get(pkg) ?? { files: 0, library: f.client };
    entry.files++;
    clients.set(pkg, entry);
  }

  const systems: ProposedSystem[] = [];
  const governed = new Set<string>();
  const usedIds = new Set<string>();
  // Ids are unique: a second `web` (packages/web beside apps/web) is named by its whole path,
  // and a number tells apart what still clashes.
  const idFor = (name: string, path: string) => {
    const base = systemId(name) || systemId(path) || "ai-system";
    let id = usedIds.has(base) ? systemId(path) || base : base;
    for (let n = 2; usedIds.has(id); n++) id = `${base}-${n}`;
    usedIds.add(id);
    return id;
  };

  for (const [pkg, list] of [...packages.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const prefix = pkg === "" ? "" : `${pkg}/`;
    const client = clients.get(pkg);
    if (!list.some((f) => f.asset?.core)) {
      if (client) {
        leftOut.push({
          path: prefix || ".",
          files: client.files,
          reason: `imports only ${client.library}: calls a model over an API, not an AI system by itself`,
        });
      } else if (pkg !== "") {
        leftOut.push({ path: prefix, files: list.length, reason: "a package with no AI evidence" });
      }
      continue;
    }
    if (client) {
      leftOut.push({
        path: prefix || ".",
        files: client.files,
        reason: `file(s) importing only ${client.library} call a model over an API: governed only where a glob below covers them`,
      });
    }
    const relative = (path: string) => path.slice(prefix.length);
    const rel = list.map((f) => ({ ...f, path: relative(f.path) }));
    const recurring = recurringNames(rel);
    const groups = new Map<string, ScannedFile[]>([["", []]]);
    const groupOf = (path: string) => {
      if (recurring.size === 0) return "";
      const [top, second, ...rest] = path.split("/");
      return top && second && rest.length > 0 && recurring.get(second)?.has(top) ? second : "";
    };
    for (const f of rel) {
      const g = groupOf(f.path);
      const group = groups.get(g) ?? [];
      group.push(f);
      groups.set(g, group);
    }
    // A recurring name without core evidence of its own stays with the package's system.
    for (const [g, group] of groups) {
      if (g !== "" && !group.some((f) => f.asset?.core)) {
        groups.delete(g);
        recurring.delete(g);
        groups.get("")?.push(...group);
      }
    }
    const transparent = new Map<string, PathKind | undefined>();
    for (const [name, tops] of recurring) {
      if (!groups.has(name)) continue;
      for (const top of tops) transparent.set(top, kindByName(top));
    }
    const repoName = pkg === "" ? repositoryName : nameOf(pkg);
    for (const [g, group] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!group.some((f) => f.asset?.core)) continue;
      const out = new GlobSet();
      walk(tree(group), prefix, undefined, transparent, out);
      if (out.globs.size === 0) continue;
      for (const path of out.covered) governed.add(prefix + path);
      const globs = [...out.globs.values()];
      negateLeftOut(globs, excludedBy.get(pkg) ?? []);
      systems.push({
        id: idFor(g === "" ? repoName : g, [pkg || repoName, g].filter(Boolean).join("-")),
        root: pkg,
        globs: sortGlobs(globs),
        files: Object.fromEntries([...out.byKind].map(([kind, paths]) => [kind, paths.size])),
      });
    }
  }

  const byFolder = new Map<string, { reason: LeftOutReason; files: number }>();
  for (const e of excluded) {
    const entry = byFolder.get(e.at) ?? { reason: e.reason, files: 0 };
    entry.files++;
    byFolder.set(e.at, entry);
  }
  for (const [path, { reason, files }] of byFolder) {
    leftOut.push({ path, files, reason: LEFT_OUT_REASONS[reason] });
  }
  leftOut.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  systems.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { systems, leftOut, governed: governed.size };
}

/** The kind of a layout folder's sub-folders, by the layout folder's name. */
function kindByName(name: string): PathKind | undefined {
  if (MODEL_FOLDER.test(name) || CONFIG_FOLDER.test(name)) return "model";
  if (DATA_FOLDER.test(name)) return "data";
  if (PROMPT_FOLDER.test(name)) return "prompts";
  if (EVAL_FOLDER.test(name)) return "evaluation";
  return undefined;
}

/**
 * A left-out file (a test under a governed folder) that a proposed glob would match gets a
 * `!` glob of its own folder in that kind, so tests are never governed.
 */
function negateLeftOut(globs: ProposedGlob[], excluded: readonly ExcludedFile[]) {
  const negations: ProposedGlob[] = [];
  for (const g of globs) {
    const scan = picomatch.scan(g.glob);
    const base = literalBase(scan.base, scan.isGlob);
    const match = picomatch(g.glob, PICOMATCH_OPTIONS);
    const seen = new Set<string>();
    for (const e of excluded) {
      if (!e.path.startsWith(base) || !match(e.path)) continue;
      const glob = `!${escapeGlob(e.at)}${e.at.endsWith("/") ? "**" : ""}`;
      if (seen.has(glob)) continue;
      seen.add(glob);
      negations.push({ kind: g.kind, glob, files: 0, evidence: [LEFT_OUT_REASONS[e.reason]] });
    }
  }
  for (const n of negations) {
    if (!globs.some((g) => g.kind === n.kind && g.glob === n.glob)) globs.push(n);
  }
}

function sortGlobs(globs: ProposedGlob[]): ProposedGlob[] {
  const order = ["model", "data", "prompts", "evaluation", "config"];
  return globs.sort(
    (a, b) =>
      order.indexOf(a.kind) - order.indexOf(b.kind) ||
      Number(a.glob.startsWith("!")) - Number(b.glob.startsWith("!")) ||
      (a.glob < b.glob ? -1 : a.glob > b.glob ? 1 : 0),
  );
}
