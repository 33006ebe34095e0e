import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import picomatch from "picomatch";
import { parse } from "yaml";
import { z } from "zod";
import { parseManifest } from "../../src/core/manifest/parse.js";
import { MANIFEST_PATH } from "../../src/core/manifest/schema.js";
import { compileMatcher, touchesGoverned } from "../../src/core/match.js";
import { ROOT } from "./git-repo.js";

/**
 * The scan corpus (test/fixtures/scan-corpus): public repositories reduced to their file list
 * and the text the scan reads, each with a maintainer's expectation. Shared by the corpus test
 * and `npm run bench -- scan`.
 */

let root = ROOT;

/** The project root, for a caller bundled elsewhere (the benchmark runs from a build cache). */
export function useProjectRoot(dir: string): void {
  root = dir;
}

const corpusDir = () => join(root, "test", "fixtures", "scan-corpus");

const FixtureSchema = z.object({
  repository: z.string(),
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  files: z.record(z.string(), z.string().nullable()),
});
export type Fixture = z.infer<typeof FixtureSchema>;

const ExpectationSchema = z.object({
  kind: z.string(),
  systems: z.array(z.string()),
  must_govern: z.array(z.string()),
  must_not: z.array(z.string()),
});
export type Expectation = z.infer<typeof ExpectationSchema>;

export interface CorpusEntry {
  name: string;
  fixture: Fixture;
  expectation: Expectation;
}

export function loadCorpus(): CorpusEntry[] {
  const expectations = z
    .record(z.string(), ExpectationSchema)
    .parse(parse(readFileSync(join(corpusDir(), "expectations.yaml"), "utf8")));
  return Object.entries(expectations).map(([name, expectation]) => ({
    name,
    expectation,
    fixture: FixtureSchema.parse(
      JSON.parse(readFileSync(join(corpusDir(), `${name}.json`), "utf8")),
    ),
  }));
}

const IDENTITY = {
  GIT_AUTHOR_NAME: "Dana Developer",
  GIT_AUTHOR_EMAIL: "dana@example.com",
  GIT_COMMITTER_NAME: "Dana Developer",
  GIT_COMMITTER_EMAIL: "dana@example.com",
};

export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, ...IDENTITY },
    maxBuffer: 1 << 28,
  });
}

/**
 * Writes a fixture as a real git repository at `parent/NAME`, every file committed on `main`
 * (`add -f`: the repository's own `.gitignore` files were committed beside what they ignore).
 * A file stored without text holds its own path, so each file has distinct content.
 */
export function materialise(entry: CorpusEntry, parent: string): string {
  const dir = join(parent, entry.name);
  for (const [path, text] of Object.entries(entry.fixture.files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text ?? `${path}\n`);
  }
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A", "-f");
  git(dir, "commit", "-q", "-m", `${entry.fixture.repository} at ${entry.fixture.commit}`);
  return dir;
}

export function aigate(
  dir: string,
  args: string[],
): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [join(root, "bin", "aigate.js"), ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, AIGATE_NOW: "2026-11-27T12:00:00Z" },
    maxBuffer: 1 << 28,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The files of a fixture an expectation's patterns name; a pattern that names none is an error. */
export function named(entry: CorpusEntry, patterns: readonly string[]): string[] {
  const paths = Object.keys(entry.fixture.files);
  const found = new Set<string>();
  for (const pattern of patterns) {
    const match = picomatch(pattern, { dot: true });
    const hits = paths.filter((p) => match(p));
    if (hits.length === 0)
      throw new Error(`${entry.name}: ${pattern} names no file of the fixture`);
    for (const hit of hits) found.add(hit);
  }
  return [...found].sort();
}

export interface CorpusFigures {
  name: string;
  systems: string[];
  mustGovern: string[];
  mustNot: string[];
  /** Must-govern files the written manifest leaves ungoverned. */
  missed: string[];
  /** Must-not files the written manifest governs. */
  wronglyGoverned: string[];
}

/** `aigate init --scan --write` as a maintainer runs it, with a tier, a team and an owner. */
export const SCAN_AND_WRITE = [
  "init",
  "--scan",
  "--write",
  "--tier",
  "limited",
  "--team",
  "acme/ml-risk",
  "--owner",
  "acme/ai-governance",
];

/**
 * Runs `aigate init --scan --write` in a materialised fixture and reads which files the
 * manifest it wrote governs, with the same matcher the gates use.
 */
export function measure(entry: CorpusEntry, dir: string): CorpusFigures {
  const write = aigate(dir, SCAN_AND_WRITE);
  if (write.code !== 0) throw new Error(`${entry.name}: init --scan --write: ${write.stderr}`);
  const parsed = parseManifest(readFileSync(join(dir, MANIFEST_PATH), "utf8"));
  if (!parsed.ok) {
    throw new Error(`${entry.name}: ${parsed.errors.map((e) => e.message).join("; ")}`);
  }
  const compiled = compileMatcher(parsed.manifest);
  const governed = (path: string) => touchesGoverned(compiled, [path]);
  const mustGovern = named(entry, entry.expectation.must_govern);
  const mustNot = named(entry, entry.expectation.must_not);
  return {
    name: entry.name,
    systems: parsed.manifest.systems.map((s) => s.id).sort(),
    mustGovern,
    mustNot,
    missed: mustGovern.filter((p) => !governed(p)),
    wronglyGoverned: mustNot.filter(governed),
  };
}
