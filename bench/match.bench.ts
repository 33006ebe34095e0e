/**
 * Path matching: `matchChanges` over 3000 changed files against a manifest of 200 systems with
 * 4 globs each, compared in the same run, on the same inputs, with
 *   1. the naive loop: `minimatch(path, glob, { dot: true })` for every (file, glob) pair, and
 *   2. a fairer baseline: one precompiled picomatch matcher per glob, still every pair tested.
 * Every approach must find the same systems, kinds and file counts. Prints medians and ratios.
 * Goal: at least 20× faster than the naive loop, and under 10 ms median.
 * Then the added cost of dead-glob detection (`findDeadPaths`, the tree indexed from the same
 * 3000 paths, findings located in the manifest's text), printed beside `matchChanges`.
 */
import { minimatch } from "minimatch";
import picomatch from "picomatch";
import { stringify } from "yaml";
import { findDeadPaths, repositoryTree } from "../src/core/dead-paths.js";
import { parseManifest } from "../src/core/manifest/parse.js";
import {
  type Manifest,
  PATH_KINDS,
  type PathKind,
  type ResolvedSystem,
} from "../src/core/manifest/schema.js";
import { compileMatcher, matchChanges } from "../src/core/match.js";
import type { ChangedFile } from "../src/core/types.js";
import { sized, timingGoal } from "./quick.js";

const SYSTEMS = 200;
const FILES = sized(3000, 300);
const FAST_ROUNDS = sized(51, 5);
const NAIVE_ROUNDS = sized(3, 1);
const GOAL_RATIO = 20;
const GOAL_MS = 10;

// A fixed pseudo-random sequence (mulberry32), so every run measures the same inputs.
let seed = 0x5eed;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const int = (n: number) => Math.floor(random() * n);

function system(n: number): ResolvedSystem {
  return {
    id: `sys-${n}`,
    name: `System ${n}`,
    purpose: "benchmark",
    owner: "@acme/ml",
    lifecycle: "production",
    tier: "limited",
    affectedParties: [],
    paths: {
      model: [`models/sys-${n}/**`],
      config: [`src/sys-${n}/**/*.py`],
      data: [`data/sys-${n}/*.parquet`],
      prompts: [`prompts/sys-${n}/**/*.md`],
    },
    assessmentRequired: true,
    evidence: {},
    requiredEvidence: [],
    updateOn: [],
    approvers: { teams: ["acme/ml"], users: [] },
    approvals: 1,
    blocked: false,
  };
}

const manifest: Manifest = {
  version: 1,
  governance: {
    owners: { teams: ["acme/gov"], users: [] },
    approvals: 1,
    policy: "docs/ai-policy.md",
    branches: [],
  },
  invalidateOnPush: "governed",
  committersCanApprove: false,
  requestReviews: "teams",
  systems: Array.from({ length: SYSTEMS }, (_, n) => system(n)),
};

// About half the files are governed; the rest sit next to governed paths without matching.
const shapes: Array<(n: number) => string> = [
  (n) => `models/sys-${n}/layers/block-${int(40)}/weights.bin`,
  (n) => `src/sys-${n}/pipeline/step_${int(30)}.py`,
  (n) => `src/sys-${n}/pipeline/README.txt`,
  (n) => `data/sys-${n}/part-${int(99)}.parquet`,
  (n) => `data/sys-${n}/raw/part-${int(99)}.parquet`,
  (n) => `prompts/sys-${n}/en/.drafts/template-${int(20)}.md`,
  (n) => `prompts/sys-${n}/en/template-${int(20)}.txt`,
  () => `src/app/components/widget-${int(500)}.tsx`,
  () => `docs/guide/chapter-${int(50)}.md`,
  () => `test/unit/case-${int(900)}.test.ts`,
  () => `.github/workflows/ci-${int(5)}.yml`,
];
const files: ChangedFile[] = Array.from({ length: FILES }, (_, i) => {
  const path = pick(shapes)(int(SYSTEMS + 20)); // some ids have no system at all
  if (i % 25 === 0) {
    return { path: `attic/${i}/${path.split("/").pop()}`, previousPath: path, status: "renamed" };
  }
  return { path, status: pick(["added", "modified", "modified", "removed"] as const) };
});

type Answer = Map<string, { kinds: string; files: number }>;

/** Every glob of the manifest, flat: the naive loops test each one against each path. */
const globs = manifest.systems.flatMap((s, system) =>
  PATH_KINDS.flatMap((kind) => (s.paths[kind] ?? []).map((glob) => ({ system, kind, glob }))),
);

/** The reference answer, testing every (file, glob) pair with the given predicate. */
function naive(test: (path: string, globIndex: number) => boolean): Answer {
  const hits = new Map<number, { kinds: Set<PathKind>; files: Set<number> }>();
  for (let f = 0; f < files.length; f++) {
    const file = files[f] as ChangedFile;
    for (let g = 0; g < globs.length; g++) {
      const { system, kind } = globs[g] as (typeof globs)[number];
      const matched =
        test(file.path, g) || (file.previousPath !== undefined && test(file.previousPath, g));
      if (!matched) continue;
      let hit = hits.get(system);
      if (!hit) {
        hit = { kinds: new Set<PathKind>(), files: new Set<number>() };
        hits.set(system, hit);
      }
      hit.kinds.add(kind);
      hit.files.add(f);
    }
  }
  const answer: Answer = new Map();
  for (const [index, hit] of [...hits].sort((a, b) => a[0] - b[0])) {
    const kinds = PATH_KINDS.filter((k) => hit.kinds.has(k)).join(",");
    answer.set(manifest.systems[index]?.id ?? "", { kinds, files: hit.files.size });
  }
  return answer;
}

const compiled = compileMatcher(manifest);
function ours(): Answer {
  const answer: Answer = new Map();
  for (const a of matchChanges(compiled, files)) {
    answer.set(a.id, { kinds: a.kinds.join(","), files: a.files.length + a.moreFiles });
  }
  return answer;
}

const naiveMinimatch = () =>
  naive((path, g) => minimatch(path, globs[g]?.glob ?? "", { dot: true }));

const matchers = globs.map(({ glob }) => picomatch(glob, { dot: true }));
const naivePicomatch = () => naive((path, g) => matchers[g]?.(path) ?? false);

function timed(
  rounds: number,
  work: () => Answer,
  warmUp = true,
): { median: number; answer: Answer } {
  let answer: Answer = warmUp ? work() : new Map();
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    answer = work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)] ?? Number.NaN, answer };
}

function same(a: Answer, b: Answer): boolean {
  return JSON.stringify([...a]) === JSON.stringify([...b]);
}

const compileStart = process.hrtime.bigint();
compileMatcher(manifest);
const compileMs = Number(process.hrtime.bigint() - compileStart) / 1e6;

const fast = timed(FAST_ROUNDS, ours);
const pico = timed(NAIVE_ROUNDS, naivePicomatch, false);
const mini = timed(NAIVE_ROUNDS, naiveMinimatch, false);

if (!same(fast.answer, mini.answer) || !same(fast.answer, pico.answer)) {
  console.error("matchChanges disagrees with the naive loop");
  console.error(JSON.stringify({ ours: [...fast.answer], naive: [...mini.answer] }).slice(0, 2000));
  process.exit(1);
}

const ratio = mini.median / fast.median;
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
console.log(
  `${FILES} changed files × ${SYSTEMS} systems × 4 globs; ${fast.answer.size} systems affected (same answer from all three)`,
);
console.log(`compileMatcher (once per manifest):        ${fmt(compileMs)}`);
console.log(`matchChanges median of ${FAST_ROUNDS}:              ${fmt(fast.median)}`);
console.log(
  `naive picomatch, precompiled, median of ${NAIVE_ROUNDS}: ${fmt(pico.median)}  (${(pico.median / fast.median).toFixed(1)}× slower)`,
);
console.log(
  `naive minimatch per pair, median of ${NAIVE_ROUNDS}:     ${fmt(mini.median)}  (${ratio.toFixed(1)}× slower)`,
);

// Dead-glob detection on the same manifest (as YAML text, so findings are located) and the
// same 3000 paths as the repository's tree.
const manifestText = stringify({
  version: 1,
  governance: { owners: { teams: ["acme/gov"] }, policy: "docs/ai-policy.md" },
  systems: manifest.systems.map((s) => ({
    id: s.id,
    name: s.name,
    purpose: s.purpose,
    owner: s.owner,
    lifecycle: s.lifecycle,
    // A tier that needs no assessment file: the paths are what is measured.
    tier: "minimal",
    paths: s.paths,
    approvers: s.approvers,
  })),
});
const parsedManifest = parseManifest(manifestText);
if (!parsedManifest.ok) throw new Error(JSON.stringify(parsedManifest.errors.slice(0, 3)));
const treePaths = [...files.map((f) => f.path), "docs/ai-policy.md"];
let deadCount = 0;
const dead = timed(FAST_ROUNDS, () => {
  const findings = findDeadPaths(
    parsedManifest.manifest,
    { file: ".github/ai-governance.yml", text: manifestText },
    repositoryTree(treePaths),
  );
  deadCount = findings.length;
  return new Map();
});
// The usual case: every glob matches (one file added under each), nothing to locate.
const liveTreePaths = [
  ...treePaths,
  ...manifest.systems.flatMap((_system, n) => [
    `models/sys-${n}/live.bin`,
    `src/sys-${n}/live.py`,
    `data/sys-${n}/live.parquet`,
    `prompts/sys-${n}/live.md`,
  ]),
];
let liveCount = 0;
const live = timed(FAST_ROUNDS, () => {
  liveCount = findDeadPaths(
    parsedManifest.manifest,
    { file: ".github/ai-governance.yml", text: manifestText },
    repositoryTree(liveTreePaths),
  ).length;
  return new Map();
});
if (liveCount !== 0) throw new Error(`${liveCount} dead paths where every glob matches`);
const vs = (ms: number) => `${(ms / fast.median).toFixed(1)}× matchChanges`;
console.log(
  `findDeadPaths, every glob matching (tree of ${liveTreePaths.length} files indexed), median of ${FAST_ROUNDS}: ${fmt(live.median)}  (${vs(live.median)}: the added cost of dead-glob detection)`,
);
console.log(
  `findDeadPaths, ${deadCount} dead globs suggested and located (tree of ${treePaths.length} files), median of ${FAST_ROUNDS}: ${fmt(dead.median)}  (${vs(dead.median)}; locating re-reads the ${manifestText.split("\n").length}-line manifest once)`,
);

const ok = ratio >= GOAL_RATIO && fast.median < GOAL_MS;
console.log(
  `goal ≥ ${GOAL_RATIO}× faster than naive minimatch and < ${GOAL_MS} ms: ${ok ? "met" : "NOT met"}`,
);
timingGoal(ok);
