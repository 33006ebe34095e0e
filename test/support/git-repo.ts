import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = join(ROOT, "bin", "aigate.js");
export const DEMO = join(ROOT, "examples", "demo");

const IDENTITY = {
  GIT_AUTHOR_NAME: "Dana Developer",
  GIT_AUTHOR_EMAIL: "dana@example.com",
  GIT_COMMITTER_NAME: "Dana Developer",
  GIT_COMMITTER_EMAIL: "dana@example.com",
};

/** A real git repository in a temporary folder, for tests of the CLI. */
export class TempRepo {
  readonly dir: string;

  constructor(prefix = "aigate-test-") {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

  /** A repository holding a copy of the demo example committed on `main`. */
  static fromDemo(): TempRepo {
    const repo = new TempRepo();
    cpSync(DEMO, repo.dir, { recursive: true });
    repo.git("init", "-q", "-b", "main");
    repo.git("add", "-A");
    repo.git("commit", "-q", "-m", "demo");
    return repo;
  }

  git(...args: string[]): string {
    return execFileSync("git", args, {
      cwd: this.dir,
      encoding: "utf8",
      env: { ...process.env, ...IDENTITY },
    });
  }

  write(path: string, content: string): void {
    const full = join(this.dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }

  read(path: string): string {
    return readFileSync(join(this.dir, path), "utf8");
  }

  /** Replaces text in a file, failing loudly when the text is not there (a fixture drifted). */
  edit(path: string, from: string, to: string): void {
    const text = this.read(path);
    if (!text.includes(from)) throw new Error(`${path} does not contain ${JSON.stringify(from)}`);
    this.write(path, text.replace(from, to));
  }

  commitAll(message: string): void {
    this.git("add", "-A");
    this.git("commit", "-q", "-m", message);
  }

  branch(name: string): void {
    this.git("checkout", "-q", "-b", name);
  }

  /** Runs the built CLI here; `now` fixes the evaluation date. */
  aigate(
    args: string[],
    now = "2026-11-27T12:00:00Z",
  ): { code: number | null; stdout: string; stderr: string } {
    const run = spawnSync(process.execPath, [CLI, ...args], {
      cwd: this.dir,
      encoding: "utf8",
      env: { ...process.env, AIGATE_NOW: now },
    });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
