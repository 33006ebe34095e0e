import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { findExecutable, type Prerequisite, suiteNeeds } from "./prerequisites.js";

const dirs: string[] = [];
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function binDir(...names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "aigate-bin-"));
  dirs.push(dir);
  for (const name of names) {
    writeFileSync(join(dir, name), "#!/bin/sh\n");
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

const THING: Prerequisite = {
  what: "thing-server",
  executables: ["thing-server"],
  install: "apt-get install thing-server",
  insteadEnv: "AIGATE_TEST_THING_URL",
};

describe("suites that need a system program", () => {
  it("finds an executable on PATH, skipping folders without it and files that are not executable", () => {
    const empty = binDir();
    const notExecutable = binDir();
    writeFileSync(join(notExecutable, "thing-server"), "");
    const real = binDir("thing-server");
    const path = [empty, notExecutable, real].join(delimiter);
    expect(findExecutable(["thing-server"], path)).toBe(join(real, "thing-server"));
    expect(findExecutable(["thing-server"], empty)).toBeUndefined();
  });

  it("skips a suite outside CI with one line naming the suite and how to install what it needs", () => {
    vi.stubEnv("PATH", binDir());
    vi.stubEnv("CI", "");
    vi.stubEnv("AIGATE_TEST_THING_URL", "");
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((text) => {
      lines.push(String(text));
      return true;
    });
    expect(suiteNeeds(import.meta.url, THING, "the thing suite")).toEqual({ skip: true });
    expect(lines).toEqual([
      "skipped test/support/prerequisites.test.ts (the thing suite): it needs thing-server, not found on PATH — to run it: apt-get install thing-server\n",
    ]);
  });

  it("fails under CI=true instead of skipping", () => {
    vi.stubEnv("PATH", binDir());
    vi.stubEnv("CI", "true");
    vi.stubEnv("AIGATE_TEST_THING_URL", "");
    expect(() => suiteNeeds(import.meta.url, THING)).toThrow(
      "test/support/prerequisites.test.ts needs thing-server, which is not on PATH, and CI=true runs every suite: apt-get install thing-server",
    );
  });

  it("runs the suite when the program is on PATH, or when the variable that replaces it is set", () => {
    const dir = binDir("thing-server");
    vi.stubEnv("PATH", dir);
    expect(suiteNeeds(import.meta.url, THING)).toEqual({
      skip: false,
      executable: join(dir, "thing-server"),
    });
    vi.stubEnv("PATH", binDir());
    vi.stubEnv("AIGATE_TEST_THING_URL", "redis://127.0.0.1:1");
    expect(suiteNeeds(import.meta.url, THING)).toEqual({ skip: false });
  });
});
