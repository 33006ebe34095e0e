/**
 * Two figures of `aigate init --scan`.
 *
 * 1. The corpus (test/fixtures/scan-corpus): public repositories, each materialised as a git
 *    repository, scanned and written with `init --scan --write`; per repository the share of
 *    must-govern files the written manifest governs (goal 100 %), the share of must-not files
 *    it governs (goal 0 %) and the systems proposed against the expected ones (goal equal).
 * 2. Speed: a generated monorepo of 100 000 committed files — packages with and without AI,
 *    source code (some importing AI libraries), documentation, configuration, tests, model
 *    weights, data, prompts, evaluation sets, a vendored folder, a binary and a 5 MB source
 *    file — beside the baseline measured in the same run on the same tree: `git ls-files`
 *    (plain, and with the options the scan lists with). Both are whole processes, as a person
 *    runs them. Prints medians and ratios. Goal: under 5 s (the ratio to `git ls-files`
 *    is printed beside `aigate --version`, the CLI's start alone).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { scanFiles } from "../src/cli/scan.js";
import { loadCorpus, materialise, measure, useProjectRoot } from "../test/support/scan-corpus.js";
import { sized, timingGoal } from "./quick.js";

const FILES = sized(100_000, 5_000);
const ROUNDS = sized(5, 1);
const GOAL_MS = 5000;
const GOAL_RATIO = 5;

// Run through scripts/run-ts.mjs, whose folder sits beside bench/.
const ROOT = resolve(dirname(process.argv[1] ?? "scripts/run-ts.mjs"), "..");
const CLI = join(ROOT, "bin", "aigate.js");
useProjectRoot(ROOT);

// A fixed pseudo-random sequence (mulberry32), so every run measures the same tree.
let seed = 0x5ca7;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n: number) => Math.floor(random() * n);

/** One generated file: its path and its content, by share of the repository. */
const shapes: Array<{ share: number; file: (i: number) => [string, string | Buffer] }> = [
  {
    share: 0.3,
    file: (i) => [
      `packages/pkg-${int(300)}/src/module-${i}.ts`,
      `import { helper } from "./helper";\nexport const value${i} = helper(${i});\n`,
    ],
  },
  {
    share: 0.01,
    file: (i) => [
      `packages/assistant-${int(20)}/src/chat-${i}.ts`,
      `import OpenAI from "openai";\nexport const client${i} = new OpenAI();\n`,
    ],
  },
  {
    share: 0.2,
    file: (i) => [
      `python/service_${int(200)}/handlers/h_${i}.py`,
      `import os\nimport json\n\ndef handle_${i}(event):\n    return json.dumps(event)\n`,
    ],
  },
  {
    share: 0.02,
    file: (i) => [
      `python/ml_${int(30)}/train_${i}.py`,
      `import numpy as np\nimport torch\n\ndef train_${i}():\n    return torch.zeros(1)\n`,
    ],
  },
  { share: 0.12, file: (i) => [`docs/section-${int(100)}/page-${i}.md`, `# Page ${i}\n\nText.\n`] },
  { share: 0.1, file: (i) => [`config/env-${int(50)}/settings-${i}.json`, `{"n": ${i}}\n`] },
  {
    share: 0.12,
    file: (i) => [`tests/unit-${int(100)}/case-${i}.test.ts`, `test("case ${i}", () => {});\n`],
  },
  {
    share: 0.005,
    file: (i) => [`models/model-${int(40)}/weights-${i}.safetensors`, Buffer.from([0, 1, 2, 3])],
  },
  { share: 0.02, file: (i) => [`data/set-${int(40)}/part-${i}.parquet`, "PAR1"] },
  { share: 0.01, file: (i) => [`prompts/agent-${int(20)}/prompt-${i}.md`, `Prompt ${i}\n`] },
  { share: 0.005, file: (i) => [`evals/suite-${int(20)}/golden-${i}.jsonl`, `{"q": ${i}}\n`] },
  {
    share: 0.05,
    file: (i) => [`vendor/lib-${int(100)}/file-${i}.py`, "import torch\n"],
  },
];

function generate(dir: string): void {
  const total = shapes.reduce((sum, s) => sum + s.share, 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const s of shapes) {
    sum += s.share / total;
    cumulative.push(sum);
  }
  const made = new Set<string>();
  const write = (path: string, content: string | Buffer) => {
    const full = join(dir, path);
    if (!made.has(dirname(full))) {
      mkdirSync(dirname(full), { recursive: true });
      made.add(dirname(full));
    }
    writeFileSync(full, content);
  };
  write("python/big/huge.py", `${"x = 1\n".repeat(900_000)}import torch\n`);
  write("python/big/binary.py", Buffer.from([0, 0, 0, ...Buffer.from("import torch\n")]));
  let fixed = 2;
  for (let n = 0; n < 300; n++, fixed++) write(`packages/pkg-${n}/package.json`, "{}\n");
  for (let n = 0; n < 20; n++, fixed++) write(`packages/assistant-${n}/package.json`, "{}\n");
  for (let i = 0; i < FILES - fixed; i++) {
    const r = random();
    const shape = shapes[cumulative.findIndex((c) => r <= c)] ?? shapes[0];
    if (!shape) continue;
    const [path, content] = shape.file(i);
    write(path, content);
  }
}

function timedProcess(command: string, args: string[], cwd: string): number[] {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS + 1; round++) {
    const start = process.hrtime.bigint();
    const run = spawnSync(command, args, { cwd, maxBuffer: 512 * 1024 * 1024 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (run.status !== 0) throw new Error(`${command} ${args.join(" ")}: ${run.stderr}`);
    if (round > 0) times.push(ms); // the first round warms the file system cache
  }
  return times.sort((a, b) => a - b);
}

const median = (times: number[]) => times[Math.floor(times.length / 2)] ?? Number.NaN;

/** The corpus figures; returns whether every goal was met. */
function corpusFigures(): boolean {
  const parent = mkdtempSync(join(tmpdir(), "aigate-scan-corpus-"));
  try {
    const pct = (n: number, of: number) => (of === 0 ? "—" : `${((100 * n) / of).toFixed(0)} %`);
    const rows: string[][] = [
      ["repository", "commit", "must-govern governed", "must-not governed", "systems (expected)"],
    ];
    let ok = true;
    let govern = 0;
    let governOf = 0;
    let not = 0;
    let notOf = 0;
    for (const entry of loadCorpus()) {
      const f = measure(entry, materialise(entry, parent));
      const governed = f.mustGovern.length - f.missed.length;
      const same = f.systems.join(",") === [...entry.expectation.systems].sort().join(",");
      ok &&= f.missed.length === 0 && f.wronglyGoverned.length === 0 && same;
      govern += governed;
      governOf += f.mustGovern.length;
      not += f.wronglyGoverned.length;
      notOf += f.mustNot.length;
      rows.push([
        entry.fixture.repository,
        entry.fixture.commit.slice(0, 7),
        `${pct(governed, f.mustGovern.length)} (${governed}/${f.mustGovern.length})`,
        `${pct(f.wronglyGoverned.length, f.mustNot.length)} (${f.wronglyGoverned.length}/${f.mustNot.length})`,
        `${f.systems.length} [${f.systems.join(", ")}] (${entry.expectation.systems.length})${same ? "" : " DIFFERENT"}`,
      ]);
      for (const m of f.missed) console.log(`  ${entry.name}: must be governed, is not: ${m}`);
      for (const w of f.wronglyGoverned)
        console.log(`  ${entry.name}: must not be governed, is: ${w}`);
    }
    rows.push([
      "all",
      "",
      `${pct(govern, governOf)} (${govern}/${governOf})`,
      `${pct(not, notOf)} (${not}/${notOf})`,
      "",
    ]);
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
    for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  "));
    console.log(
      `corpus goal (100 % must-govern governed, 0 % must-not governed, systems as expected): ${ok ? "met" : "NOT met"}`,
    );
    return ok;
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

if (!corpusFigures()) process.exitCode = 1;

const dir = mkdtempSync(join(tmpdir(), "aigate-scan-bench-"));
try {
  const genStart = Date.now();
  generate(dir);
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: dir, maxBuffer: 512 * 1024 * 1024 });
  git("init", "-q", "-b", "main");
  // No automatic gc or maintenance in the background: it would compete with the timings and
  // hold files in .git when the folder is removed.
  git("config", "gc.auto", "0");
  git("config", "maintenance.auto", "false");
  git("add", "-A");
  git(
    "-c",
    "user.name=Bench",
    "-c",
    "user.email=bench@example.com",
    "commit",
    "-q",
    "-m",
    "generated",
  );
  const listed = git("ls-files").toString().split("\n").filter(Boolean).length;
  console.log(
    `generated and committed ${listed} files in ${((Date.now() - genStart) / 1000).toFixed(1)} s`,
  );

  const plain = timedProcess("git", ["ls-files"], dir);
  const asScan = timedProcess(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    dir,
  );
  const scan = timedProcess(process.execPath, [CLI, "init", "--scan"], dir);
  // What any Node process of the CLI costs before it scans anything.
  const start = timedProcess(process.execPath, [CLI, "--version"], dir);
  const out = spawnSync(process.execPath, [CLI, "init", "--scan"], { cwd: dir, encoding: "utf8" });
  // The scan itself in this process, on the listing the CLI reads: wall and CPU time, which
  // a loaded machine stretches less than the wall time of a whole process.
  const files = git("ls-files", "-z", "--cached", "--others", "--exclude-standard")
    .toString()
    .split("\0")
    .filter(Boolean);
  const inProcess: Array<{ wall: number; cpu: number }> = [];
  for (let round = 0; round < ROUNDS + 1; round++) {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    scanFiles(dir, files, "bench");
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    const used = process.cpuUsage(cpu);
    if (round > 0) inProcess.push({ wall, cpu: (used.user + used.system) / 1000 });
  }
  const scanWall = median(inProcess.map((r) => r.wall).sort((a, b) => a - b));
  const scanCpu = median(inProcess.map((r) => r.cpu).sort((a, b) => a - b));
  const summary = out.stdout.split("\n")[0] ?? "";
  const systems = out.stdout.split("\n").filter((l) => /^ {2}\S/.test(l)).length;

  const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
  // Whole processes on a shared machine: the load says how far wall times are stretched.
  console.log(
    `load average over the last minute: ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores`,
  );
  console.log(summary);
  console.log(`${systems} systems proposed`);
  console.log(
    `git ls-files, median of ${ROUNDS}:                            ${fmt(median(plain))}`,
  );
  console.log(
    `git ls-files --cached --others --exclude-standard, median of ${ROUNDS}: ${fmt(median(asScan))}`,
  );
  const ratio = median(scan) / median(plain);
  console.log(
    `aigate init --scan (whole process), median of ${ROUNDS}:      ${fmt(median(scan))}  (${ratio.toFixed(1)}× git ls-files, ${(median(scan) / median(asScan)).toFixed(1)}× the listing it runs)`,
  );
  console.log(
    `scanFiles in process (no Node start, no listing), median of ${ROUNDS}: ${fmt(scanWall)} wall, ${fmt(scanCpu)} CPU`,
  );
  console.log(
    `aigate --version (the CLI's start alone), median of ${ROUNDS}:   ${fmt(median(start))}  (${(median(start) / median(plain)).toFixed(1)}× git ls-files)`,
  );
  // Issue 21's goal. Issue 9's "within 5× of git ls-files" is printed beside it: no Node
  // process meets it, since the CLI's start alone is several times git ls-files.
  const ok = median(scan) < GOAL_MS;
  console.log(
    `goal: init --scan on ${FILES} files under ${GOAL_MS / 1000} s: ${ok ? "met" : "NOT met"}`,
  );
  console.log(
    `within ${GOAL_RATIO}× of git ls-files: ${ratio <= GOAL_RATIO ? "met" : `not met (${ratio.toFixed(1)}×; the start alone is ${(median(start) / median(plain)).toFixed(1)}×)`}`,
  );
  timingGoal(ok);
} finally {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
