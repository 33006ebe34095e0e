/**
 * The bundled Action (action/dist/index.js) run as a child process with the event file, the
 * environment variables and the files a GitHub runner sets, against the simulated GitHub on
 * loopback. Shared by the suites of both modes.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import {
  GITHUB_ACTIONS_APP,
  type GitHubSim,
  type RequestRecord,
  startGitHubSimulator,
} from "../../sim/index.js";
import { ROOT } from "../support/git-repo.js";

export const BUNDLE = join(ROOT, "action", "dist", "index.js");

/** The token a workflow's `GITHUB_TOKEN` is in these suites: it acts as the GitHub Actions app. */
export const WORKFLOW_TOKEN = "workflow-token";

export interface Runner {
  sim: GitHubSim;
  /** The runner's working folder, emptied when the suite ends. */
  work: string;
}

/**
 * Starts the simulated GitHub and a working folder before the suite's tests, and removes both
 * after. The returned object is filled in `beforeAll`.
 */
export function useRunner(prefix: string): Runner {
  const runner = {} as Runner;
  beforeAll(async () => {
    if (!existsSync(BUNDLE)) {
      throw new Error("action/dist/index.js is missing: run `npm run bundle`");
    }
    runner.sim = await startGitHubSimulator();
    runner.sim.state.addToken(WORKFLOW_TOKEN, { app: GITHUB_ACTIONS_APP });
    runner.work = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await runner.sim?.stop();
    if (runner.work) rmSync(runner.work, { recursive: true, force: true });
  });
  return runner;
}

export interface BundleRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** `GITHUB_OUTPUT`, by output name. */
  outputs: Record<string, string>;
  /** What the run wrote to `GITHUB_STEP_SUMMARY`. */
  summary: string;
  /** The requests the simulated GitHub answered during the run. */
  requests: RequestRecord[];
}

export interface BundleEvent {
  /** `GITHUB_EVENT_NAME`. */
  name: string;
  payload: unknown;
  /** `GITHUB_REPOSITORY`, OWNER/REPO. */
  repository: string;
  /** Inputs by their action.yml names; `token` defaults to the workflow token. */
  inputs: Record<string, string>;
  /** Further environment the runner sets (the OIDC token request, say). */
  env?: Record<string, string>;
  /** The bundle to run, when not action/dist/index.js (a copy with a file taken away, say). */
  bundle?: string;
}

let runs = 0;

/** Runs the bundle once, as the runner would, and reads back what it wrote. */
export async function runBundle(runner: Runner, event: BundleEvent): Promise<BundleRun> {
  const { sim, work } = runner;
  const n = ++runs;
  const eventPath = join(work, `event-${n}.json`);
  const outputPath = join(work, `output-${n}`);
  const summaryPath = join(work, `summary-${n}.md`);
  const runnerTemp = join(work, `temp-${n}`);
  mkdirSync(runnerTemp);
  writeFileSync(eventPath, JSON.stringify(event.payload));
  writeFileSync(outputPath, "");
  writeFileSync(summaryPath, "");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GITHUB_ACTIONS: "true",
    CI: "true",
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: event.repository,
    GITHUB_API_URL: sim.apiUrl,
    GITHUB_SERVER_URL: sim.url,
    GITHUB_GRAPHQL_URL: `${sim.apiUrl}/graphql`,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_WORKFLOW: "aigate",
    GITHUB_RUN_ID: String(1000 + n),
    GITHUB_ACTOR: "dave",
    RUNNER_TEMP: runnerTemp,
  };
  Object.assign(env, event.env ?? {});
  for (const [name, value] of Object.entries({ token: WORKFLOW_TOKEN, ...event.inputs })) {
    env[`INPUT_${name.toUpperCase()}`] = value;
  }
  const mark = sim.requests.length;
  const { code, stdout, stderr } = await new Promise<{
    code: number | null;
    stdout: string;
    stderr: string;
  }>((resolve) => {
    execFile(
      process.execPath,
      [event.bundle ?? BUNDLE],
      { env, cwd: work, timeout: 60_000 },
      (error, out, err) => {
        resolve({
          code: error ? ((error as { code?: number }).code ?? 1) : 0,
          stdout: String(out),
          stderr: String(err),
        });
      },
    );
  });
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(readFileSync(outputPath, "utf8")),
    summary: readFileSync(summaryPath, "utf8"),
    requests: sim.requests.slice(mark),
  };
}

/** GITHUB_OUTPUT's `name<<DELIMITER … DELIMITER` blocks. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1] ?? ""] = match[3] ?? "";
  return outputs;
}
