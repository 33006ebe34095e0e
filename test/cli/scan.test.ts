import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  type Asset,
  classifyPath,
  importedLibrary,
  isVendored,
  proposeSystems,
  SNIFF_BYTES,
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
  it("knows model weights by extension, and pickles only under model-like folders", () => {
    expect(classifyPath("anywhere/net.safetensors")).toMatchObject({
      kind: "model",
      evidence: ".safetensors",
    });
    expect(classifyPath("models/clf.pkl")).toMatchObject({ kind: "model", evidence: ".pkl" });
    expect(classifyPath("cache/session.pkl")).toBeUndefined();
  });

  it("knows data by extension under data-like folders, prompts and evaluation sets by folder", () => {
    expect(classifyPath("data/fraud/train.csv")).toMatchObject({ kind: "data" });
    expect(classifyPath("reports/q3.csv")).toBeUndefined();
    expect(classifyPath("prompts/support/system.md")).toMatchObject({
      kind: "prompts",
      evidence: "prompts/",
    });
    expect(classifyPath("chat/greeting.prompty")).toMatchObject({ kind: "prompts" });
    expect(classifyPath("evals/fraud/golden.jsonl")).toMatchObject({ kind: "evaluation" });
    expect(classifyPath("src/fraud/train.py")).toBe("source");
    expect(classifyPath("docs/index.md")).toBeUndefined();
  });

  it("knows source files by the AI libraries they import, Python and JS/TS", () => {
    expect(importedLibrary("a.py", "import os\nfrom transformers import pipeline\n")).toBe(
      "transformers",
    );
    expect(importedLibrary("a.py", "import llama_index.core\n")).toBe("llama_index");
    expect(importedLibrary("a.py", "# we do not use torch here\nimport os\n")).toBeUndefined();
    expect(importedLibrary("a.ts", 'import Anthropic from "@anthropic-ai/sdk";\n')).toBe(
      "@anthropic-ai/sdk",
    );
    expect(importedLibrary("a.js", 'const ort = require("onnxruntime-node");\n')).toBe(
      "onnxruntime-node",
    );
    expect(importedLibrary("a.ts", 'import { pipeline } from "@huggingface/transformers";\n')).toBe(
      "@huggingface/transformers",
    );
    expect(importedLibrary("a.ts", 'import OpenAI from "openai-compatible";\n')).toBeUndefined();
  });

  it("skips vendored folders", () => {
    expect(isVendored("node_modules/openai/index.js")).toBe(true);
    expect(isVendored("third_party/yolo/weights.pt")).toBe(true);
    expect(isVendored("src/vendorless.py")).toBe(false);
  });

  it("groups assets by the folder that names the system, with typed globs", () => {
    const assets: Asset[] = [
      { path: "models/fraud/v2/model.onnx", kind: "model", evidence: ".onnx" },
      { path: "models/fraud/model.onnx", kind: "model", evidence: ".onnx" },
      { path: "src/fraud/train.py", kind: "model", evidence: "torch" },
      { path: "services/churn/models/m.pt", kind: "model", evidence: ".pt" },
      { path: "models/base.onnx", kind: "model", evidence: ".onnx" },
      { path: "weights[1].gguf", kind: "model", evidence: ".gguf" },
    ];
    expect(proposeSystems(assets, "My Repo")).toEqual([
      {
        id: "churn",
        globs: [{ kind: "model", glob: "services/churn/models/**", files: 1, evidence: [".pt"] }],
      },
      {
        id: "fraud",
        globs: [
          { kind: "model", glob: "models/fraud/**", files: 2, evidence: [".onnx"] },
          { kind: "model", glob: "src/fraud/**/*.py", files: 1, evidence: ["torch"] },
        ],
      },
      {
        id: "my-repo",
        globs: [
          { kind: "model", glob: "models/*.onnx", files: 1, evidence: [".onnx"] },
          { kind: "model", glob: "weights\\[1\\].gguf", files: 1, evidence: [".gguf"] },
        ],
      },
    ]);
  });
});

describe("aigate init --scan on a repository", () => {
  it("prints the proposal with file counts and writes nothing without --write", () => {
    const repo = mlRepo();
    const run = repo.aigate(["init", "--scan"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`aigate init --scan: 7 file(s) listed by git, 5 AI asset(s) found
Proposed AI systems:
  fraud
    model:      models/fraud/**                  1 file(s): .onnx
    model:      src/fraud/**/*.py                1 file(s): torch
    data:       data/fraud/**                    1 file(s): .parquet
  support
    prompts:    prompts/support/**               2 file(s): prompts/
Nothing written. Run again with --write to create 4 file(s): .github/ai-governance.yml, governance/assessments/fraud.yml, governance/assessments/support.yml, docs/ai-policy.md.
`);
    expect(repo.git("status", "--porcelain")).toBe("");
  });

  it("as a new user would: init --scan --write with tier, team and owner, validate, then a model change makes check report the system", () => {
    const repo = mlRepo();
    const init = repo.aigate(["init", "--scan", "--write", ...FLAGS]);
    expect(init.code, init.stderr).toBe(0);
    const validate = repo.aigate(["validate"]);
    expect(validate.stderr).toBe("");
    expect(validate.stdout).toContain(
      "valid: .github/ai-governance.yml, governance/assessments/fraud.yml, governance/assessments/support.yml",
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
    for (let n = 0; n < 60; n++) repo.write(`models/sys-${n}/model.onnx`, "weights");
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
      "9 file(s) listed by git, 1 in vendored folders skipped, 5 AI asset(s) found",
    );
    expect(run.stdout).not.toContain("checkpoints");
  });

  it("on an empty repository says there is nothing, and --write writes a manifest with no systems that validates", () => {
    const repo = new TempRepo();
    repos.push(repo);
    repo.git("init", "-q");
    const run = repo.aigate(["init", "--scan"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("0 file(s) listed by git, 0 AI asset(s) found");
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
    expect(run.stdout).toContain("2 file(s) listed by git, 0 AI asset(s) found");
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
    expect(run.stdout).toContain("model:      src/fraud/**/*.py                1 file(s): torch");
  });

  it("outside a git repository is a usage error that says why", () => {
    const repo = new TempRepo();
    repos.push(repo);
    const run = repo.aigate(["init", "--scan"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--scan reads the files git lists");
  });
});
