import type { PathKind } from "../../core/manifest/schema.js";

/**
 * What one path says by its name (and, for source files, by the first bytes of its text)
 * for `aigate init --scan` (docs/cli.md#how-the-scan-decides).
 */

/** Bytes of a file read to find its imports: enough for any import block. */
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

const TEST_FOLDERS = new Set([
  "test",
  "tests",
  "__tests__",
  "testing",
  "spec",
  "specs",
  "e2e",
  "fixtures",
  "__fixtures__",
  "__mocks__",
  "testdata",
  "test_data",
  "test-data",
]);
const TEST_FILE =
  /^(test_.*\.py|.*_test\.py|conftest\.py|.*\.(test|spec)\.[cm]?[jt]sx?|.*_test\.go)$/i;
const DOC_FOLDERS = new Set(["docs", "doc", "documentation"]);
const EXAMPLE_FOLDERS = new Set(["examples", "example", "samples", "demo", "demos"]);

/** Why a path is never governed, when it is not. */
export type LeftOutReason = "tests" | "vendored" | "docs" | "examples" | "tooling";

export const LEFT_OUT_REASONS: Record<LeftOutReason, string> = {
  tests: "tests, fixtures and test data are never governed",
  vendored: "vendored dependencies",
  docs: "documentation",
  examples: "examples of use, not the system",
  tooling: "repository tooling (a dot folder such as .github)",
};

/** Why `path` is left out of every system, with the folder (or file) the reason starts at. */
export function leftOut(path: string): { reason: LeftOutReason; at: string } | undefined {
  // One pass over the folders without splitting: this runs for every file git lists.
  let start = 0;
  let slash = path.indexOf("/");
  while (slash !== -1) {
    const s = path.slice(start, slash);
    const reason = folderReason(s);
    if (reason) return { reason, at: path.slice(0, slash + 1) };
    start = slash + 1;
    slash = path.indexOf("/", start);
  }
  if (TEST_FILE.test(path.slice(start))) return { reason: "tests", at: path };
  return undefined;
}

function folderReason(s: string): LeftOutReason | undefined {
  if (VENDORED.has(s)) return "vendored";
  if (s.startsWith(".")) return "tooling";
  const lower = s.toLowerCase();
  if (TEST_FOLDERS.has(lower)) return "tests";
  if (DOC_FOLDERS.has(lower)) return "docs";
  if (EXAMPLE_FOLDERS.has(lower)) return "examples";
  return undefined;
}

/** Whether a path lies in a vendored folder (dependencies copied into the repository). */
export function isVendored(path: string): boolean {
  return path.split("/").some((segment) => VENDORED.has(segment));
}

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
  ".pkl",
  ".pickle",
  ".joblib",
]);
export const DATA_EXTENSIONS = new Set([
  ".csv",
  ".tsv",
  ".parquet",
  ".jsonl",
  ".arrow",
  ".tfrecord",
  ".feather",
  ".npy",
  ".npz",
]);
const PROMPTS = new Set([".prompt", ".prompty"]);
export const PYTHON = new Set([".py", ".ipynb"]);
const SCRIPT = new Set([".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"]);
export const CONFIG_EXTENSIONS = new Set([
  ".yaml",
  ".yml",
  ".json",
  ".toml",
  ".cfg",
  ".ini",
  ".py",
]);

export const MODEL_FOLDER = /^(models?|weights|checkpoints?|ckpts?|artifacts?|artefacts?)$/i;
export const DATA_FOLDER =
  /^(data|datasets?|corpus|corpora|training[-_]?data|raw|processed|interim|feature[-_]?store)$/i;
export const PROMPT_FOLDER = /^prompts?$/i;
export const EVAL_FOLDER = /^(evals?|evaluations?|eval[-_]?sets?|evalsets?|benchmarks?)$/i;
export const CONFIG_FOLDER = /^(configs?|conf|hyps|hparams|hyperparams?|params)$/i;
export const TEMPLATE_FOLDER = /^(templates|prompt[-_]?templates)$/i;
/** Shared code: joins the system that uses it, as a whole folder. */
export const SHARED_FOLDER = /^(utils?|common|lib|libs|helpers?|shared|core)$/i;

/** Scripts that decide the training data. */
const DATA_SCRIPT =
  /^(prepare|download|preprocess|pre_process|make_dataset|build_dataset|get_data|fetch_data)[^/]*\.(py|sh|ipynb)$/i;
/** Files that configure training, by name. */
const TRAINING_CONFIG =
  /^(train|finetune|fine[-_]tune|params|hparams|hyperparams?)[^/]*\.(ya?ml|json|toml|cfg|ini)$/i;
/** Files that define an ML pipeline. */
const PIPELINE = /^(dvc\.yaml|dvc\.lock|MLproject|params\.ya?ml)$/;
const DATA_NAMED = /(^|[-_.])(data|dataset|train|training)([-_.]|$)/i;
const PROMPT_NAMED = /prompt|^instructions?\.(md|txt)$|^system[-_]?message/i;

const PYTHON_LIBRARY =
  "torch|torchvision|tensorflow|keras|jax|flax|sklearn|transformers|peft|accelerate|diffusers|timm|ultralytics|lightning|pytorch_lightning|sentence_transformers|tiktoken|onnxruntime|openai|anthropic|langchain\\w*|langgraph\\w*|deepagents|managed_deepagents|llama_index|llama_cpp|vllm|vertexai|google\\.generativeai|cohere|mistralai|groq|litellm|ollama|dspy|crewai|autogen|haystack|xgboost|lightgbm|catboost|mlflow|spacy|huggingface_hub";
const PYTHON_IMPORT = new RegExp(`^[ \\t]*(?:from|import)[ \\t]+(${PYTHON_LIBRARY})(?![\\w])`, "m");
/** A notebook is JSON: each source line is a JSON string, opened by a quote. */
const NOTEBOOK_IMPORT = new RegExp(
  `(?:^|")[ \\t]*(?:from|import)[ \\t]+(${PYTHON_LIBRARY})(?![\\w])`,
  "m",
);
const SCRIPT_IMPORT =
  /(?:from|require\(|import\()\s*["'](openai|@anthropic-ai\/sdk|@google\/generative-ai|@google\/genai|langchain|@langchain\/[\w.-]+|@huggingface\/[\w.-]+|onnxruntime(?:-node|-web|-common)?|ai|@ai-sdk\/[\w.-]+|@mistralai\/mistralai|cohere-ai|groq-sdk|ollama|replicate|@tensorflow\/tfjs[\w-]*|@xenova\/transformers)(\/[^"']*)?["']/g;
/** Packages that only call a model someone else serves, from a UI or client. */
const CLIENT_ONLY =
  /^(ai\/(react|svelte|vue|solid)|@ai-sdk\/(react|svelte|vue|ui-utils)|@langchain\/langgraph-sdk)$/;
/** Words a file must hold before the regular expressions above are tried. */
const LIBRARY_WORDS =
  /torch|tensorflow|keras|jax|flax|sklearn|transformers|peft|accelerate|diffusers|timm|ultralytics|lightning|tiktoken|onnxruntime|openai|anthropic|langchain|langgraph|deepagents|llama|vllm|vertexai|generativeai|generative-ai|genai|cohere|mistral|groq|litellm|ollama|dspy|crewai|autogen|haystack|xgboost|lightgbm|catboost|mlflow|spacy|huggingface|["']ai["'/]|@ai-sdk|replicate|tfjs|xenova/;

/** What the first bytes of a source file import: an AI library, a client-only package, or none. */
export function importedLibrary(
  path: string,
  head: string,
): { library: string; clientOnly: boolean } | undefined {
  if (!LIBRARY_WORDS.test(head)) return undefined;
  const ext = extensionOf(path).toLowerCase();
  if (ext === ".ipynb") {
    const match = NOTEBOOK_IMPORT.exec(head);
    return match?.[1] ? { library: match[1], clientOnly: false } : undefined;
  }
  if (PYTHON.has(ext)) {
    const match = PYTHON_IMPORT.exec(head);
    return match?.[1] ? { library: match[1], clientOnly: false } : undefined;
  }
  let client: string | undefined;
  for (const match of head.matchAll(SCRIPT_IMPORT)) {
    const library = `${match[1] ?? ""}${match[2] ?? ""}`;
    if (CLIENT_ONLY.test(library)) client ??= library;
    else return { library: match[1] ?? library, clientOnly: false };
  }
  return client ? { library: client, clientOnly: true } : undefined;
}

/** One file that is part of a system, and what gave it away. */
export interface Asset {
  path: string;
  kind: PathKind;
  /** An extension (`.onnx`), a folder (`prompts/`), a name (`prepare script`) or a library (`torch`). */
  evidence: string;
  /** Core evidence makes its package an AI system; the rest only joins one. */
  core: boolean;
}

/**
 * How a path looks by its name alone: an asset, a source file worth sniffing, or neither.
 * Assets that are not core (data, training configuration, prompt templates by name) are
 * governed only inside a package that holds core evidence.
 */
export function classifyPath(path: string): Asset | "source" | undefined {
  const segments = path.split("/");
  const folders = segments.slice(0, -1);
  const name = segments[segments.length - 1] ?? "";
  const ext = extensionOf(name).toLowerCase();
  const under = (pattern: RegExp) => folders.find((f) => pattern.test(f));

  if (WEIGHTS.has(ext)) return { path, kind: "model", evidence: ext, core: true };
  if (PROMPTS.has(ext)) return { path, kind: "prompts", evidence: ext, core: true };
  if (PIPELINE.test(name)) return { path, kind: "model", evidence: "ML pipeline", core: true };
  const promptFolder = under(PROMPT_FOLDER);
  if (promptFolder) return { path, kind: "prompts", evidence: `${promptFolder}/`, core: true };
  const evalFolder = under(EVAL_FOLDER);
  if (evalFolder && (DATA_EXTENSIONS.has(ext) || CONFIG_EXTENSIONS.has(ext))) {
    return { path, kind: "evaluation", evidence: `${evalFolder}/`, core: false };
  }
  if (ext === ".dvc") return { path, kind: "data", evidence: ".dvc", core: false };
  if (DATA_SCRIPT.test(name)) return { path, kind: "data", evidence: "data script", core: false };
  if (DATA_EXTENSIONS.has(ext)) return { path, kind: "data", evidence: ext, core: false };
  if (ext === ".json" && DATA_NAMED.test(name.slice(0, -5))) {
    return { path, kind: "data", evidence: "data file", core: false };
  }
  if (TRAINING_CONFIG.test(name)) {
    return { path, kind: "model", evidence: "training config", core: false };
  }
  if (PROMPT_NAMED.test(name) && !SCRIPT.has(ext) && !PYTHON.has(ext)) {
    return { path, kind: "prompts", evidence: "prompt", core: false };
  }
  if (isSource(ext)) return "source";
  return undefined;
}

export function isSource(ext: string): boolean {
  return PYTHON.has(ext) || SCRIPT.has(ext);
}

/** Whether the scan reads the text of `path`: source files, for their imports. */
export function wouldSniff(path: string): boolean {
  return leftOut(path) === undefined && classifyPath(path) === "source";
}

export function extensionOf(path: string): string {
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
