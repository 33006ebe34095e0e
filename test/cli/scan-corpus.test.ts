import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  aigate,
  type CorpusEntry,
  git,
  loadCorpus,
  materialise,
  measure,
  named,
  SCAN_AND_WRITE,
} from "../support/scan-corpus.js";

/**
 * `aigate init --scan` on public repositories no one here wrote (test/fixtures/scan-corpus),
 * each checked against what its maintainer would declare.
 */

const corpus = loadCorpus();
const parent = mkdtempSync(join(tmpdir(), "aigate-scan-corpus-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

const byName = (name: string): CorpusEntry => {
  const entry = corpus.find((e) => e.name === name);
  if (!entry) throw new Error(`no corpus entry ${name}`);
  return entry;
};

interface ScanJson {
  listed: number;
  governed: number;
  systems: Array<{
    id: string;
    root: string;
    globs: Array<{ kind: string; glob: string; files: number; evidence: string[] }>;
  }>;
  leftOut: Array<{ path: string; files: number; reason: string }>;
}

describe("aigate init --scan on the corpus of real repositories", () => {
  it("holds at least 8 repositories, each fixture pinned to a commit", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(8);
    for (const entry of corpus) expect(entry.fixture.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it.each(corpus.map((e) => [e.name, e] as const))(
    "%s: proposes the expected systems, governs every must-govern file and no must-not file",
    (_name, entry) => {
      const dir = materialise(entry, parent);
      const json = aigate(dir, ["init", "--scan", "--json"]);
      expect(json.code, json.stderr).toBe(0);
      const scan = JSON.parse(json.stdout) as ScanJson;
      expect(scan.listed).toBe(Object.keys(entry.fixture.files).length);
      for (const system of scan.systems) {
        for (const g of system.globs) expect(g.evidence.length, g.glob).toBeGreaterThan(0);
      }
      const figures = measure(entry, dir);
      expect(figures.systems).toEqual([...entry.expectation.systems].sort());
      expect(figures.missed).toEqual([]);
      expect(figures.wronglyGoverned).toEqual([]);
    },
  );

  it("yolov5: one system; models, datasets and hyperparameters by folder; tests left out, with why", () => {
    const dir = materialise(byName("yolov5"), join(parent, "json"));
    const scan = JSON.parse(aigate(dir, ["init", "--scan", "--json"]).stdout) as ScanJson;
    expect(scan.systems.map((s) => s.id)).toEqual(["yolov5"]);
    const globs = scan.systems[0]?.globs ?? [];
    expect(globs).toContainEqual(
      expect.objectContaining({
        kind: "model",
        glob: "models/**",
        evidence: expect.arrayContaining(["models/", "torch"]),
      }),
    );
    expect(globs).toContainEqual(expect.objectContaining({ kind: "data", glob: "data/**" }));
    expect(globs).toContainEqual(expect.objectContaining({ kind: "model", glob: "utils/**/*.py" }));
    expect(scan.leftOut).toContainEqual({
      path: "tests/",
      files: 3,
      reason: "tests, fixtures and test data are never governed",
    });
  });

  it("novel: a UI that only calls a model API is left out, with the package it belongs to", () => {
    const dir = materialise(byName("novel"), join(parent, "json"));
    const scan = JSON.parse(aigate(dir, ["init", "--scan", "--json"]).stdout) as ScanJson;
    expect(scan.systems.map((s) => [s.id, s.root])).toEqual([["web", "apps/web"]]);
    expect(scan.leftOut).toContainEqual(
      expect.objectContaining({
        path: "packages/headless/",
        reason: "a package with no AI evidence",
      }),
    );
  });

  // As a new user would: init --scan --write, then a one-line change to each file that defines
  // the model, its training data or its training configuration, then check. One change holds
  // them all; check counts every governed file it touches (beyond the 20 it names), so the
  // count equals the number of files changed only if each one is gated.
  it.each(["nanoGPT", "yolov5"])(
    "%s: after init --scan --write, a one-line change to each must-govern file is gated by check",
    (name) => {
      const entry = byName(name);
      const dir = materialise(entry, join(parent, "check"));
      const write = aigate(dir, SCAN_AND_WRITE);
      expect(write.code, write.stderr).toBe(0);
      git(dir, "add", "-A");
      git(dir, "commit", "-q", "-m", "govern the AI systems");
      git(dir, "checkout", "-q", "-b", "change");
      const changed = named(entry, entry.expectation.must_govern);
      for (const file of changed) appendFileSync(join(dir, file), "\n# one line changed\n");
      git(dir, "commit", "-q", "-am", "change every file that defines the model or its data");
      const check = aigate(dir, ["check", "--base", "main", "--json"]);
      expect(check.stderr).toBe("");
      const decision = JSON.parse(check.stdout) as {
        affected: Array<{ id: string; files: Array<{ path: string }>; moreFiles: number }>;
      };
      const systems = decision.affected.filter((s) => s.id !== "aigate:manifest");
      expect(systems.map((s) => s.id)).toEqual(entry.expectation.systems);
      const gated = systems.reduce((n, s) => n + s.files.length + s.moreFiles, 0);
      expect(gated).toBe(changed.length);
      for (const s of systems) for (const f of s.files) expect(changed).toContain(f.path);

      // and one file alone: the training data script nanoGPT's first proposal missed
      git(dir, "checkout", "-q", "-B", "one", "main");
      const one = changed.find((f) => f.startsWith("data/")) ?? "";
      appendFileSync(join(dir, one), "\n# one line changed\n");
      git(dir, "commit", "-q", "-am", `change ${one}`);
      const text = aigate(dir, ["check", "--base", "main"]).stdout;
      expect(text).not.toContain("No AI systems affected");
      expect(text).toContain(`${one} [modified]`);
    },
    120_000,
  );
});
