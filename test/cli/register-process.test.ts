/**
 * `aigate register` as a person runs it: the built CLI in a child process against the simulated
 * GitHub. An interrupted run leaves the previous output in place; on a terminal the progress is
 * a bar (driven through a real pseudo-terminal), elsewhere plain lines.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type GitHubSim,
  governedRepository,
  startGitHubSimulator,
  systemId,
} from "../../sim/index.js";
import { CLI } from "../support/git-repo.js";
import { SCRIPT, suiteNeeds } from "../support/prerequisites.js";

const TOKEN = "ghp_registerprocesstoken0123456789abcdef";
const PTY_SUITE = "the progress bar on a terminal";
const script = suiteNeeds(import.meta.url, SCRIPT, PTY_SUITE);

let sim: GitHubSim;
let dir: string;

beforeAll(async () => {
  sim = await startGitHubSimulator();
  dir = mkdtempSync(join(tmpdir(), "aigate-register-process-"));
});

afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cliEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: sim.apiUrl,
    AIGATE_NOW: "2026-11-27",
  };
}

/** Runs the built CLI to its end. */
function aigate(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: dir, env: cliEnv(), timeout: 60_000 },
      (error, _stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr });
      },
    );
  });
}

/** Resolves once the child's standard error contains `pattern`. */
function waitForStderr(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      if (pattern.test(text)) resolve(text);
    });
    child.on("exit", (code, signal) =>
      reject(new Error(`exited (${code ?? signal}) before ${pattern}: ${text}`)),
    );
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
    } else child.on("exit", (code, signal) => resolve({ code, signal }));
  });
}

function setReviewBy(owner: string, name: string, date: string): void {
  const repo = sim.state.repo(owner, name);
  const path = `governance/assessments/${systemId(name, 0)}.yml`;
  const text = repo?.fileAt("main", path)?.content ?? "";
  repo?.commit("main", { files: { [path]: text.replace(/review_by: .*/, `review_by: ${date}`) } });
}

describe("an interrupted aigate register run", () => {
  const ORG = "interrupted";
  const REPOSITORIES = 6;
  const names = Array.from({ length: REPOSITORIES }, (_, i) => `service-${i}`);

  beforeAll(() => {
    sim.state.setNow(new Date("2026-06-30T09:00:00Z"));
    for (const name of names) governedRepository(sim, ORG, name, { systems: 2 });
  });

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`killed with ${signal} while GitHub is slow to answer: the previous file is left whole, and nothing else is written`, async () => {
      const out = mkdtempSync(join(dir, `${signal}-`));
      const file = join(out, "register.json");
      const args = ["register", "--org", ORG, "--no-cache", "--out", file];
      const first = await aigate(args);
      expect(first.code, first.stderr).toBe(0);
      const before = readFileSync(file, "utf8");
      expect(JSON.parse(before)).toMatchObject({ totals: { systems: 2 * REPOSITORIES } });

      // What the next run would write differs, so a file it wrote could not pass for the old one.
      setReviewBy(ORG, names[0] ?? "", "2027-01-31");
      // The last three repositories answer their first read only after the run is killed.
      const slow = new Set(names.slice(3));
      sim.slowNext(
        (r) =>
          r.operationId === "git/get-ref" &&
          [...slow].some((name) => r.path.includes(`/repos/${ORG}/${name}/`)),
        15_000,
        slow.size,
      );
      const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: cliEnv() });
      await waitForStderr(child, /\[3\/6\] interrupted\//);
      child.kill(signal);
      expect(await exited(child)).toEqual({ code: null, signal });

      expect(readFileSync(file, "utf8")).toBe(before);
      expect(readdirSync(out)).toEqual(["register.json"]);

      // A run that is not interrupted writes the change.
      const after = await aigate(args);
      expect(after.code, after.stderr).toBe(0);
      expect(readFileSync(file, "utf8")).not.toBe(before);
      expect(readFileSync(file, "utf8")).toContain('"review_by": "2027-01-31"');
      expect(readdirSync(out)).toEqual(["register.json"]);
    });
  }
});

describe.skipIf(script.skip)(PTY_SUITE, () => {
  const ORG = "terminal";

  beforeAll(() => {
    sim.state.setNow(new Date("2026-06-30T09:00:00Z"));
    for (let i = 0; i < 4; i++) governedRepository(sim, ORG, `app-${i}`);
  });

  /** Runs the built CLI with standard output and error on a pseudo-terminal, as a person would. */
  function onTerminal(args: string[]): Promise<{ code: number; screen: string }> {
    const command = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(" ");
    return new Promise((resolve) => {
      execFile(
        script.executable ?? "script",
        ["--quiet", "--return", "--command", command, "/dev/null"],
        { cwd: dir, env: { ...cliEnv(), TERM: "xterm" }, timeout: 60_000 },
        (error, stdout) => {
          resolve({
            code: error ? Number((error as { code?: number }).code ?? 1) : 0,
            screen: stdout,
          });
        },
      );
    });
  }

  it("draws a bar that counts the repositories, clears it, and ends with the summary line", async () => {
    // Slow answers, so the bar is redrawn while the repositories are read.
    sim.setLatency(150);
    let run: { code: number; screen: string };
    try {
      run = await onTerminal(["register", "--org", ORG, "--no-cache", "--out", "terminal.json"]);
    } finally {
      sim.setLatency(0);
    }
    expect(run.code, run.screen).toBe(0);
    const frames = run.screen.match(/aigate: reading organisation terminal \[[=-]+\] \d\/4/g) ?? [];
    expect(frames.length).toBeGreaterThan(1);
    expect(frames[0]).toMatch(/ 0\/4$/);
    expect(frames.at(-1)).toMatch(/ 4\/4$/);
    expect(run.screen).toMatch(/\] [1-4]\/4 terminal\/app-\d/);
    // Cleared on completion (erase line), the cursor shown again, before the summary lines.
    const visible = run.screen.replaceAll("\u001b", "<ESC>");
    expect(visible).toMatch(
      / 4\/4 [^\n]*<ESC>\[\?25h[^\n]*<ESC>\[2Kaigate: wrote terminal\.json\r\n/,
    );
    // No plain progress lines on a terminal: those are for logs.
    expect(run.screen).not.toMatch(/aigate: \[\d\/4\]/);
    expect(run.screen).toContain(
      "aigate: 4 AI system(s) in 4 governed of 4 repository(ies); 0 assessment(s) expired, missing or invalid",
    );
    expect(run.screen).not.toContain(TOKEN);
  });

  it("writes plain lines, one a repository, when standard error is not a terminal", async () => {
    const run = await aigate(["register", "--org", ORG, "--no-cache", "--out", "plain.json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/\[[=-]+\]/);
    expect(run.stderr.match(/^aigate: \[\d\/4\] terminal\/app-\d: manifest read$/gm)).toHaveLength(
      4,
    );
  });
});
