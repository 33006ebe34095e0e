import { symlinkSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import picomatch from "picomatch";
import { afterEach, describe, expect, it } from "vitest";
import {
  classifyPath,
  importedLibrary,
  isVendored,
  leftOut,
  proposeSystems,
  type ScannedFile,
  SNIFF_BYTES,
  systemId,
} from "../../src/cli/scan.js";
import { TempRepo } from "../support/git-repo.js";

const repos: TempRepo[] = [];
afterEach(() => {
  for (const repo of repos.splice(0)) repo.remove();
});

/** The small ML repository a new user tries aigate on, committed on main. */
function mlRepo(): TempRepo {
  const repo = new TempRepo();
  repos.push(repo);
  repo.git("init", "-q", "-b", "main");
  repo.write("README.md", "# fraud\n");
  repo.write("models/fraud/model.onnx", "\u0000onnx weights");
  repo.write("data/fraud/train.parquet", "PAR1");
  repo.write("prompts/support/system.md", "You are a support assistant.\n");
  repo.write("prompts/support/escalate.md", "Escalate when unsure.\n");
  repo.write("src/fraud/train.py", "import torch\nfrom sklearn import metrics\n");
  repo.write("src/app/server.ts", 'import express from "express";\n');
  repo.commitAll("ml repository");
  return repo;
}

const FLAGS = ["--tier", "limited", "--team", "acme/fraud-risk", "--owner", "acme/ai-governance"];

describe("aigate init --scan: what counts as an AI asset", () => {
  it("knows model weights and fitted artefacts by extension, wherever they are", () => {
    expect(classifyPath("anywhere/net.safetensors")).toMatchObject({
      kind: "model",
      evidence: ".safetensors",
      core: true,
    });
    expect(classifyPath("models/clf.pkl")).toMatchObject({ kind: "model", evidence: ".pkl" });
    // A fitted scaler beside the processed data is part of the model (issue: it was missed).
    expect(classifyPath("data/processed/scaler.joblib")).toMatchObject({
      kind: "model",
      evidence: ".joblib",
    });
  });

  it("knows data, data scripts, training configuration, prompts and evaluation sets", () => {
    expect(classifyPath("data/fraud/train.csv")).toMatchObject({ kind: "data", core: false });
    expect(classifyPath("data/shakespeare/prepare.py")).toMatchObject({
      kind: "data",
      evidence: "data script",
    });
    expect(classifyPath("data/data.xml.dvc")).toMatchObject({ kind: "data", evidence: ".dvc" });
    expect(classifyPath("alpaca_data.json")).toMatchObject({ kind: "data", evidence: "data file" });
    expect(classifyPath("package.json")).toBeUndefined();
    expect(classifyPath("train_config.yaml")).toMatchObject({
      kind: "model",
      evidence: "training config",
    });
    expect(classifyPath("dvc.yaml")).toMatchObject({ kind: "model", core: true });
    expect(classifyPath("prompts/support/system.md")).toMatchObject({
      kind: "prompts",
      evidence: "prompts/",
      core: true,
    });
    expect(classifyPath("chat/greeting.prompty")).toMatchObject({ kind: "prompts" });
    expect(classifyPath("instructions.md")).toMatchObject({ kind: "prompts", core: false });
    expect(classifyPath("evals/fraud/golden.jsonl")).toMatchObject({ kind: "evaluation" });
    expect(classifyPath("src/fraud/train.py")).toBe("source");
    expect(classifyPath("notebooks/explore.ipynb")).toBe("source");
    expect(classifyPath("docs/index.md")).toBeUndefined();
  });

  it("leaves out tests, docs, examples, tooling and vendored folders, saying where and why", () => {
    expect(leftOut("tests/test_model.py")).toEqual({ reason: "tests", at: "tests/" });
    expect(leftOut("src/__tests__/chat.ts")).toEqual({ reason: "tests", at: "src/__tests__/" });
    expect(leftOut("src/model_test.py")).toEqual({ reason: "tests", at: "src/model_test.py" });
    expect(leftOut("web/chat.spec.tsx")).toEqual({ reason: "tests", at: "web/chat.spec.tsx" });
    expect(leftOut("docs/models/card.md")).toEqual({ reason: "docs", at: "docs/" });
    expect(leftOut("examples/quickstart.py")).toEqual({ reason: "examples", at: "examples/" });
    expect(leftOut(".github/workflows/ci.yml")).toEqual({ reason: "tooling", at: ".github/" });
    expect(leftOut("node_modules/openai/index.js")).toEqual({
      reason: "vendored",
      at: "node_modules/",
    });
    expect(leftOut("src/contest.py")).toBeUndefined();
    expect(leftOut("src/latest/model.py")).toBeUndefined();
  });

  it("knows source files by the AI libraries they import: Python, notebooks and JS/TS", () => {
    const lib = (path: string, head: string) => importedLibrary(path, head)?.library;
    expect(lib("a.py", "import os\nfrom transformers import pipeline\n")).toBe("transformers");
    expect(lib("a.py", "import llama_index.core\n")).toBe("llama_index");
    expect(lib("a.py", "try:\n    import torch\nexcept ImportError:\n    pass\n")).toBe("torch");
    expect(lib("a.py", "# we do not use torch here\nimport os\n")).toBeUndefined();
    expect(lib("a.py", "import torchaudio_like\n")).toBeUndefined();
    expect(
      lib("n.ipynb", '{"cells": [{"source": ["import numpy as np\\n", "import torch\\n"]}]}'),
    ).toBe("torch");
    expect(lib("n.ipynb", '{"cells": [{"source": ["import numpy as np\\n"]}]}')).toBeUndefined();
    expect(lib("a.ts", 'import Anthropic from "@anthropic-ai/sdk";\n')).toBe("@anthropic-ai/sdk");
    expect(lib("a.js", 'const ort = require("onnxruntime-node");\n')).toBe("onnxruntime-node");
    expect(lib("a.ts", 'import { pipeline } from "@huggingface/transformers";\n')).toBe(
      "@huggingface/transformers",
    );
    expect(lib("a.ts", 'import { streamText } from "ai";\n')).toBe("ai");
    expect(lib("a.ts", 'import OpenAI from "openai-compatible";\n')).toBeUndefined();
  });

  it("tells a UI that only calls a model over an API from code that uses one", () => {
    expect(importedLibrary("c.tsx", 'import { useCompletion } from "ai/react";\n')).toEqual({
      library: "ai/react",
      clientOnly: true,
    });
    expect(importedLibrary("c.ts", 'import { Client } from "@langchain/langgraph-sdk";\n')).toEqual(
      { library: "@langchain/langgraph-sdk", clientOnly: true },
    );
    expect(
      importedLibrary(
        "r.ts",
        'import { useChat } from "ai/react";\nimport OpenAI from "openai";\n',
      ),
    ).toEqual({ library: "openai", clientOnly: false });
  });

  it("skips vendored folders", () => {
    expect(isVendored("node_modules/openai/index.js")).toBe(true);
    expect(isVendored("third_party/yolo/weights.pt")).toBe(true);
    expect(isVendored("src/vendorless.py")).toBe(false);
  });

  it("proposes one system per AI package, whole folders by kind, shared code joining, and names a recurring folder as its own system", () => {
    const ai = (path: string, evidence: string): ScannedFile => ({
      path,
      source: true,
      asset: { path, kind: "model", evidence, core: true },
    });
    const files: ScannedFile[] = [
      ai("train.py", "torch"),
      { path: "README.md" },
      { path: "models/yolo.yaml" },
      ai("models/yolo.py", "torch"),
      { path: "data/coco.yaml" },
      { path: "data/hyps/hyp.scratch.yaml" },
      ai("utils/general.py", "torch"),
      { path: "utils/callbacks.py", source: true },
      { path: "utils/downloads.py", source: true },
      ai("segment/train.py", "torch"),
      {
        path: "models/fraud/model.onnx",
        asset: { path: "models/fraud/model.onnx", kind: "model", evidence: ".onnx", core: true },
      },
      ai("src/fraud/score.py", "xgboost"),
      { path: "web/package.json" },
      { path: "web/chat.tsx", source: true, client: "ai/react" },
      {
        path: "weights[1].gguf",
        asset: { path: "weights[1].gguf", kind: "model", evidence: ".gguf", core: true },
      },
    ];
    const excluded = [
      { path: "utils/tests/test_general.py", reason: "tests" as const, at: "utils/tests/" },
    ];
    const proposal = proposeSystems(files, excluded, "My Repo");
    expect(proposal.systems).toEqual([
      {
        id: "fraud",
        root: "",
        globs: [
          {
            kind: "model",
            glob: "models/fraud/**",
            files: 1,
            evidence: ["models/fraud/", ".onnx"],
          },
          { kind: "model", glob: "src/fraud/**/*.py", files: 1, evidence: ["xgboost"] },
        ],
        files: { model: 2 },
      },
      {
        id: "my-repo",
        root: "",
        globs: [
          { kind: "model", glob: "models/*", files: 2, evidence: ["models/", "torch"] },
          { kind: "model", glob: "segment/**/*.py", files: 1, evidence: ["torch"] },
          { kind: "model", glob: "train.py", files: 1, evidence: ["torch"] },
          { kind: "model", glob: "utils/**/*.py", files: 3, evidence: ["torch"] },
          { kind: "model", glob: "weights\\[1\\].gguf", files: 1, evidence: [".gguf"] },
          {
            kind: "model",
            glob: "!utils/tests/**",
            files: 0,
            evidence: ["tests, fixtures and test data are never governed"],
          },
          { kind: "data", glob: "data/**", files: 2, evidence: ["data/"] },
        ],
        files: { model: 8, data: 2 },
      },
    ]);
    expect(proposal.leftOut).toEqual([
      {
        path: "utils/tests/",
        files: 1,
        reason: "tests, fixtures and test data are never governed",
      },
      {
        path: "web/",
        files: 1,
        reason: "imports only ai/react: calls a model over an API, not an AI system by itself",
      },
    ]);
    expect(proposal.governed).toBe(12);
  });
});

describe("aigate init --scan: folders named for a kind", () => {
  it("governs a data folder whole only when it holds more than code and prose", () => {
    const ai = (path: string): ScannedFile => ({
      path,
      source: true,
      asset: { path, kind: "model", evidence: "openai", core: true },
    });
    const globs = (files: ScannedFile[]) =>
      proposeSystems(files, [], "app").systems.flatMap((s) => s.globs.map((g) => g.glob));
    const app = [
      ai("src/chat/agent.ts"),
      ai("src/chat/tools.ts"),
      { path: "src/ui/page.ts", source: true },
      { path: "src/data/orders.ts", source: true },
    ];
    expect(
      globs([...app, { path: "src/data/users.ts", source: true }, { path: "src/data/README.md" }]),
    ).toEqual(["src/chat/**/*.ts"]);
    expect(globs([...app, { path: "src/data/faq.yaml" }, { path: "src/data/README.md" }])).toEqual([
      "src/chat/**/*.ts",
      "src/data/**",
    ]);
  });
});

describe("aigate init --scan: system ids", () => {
  it("names each AI package after its folder, and a second package of the same name by its path", () => {
    const ai = (path: string): ScannedFile => ({
      path,
      source: true,
      asset: { path, kind: "model", evidence: "openai", core: true },
    });
    const files: ScannedFile[] = [
      { path: "apps/web/package.json" },
      ai("apps/web/chat.ts"),
      { path: "packages/web/package.json" },
      ai("packages/web/agent.ts"),
      { path: "services/Web!/pyproject.toml" },
      ai("services/Web!/agent.py"),
    ];
    const ids = proposeSystems(files, [], "repo").systems.map((s) => [s.id, s.root]);
    expect(ids).toEqual([
      ["packages-web", "packages/web"],
      ["services-web", "services/Web!"],
      ["web", "apps/web"],
    ]);
  });
});

describe("aigate init --scan on a repository", () => {
  it("prints the proposal with file counts, evidence and what was left out, and writes nothing without --write", () => {
    const repo = mlRepo();
    repo.write("tests/test_train.py", "import torch\n");
    repo.commitAll("a test");
    // The system of what no layout folder names is named after the repository's folder.
    const id = systemId(basename(repo.dir));
    const run = repo.aigate(["init", "--scan"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`aigate init --scan: 8 file(s) listed by git, 5 AI file(s) to govern
Proposed AI systems:
  ${id}
    prompts:    prompts/**                       2 file(s): prompts/
  fraud
    model:      models/fraud/**                  1 file(s): models/fraud/, .onnx
    model:      src/fraud/**/*.py                1 file(s): torch
    data:       data/fraud/**                    1 file(s): data/fraud/, .parquet
Left out:
  tests/                             1 file(s): tests, fixtures and test data are never governed
Nothing written. Run again with --write to create 4 file(s): .github/ai-governance.yml, governance/assessments/${id}.yml, governance/assessments/fraud.yml, docs/ai-policy.md.
`);
    expect(repo.git("status", "--porcelain")).toBe("");
  });

  it("--json gives the proposal for tools: per glob the evidence, and what was left out and why", () => {
    const repo = mlRepo();
    repo.write("docs/model.md", "# The fraud model\n");
    const run = repo.aigate(["init", "--scan", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const scan = JSON.parse(run.stdout);
    expect(scan).toMatchObject({ listed: 8, vendored: 0, governed: 5 });
    expect(scan.systems[1]).toEqual({
      id: "fraud",
      root: "",
      globs: [
        { kind: "model", glob: "models/fraud/**", files: 1, evidence: ["models/fraud/", ".onnx"] },
        { kind: "model", glob: "src/fraud/**/*.py", files: 1, evidence: ["torch"] },
        { kind: "data", glob: "data/fraud/**", files: 1, evidence: ["data/fraud/", ".parquet"] },
      ],
      files: { model: 2, data: 1 },
    });
    expect(scan.leftOut).toEqual([{ path: "docs/", files: 1, reason: "documentation" }]);
    expect(repo.aigate(["init", "--scan", "--json", "--write"]).code).toBe(2);
    expect(repo.aigate(["init", "--json"]).code).toBe(2);
  });

  it("counts each governed file once per kind, as many globs of that kind as match it, in --json and above the written system", () => {
    const repo = mlRepo();
    const scan = JSON.parse(repo.aigate(["init", "--scan", "--json"]).stdout);
    const listed = repo.git("ls-files").split("\n").filter(Boolean);
    for (const system of scan.systems) {
      for (const kind of Object.keys(system.files)) {
        const globs = system.globs.filter((g: { kind: string }) => g.kind === kind);
        const positive = globs
          .filter((g: { glob: string }) => !g.glob.startsWith("!"))
          .map((g: { glob: string }) => picomatch(g.glob, { dot: true }));
        const negative = globs
          .filter((g: { glob: string }) => g.glob.startsWith("!"))
          .map((g: { glob: string }) => picomatch(g.glob.slice(1), { dot: true }));
        const matched = listed.filter(
          (f) =>
            positive.some((m: (p: string) => boolean) => m(f)) &&
            !negative.some((m: (p: string) => boolean) => m(f)),
        );
        expect(system.files[kind], `${system.id} ${kind}`).toBe(matched.length);
      }
    }
    expect(repo.aigate(["init", "--scan", "--write", ...FLAGS]).code).toBe(0);
    expect(repo.read(".github/ai-governance.yml")).toContain(
      "# found 2 model file(s) (models/fraud/, .onnx, torch); 1 data file(s) (data/fraud/, .parquet)",
    );
  });

  it("as a new user would: init --scan --write with tier, team and owner, validate, then a model change makes check report the system", () => {
    const repo = mlRepo();
    const init = repo.aigate(["init", "--scan", "--write", ...FLAGS]);
    expect(init.code, init.stderr).toBe(0);
    const validate = repo.aigate(["validate"]);
    expect(validate.stderr).toBe("");
    expect(validate.stdout).toContain(
      `valid: .github/ai-governance.yml, governance/assessments/${systemId(basename(repo.dir))}.yml, governance/assessments/fraud.yml`,
    );
    expect(validate.code).toBe(0);
    repo.commitAll("govern the AI systems");
    repo.branch("retrain");
    repo.write("models/fraud/model.onnx", "\u0000onnx weights v2");
    repo.commitAll("retrain");
    const check = repo.aigate(["check", "--base", "main"]);
    expect(check.stdout).toContain("fraud (fraud) - tier limited, development");
    expect(check.stdout).toContain("model: models/fraud/model.onnx [modified]");
    expect(check.stdout).not.toContain("No AI systems affected");
  });

  it("leaves clearly marked placeholders that validate rejects, saying what to fill in", () => {
    const repo = mlRepo();
    expect(repo.aigate(["init", "--scan", "--write"]).code).toBe(0);
    const manifest = repo.read(".github/ai-governance.yml");
    expect(manifest).toContain(
      'tier: "FILL-IN: the EU AI Act risk tier: minimal, limited, high, prohibited"',
    );
    const validate = repo.aigate(["validate"]);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain(
      ".github/ai-governance.yml:16:11: systems[0].tier: a placeholder left by aigate init: fill in the EU AI Act risk tier: minimal, limited, high, prohibited",
    );
    expect(validate.stderr).toContain(
      "governance.owners.teams[0]: a placeholder left by aigate init: fill in the org/team-slug that approves changes to this manifest",
    );
    expect(validate.stderr).not.toContain("expected one of");
  });

  it("writes the placeholders of many systems, more than a file reports errors for", () => {
    const repo = new TempRepo();
    repos.push(repo);
    repo.git("init", "-q");
    for (let n = 0; n < 60; n++) {
      // Each name recurs under models/ and data/: the maintainer's own layout of 60 systems.
      repo.write(`models/sys-${n}/model.onnx`, "weights");
      repo.write(`data/sys-${n}/train.csv`, "a,b\n");
    }
    const write = repo.aigate(["init", "--scan", "--write"]);
    expect(write.code, write.stderr).toBe(0);
    const validate = repo.aigate(["validate"]);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain("more errors not shown");
  });

  it("never writes over an existing manifest, even with --force", () => {
    const repo = mlRepo();
    repo.write(".github/ai-governance.yml", "version: 1\n");
    const run = repo.aigate(["init", "--scan", "--write", "--force", ...FLAGS]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      ".github/ai-governance.yml already exists: --scan --write never replaces a manifest",
    );
    expect(repo.read(".github/ai-governance.yml")).toBe("version: 1\n");
  });

  it("respects .gitignore and skips vendored folders", () => {
    const repo = mlRepo();
    repo.write(".gitignore", "checkpoints/\n");
    repo.write("checkpoints/epoch1.ckpt", "weights");
    repo.write("node_modules/openai/index.ts", 'import OpenAI from "openai";\n');
    const run = repo.aigate(["init", "--scan"]);
    expect(run.stdout).toContain(
      "9 file(s) listed by git, 1 in vendored folders skipped, 5 AI file(s) to govern",
    );
    expect(run.stdout).not.toContain("checkpoints");
  });

  it("on an empty repository says there is nothing, and --write writes a manifest with no systems that validates", () => {
    const repo = new TempRepo();
    repos.push(repo);
    repo.git("init", "-q");
    const run = repo.aigate(["init", "--scan"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("0 file(s) listed by git, 0 AI file(s) to govern");
    expect(run.stdout).toContain("No AI assets found");
    const write = repo.aigate(["init", "--scan", "--write", "--owner", "acme/gov"]);
    expect(write.code, write.stderr).toBe(0);
    expect(repo.read(".github/ai-governance.yml")).toContain("systems: []");
    expect(repo.aigate(["validate"]).code).toBe(0);
  });

  it("on a repository with no AI assets says so", () => {
    const repo = new TempRepo();
    repos.push(repo);
    repo.git("init", "-q");
    repo.write("src/server.ts", 'import express from "express";\n');
    repo.write("reports/q3.csv", "a,b\n");
    const run = repo.aigate(["init", "--scan"]);
    // Data alone, with no model, prompt or AI code beside it, is no AI system.
    expect(run.stdout).toContain("2 file(s) listed by git, 0 AI file(s) to govern");
    expect(run.stdout).toContain("No AI assets found");
  });

  it("reads only the first 64 KiB of a file, and no binary", () => {
    const repo = new TempRepo();
    repos.push(repo);
    repo.git("init", "-q");
    repo.write("src/late/late.py", `${"# padding\n".repeat(SNIFF_BYTES / 10 + 1)}import torch\n`);
    repo.write("src/early/early.py", `import torch\n${"x = 1\n".repeat(200_000)}`);
    writeFileSync(
      join(repo.dir, "src/binary.py"),
      Buffer.from([0, 1, 2, ...Buffer.from("import torch\n")]),
    );
    const run = repo.aigate(["init", "--scan"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("src/early/**/*.py");
    expect(run.stdout).not.toContain("late");
    expect(run.stdout).not.toContain("binary");
  });

  it("never follows a symbolic link, not even a loop", () => {
    const repo = new TempRepo();
    repos.push(repo);
    repo.git("init", "-q");
    repo.write("src/fraud/train.py", "import torch\n");
    symlinkSync("loop.py", join(repo.dir, "src/fraud/loop.py"));
    symlinkSync("/etc/passwd", join(repo.dir, "src/fraud/outside.py"));
    symlinkSync("..", join(repo.dir, "src/fraud/up"));
    const run = repo.aigate(["init", "--scan"]);
    expect(run.code, run.stderr).toBe(0);
    // The links are listed, never read: only train.py imports an AI library.
    expect(run.stdout).toContain("model:      src/fraud/train.py               1 file(s): torch");
    expect(run.stdout).not.toContain("outside");
  });

  it("outside a git repository is a usage error that says why", () => {
    const repo = new TempRepo();
    repos.push(repo);
    const run = repo.aigate(["init", "--scan"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--scan reads the files git lists");
  });
});
