/**
 * System programs some suites need beyond Node and npm. `npm test` on a fresh machine skips
 * such a suite with one line saying how to install what it needs; under CI=true a missing
 * program fails the run instead, so CI never passes by skipping.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT } from "./git-repo.js";

export interface Prerequisite {
  /** What the suite needs, as a person would say it. */
  what: string;
  /** Executable names looked up on PATH, in order. */
  executables: readonly string[];
  /** How to install it. */
  install: string;
  /** An environment variable that makes the program unnecessary when set. */
  insteadEnv?: string;
}

export const REDIS_SERVER: Prerequisite = {
  what: "redis-server",
  executables: ["redis-server"],
  install:
    "apt-get install redis-server (macOS: brew install redis), or set AIGATE_TEST_REDIS_URL to a Redis the tests may use",
  insteadEnv: "AIGATE_TEST_REDIS_URL",
};

export const CHROMIUM: Prerequisite = {
  what: "Chromium",
  executables: ["chromium", "chromium-browser"],
  install: "apt-get install chromium (macOS: brew install --cask chromium)",
};

/** A pseudo-terminal for a child process: `script` from util-linux. */
export const SCRIPT: Prerequisite = {
  what: "script (util-linux)",
  executables: ["script"],
  install: "apt-get install util-linux (it ships script)",
};

/** The full path of the first of `names` found on PATH, if any. */
export function findExecutable(
  names: readonly string[],
  path = process.env.PATH ?? "",
): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export interface Availability {
  /** True when the suite must be skipped (never under CI=true). */
  skip: boolean;
  /** The executable found, when one was looked up and found. */
  executable?: string;
}

/**
 * Whether the suite in `suiteUrl` (its `import.meta.url`; `name` for one block of that file)
 * can run. When it cannot, outside CI, prints the one line that names the suite and how to
 * install what it needs; under CI=true it throws, failing the run.
 */
export function suiteNeeds(suiteUrl: string, need: Prerequisite, name?: string): Availability {
  if (need.insteadEnv && process.env[need.insteadEnv]) return { skip: false };
  const executable = findExecutable(need.executables);
  if (executable) return { skip: false, executable };
  const file = relative(ROOT, fileURLToPath(suiteUrl));
  const suite = name ? `${file} (${name})` : file;
  if (process.env.CI === "true") {
    throw new Error(
      `${suite} needs ${need.what}, which is not on PATH, and CI=true runs every suite: ${need.install}`,
    );
  }
  process.stderr.write(
    `skipped ${suite}: it needs ${need.what}, not found on PATH — to run it: ${need.install}\n`,
  );
  return { skip: true };
}
