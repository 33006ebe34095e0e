import { closeSync, constants, openSync, readSync } from "node:fs";
import { escapeGlob } from "../core/glob.js";
import type { PathKind } from "../core/manifest/schema.js";
import { joinRepo } from "./repo.js";

/**
 * `aigate init --scan`: finds the AI assets of a repository among the files git lists (so
 * `.gitignore` holds; vendored folders are skipped; symbolic links are never followed) and
 * proposes systems grouped by folder, each with typed globs that match the files found
 * (docs/cli.md, "aigate init --scan").
 */

/** Bytes of a source file read to find its imports: enough for any import block. */
export const SNIFF_BYTES = 64 * 1024;

const VENDORED = new Set([
  "node_modules",
  "bower_components",
  "jspm_packages",
  "vendor",
  "vendors",
  "third_party",
  "third-party",
  "site-packages",
  ".venv",
  "venv",
  "Pods",
  "Carthage",
]);

const WEIGHTS = new Set([
  ".onnx",
  ".pt",
  ".pth",
  ".safetensors",
  ".gguf",
  ".ckpt",
  ".h5",
  ".keras",
  ".tflite",
  ".mlmodel",
]);
const PICKLES = new Set([".pkl", ".joblib"]);
const DATA = new Set([".csv", ".parquet", ".jsonl", ".arrow", ".tfrecord"]);
const PROMPTS = new Set([".prompt", ".prompty"]);
const PYTHON = new Set([".py", ".ipynb"]);
const SCRIPT = new Set([".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"]);

const MODEL_FOLDER = /^(models?|weights|checkpoints?|ckpts?|artifacts?)$/i;
const DATA_FOLDER = /^(data|datasets?|corpus|corpora|training[-_]?data|raw|processed)$/i;
const PROMPT_FOLDER = /^prompts?$/i;
const EVAL_FOLDER = /^(evals?|evaluations?|eval[-_]?sets?|evalsets?)$/i;

/** Folder names that say what a folder holds, not which system it belongs to. */
const GENERIC_FOLDER =
  /^(models?|weights|checkpoints?|ckpts?|artifacts?|data|datasets?|corpus|corpora|training[-_]?data|raw|processed|interim|prompts?|templates|evals?|evaluations?|eval[-_]?sets?|evalsets?|src|lib|libs|app|apps|packages|pkg|services?|python|notebooks?|scripts|train|training|inference|serving|ml|ai|llm|core|common|assets|resources)$/i;

const PYTHON_LIBRARIES =
  /^[ \t]*(?:from|import)[ \t]+(torch|tensorflow|sklearn|transformers|openai|anthropic|langchain\w*|llama_index|vertexai|xgboost|lightgbm)\b/m;
const SCRIPT_LIBRARIES =
  /(?:from|require\(|import\()\s*["'](openai|@anthropic-ai\/sdk|@google\/generative-ai|langchain|@langchain\/[\w.-]+|@huggingface\/[\w.-]+|onnxruntime(?:-node|-web|-common)?)(?:\/[^"']*)?["']/;
/** Words a file must hold before the regular expressions above are tried. */
const LIBRARY_WORDS =
  /torch|tensorflow|sklearn|transformers|openai|anthropic|langchain|llama_index|vertexai|xgboost|lightgbm|generative-ai|huggingface|onnxruntime/;

/** One file found, with its kind and what gave it away. */
export interface Asset {
  path: string;
  kind: PathKind;
  /** An extension (`.onnx`), a folder (`prompts/`), or an imported library (`torch`). */
  evidence: string;
}

/** How a path looks by its name alone: an asset, a source file worth sniffing, or neither. */
export function classifyPath(path: string): Asset | "source" | undefined {
  const segments = path.split("/");
  const folders = segments.slice(0, -1);
  const name = segments[segments.length - 1] ?? "";
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot).toLowerCase() : "";
  const under = (pattern: RegExp) => folders.some((f) => pattern.test(f));

  if (WEIGHTS.has(ext)) return { path, kind: "model", evidence: ext };
  if (PICKLES.has(ext) && under(MODEL_FOLDER)) return { path, kind: "model", evidence: ext };
  if (PROMPTS.has(ext)) return { path, kind: "prompts", evidence: ext };
  const promptFolder = folders.find((f) => PROMPT_FOLDER.test(f));
  if (promptFolder) return { path, kind: "prompts", evidence: `${promptFolder}/` };
  const evalFolder = folders.find((f) => EVAL_FOLDER.test(f));
  if (evalFolder && (DATA.has(ext) || ext === ".json" || ext === ".yaml" || ext === ".yml")) {
    return { path, kind: "evaluation", evidence: `${evalFolder}/` };
  }
  if (DATA.has(ext) && under(DATA_FOLDER)) return { path, kind: "data", evidence: ext };
  if (PYTHON.has(ext) || SCRIPT.has(ext)) return "source";
  return undefined;
}

/** The AI library a source text imports, judged from its first `SNIFF_BYTES`; undefined when none. */
export function importedLibrary(path: string, head: string): string | undefined {
  if (!LIBRARY_WORDS.test(head)) return undefined;
  const ext = path.slice(path.lastIndexOf(".")).toLowerCase();
  const match = (PYTHON.has(ext) ? PYTHON_LIBRARIES : SCRIPT_LIBRARIES).exec(head);
  return match?.[1];
}

/** Whether a path lies in a vendored folder (dependencies copied into the repository). */
export function isVendored(path: string): boolean {
  return path.split("/").some((segment) => VENDORED.has(segment));
}

const buffer = Buffer.alloc(SNIFF_BYTES);
// O_NOFOLLOW: a symbolic link (a loop, or a link out of the repository) is never read through.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * The first `SNIFF_BYTES` of a file as text, or undefined for a link, a folder, a binary or an
 * unreadable file. Synchronous: one open, one read and one close per file is the cheapest way
 * through a hundred thousand small files.
 */
function sniff(root: string, path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(joinRepo(root, path), READ_FLAGS);
    const read = readSync(fd, buffer, 0, SNIFF_BYTES, 0);
    const head = buffer.subarray(0, read);
    if (head.includes(0)) return undefined;
    return head.toString("utf8");
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface ProposedGlob {
  kind: PathKind;
  glob: string;
  files: number;
  /** What gave the files away, e.g. `.onnx`, `prompts/`, `torch`. */
  evidence: string[];
}

export interface ProposedSystem {
  id: string;
  globs: ProposedGlob[];
}

export interface ScanResult {
  /** Files git lists, before vendored folders are skipped. */
  listed: number;
  /** Files skipped as vendored. */
  vendored: number;
  assets: number;
  systems: ProposedSystem[];
}

/** Scans the listed files of the repository at `root` and proposes systems. */
export function scanFiles(
  root: string,
  listed: readonly string[],
  repositoryName: string,
): ScanResult {
  const assets: Asset[] = [];
  let vendored = 0;
  for (const path of listed) {
    if (isVendored(path)) {
      vendored++;
      continue;
    }
    const found = classifyPath(path);
    if (found === undefined) continue;
    if (found !== "source") {
      assets.push(found);
      continue;
    }
    const head = sniff(root, path);
    const library = head === undefined ? undefined : importedLibrary(path, head);
    if (library) assets.push({ path, kind: "model", evidence: library });
  }
  return {
    listed: listed.length,
    vendored,
    assets: assets.length,
    systems: proposeSystems(assets, repositoryName),
  };
}

/**
 * Groups assets into systems. A system is named after the first folder of a path that is not a
 * generic one (`fraud` in `models/fraud/model.onnx`, `src/fraud/train.py`); assets with no such
 * folder belong to a system named after the repository. Each kind gets the folder glob of its
 * files (`models/fraud/**`), narrowed to the extensions found for source files and for files
 * directly in a generic folder (`src/fraud/**\/*.py`, `models/*.onnx`).
 */
export function proposeSystems(assets: readonly Asset[], repositoryName: string): ProposedSystem[] {
  const fallback = systemId(repositoryName) || "ai-system";
  const systems = new Map<string, Map<string, ProposedGlob>>();
  for (const asset of assets) {
    const segments = asset.path.split("/");
    const folders = segments.slice(0, -1);
    const named = folders.findIndex((f) => !GENERIC_FOLDER.test(f) && systemId(f) !== "");
    const id = named === -1 ? fallback : systemId(folders[named] ?? "");
    const ext = escapeGlob(extensionOf(asset.path));
    let glob: string;
    if (folders.length === 0) {
      glob = escapeGlob(asset.path);
    } else if (named === -1) {
      glob = `${escapeGlob(folders.join("/"))}/*${ext}`;
    } else {
      // The system's folder, or the kind's own folder inside it (`services/fraud/models`).
      const kindFolder = folders.findIndex((f, i) => i > named && GENERIC_FOLDER.test(f));
      const end = kindFolder === -1 ? named : kindFolder;
      const folder = escapeGlob(folders.slice(0, end + 1).join("/"));
      glob =
        asset.evidence.startsWith(".") || asset.evidence.endsWith("/")
          ? `${folder}/**`
          : `${folder}/**/*${ext}`;
    }
    const globs = systems.get(id) ?? new Map<string, ProposedGlob>();
    const key = `${asset.kind}\u0000${glob}`;
    const entry = globs.get(key) ?? { kind: asset.kind, glob, files: 0, evidence: [] };
    entry.files++;
    if (!entry.evidence.includes(asset.evidence)) entry.evidence.push(asset.evidence);
    globs.set(key, entry);
    systems.set(id, globs);
  }
  return [...systems.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, globs]) => ({ id, globs: withoutNested([...globs.values()]) }));
}

/** Drops a glob of a kind that a broader folder glob of the same kind already covers. */
function withoutNested(globs: ProposedGlob[]): ProposedGlob[] {
  const folders = globs
    .filter((g) => g.glob.endsWith("/**"))
    .map((g) => ({ kind: g.kind, prefix: g.glob.slice(0, -2), glob: g }));
  const kept: ProposedGlob[] = [];
  for (const glob of globs) {
    const cover = folders.find(
      (f) => f.glob !== glob && f.kind === glob.kind && glob.glob.startsWith(f.prefix),
    );
    if (cover) {
      cover.glob.files += glob.files;
      for (const e of glob.evidence)
        if (!cover.glob.evidence.includes(e)) cover.glob.evidence.push(e);
    } else {
      kept.push(glob);
    }
  }
  const order = ["model", "data", "prompts", "evaluation", "config"];
  return kept.sort(
    (a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || (a.glob < b.glob ? -1 : 1),
  );
}

function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot) : "";
}

/** A folder or repository name as a system id: lowercase letters, digits and '-'. */
export function systemId(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
