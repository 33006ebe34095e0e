/**
 * The bundled Action's `mode: register` run as a child process on a `schedule` event, as a
 * runner would, against the simulated GitHub: one tracking issue, written only when what is
 * due changes, closed when nothing is left.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GITHUB_ACTIONS_APP,
  type GitHubSim,
  governedRepository,
  type SimRepo,
  startGitHubSimulator,
  systemId,
} from "../../sim/index.js";
import type { Register } from "../../src/core/register/index.js";
import { ROOT } from "../support/git-repo.js";

const BUNDLE = join(ROOT, "action", "dist", "index.js");

let sim: GitHubSim;
let work: string;
beforeAll(async () => {
  if (!existsSync(BUNDLE)) throw new Error("action/dist/index.js is missing: run `npm run bundle`");
  sim = await startGitHubSimulator();
  sim.state.addToken("workflow-token", { app: GITHUB_ACTIONS_APP });
  work = mkdtempSync(join(tmpdir(), "aigate-action-register-"));
});
afterAll(async () => {
  await sim?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface ActionRun {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  writes: string[];
}

let runs = 0;

/** Runs the bundle on a schedule event in `repository`, with the given inputs. */
async function runRegister(
  repository: string,
  inputs: Record<string, string> = {},
): Promise<ActionRun> {
  const n = ++runs;
  const eventPath = join(work, `event-${n}.json`);
  const outputPath = join(work, `output-${n}`);
  const summaryPath = join(work, `summary-${n}.md`);
  writeFileSync(eventPath, JSON.stringify({ schedule: "0 6 * * 1" }));
  writeFileSync(outputPath, "");
  writeFileSync(summaryPath, "");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GITHUB_ACTIONS: "true",
    CI: "true",
    GITHUB_EVENT_NAME: "schedule",
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: repository,
    GITHUB_API_URL: sim.apiUrl,
    GITHUB_SERVER_URL: sim.url,
    GITHUB_GRAPHQL_URL: `${sim.apiUrl}/graphql`,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_RUN_ID: String(2000 + n),
    RUNNER_TEMP: join(work, `temp-${n}`),
  };
  for (const [name, value] of Object.entries({
    token: "workflow-token",
    mode: "register",
    ...inputs,
  })) {
    env[`INPUT_${name.toUpperCase()}`] = value;
  }
  const mark = sim.requests.length;
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    execFile(process.execPath, [BUNDLE], { env, cwd: work, timeout: 60_000 }, (error, out) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: String(out) });
    });
  });
  const outputs: Record<string, string> = {};
  for (const m of readFileSync(outputPath, "utf8").matchAll(
    /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm,
  )) {
    outputs[m[1] ?? ""] = m[3] ?? "";
  }
  return {
    code,
    stdout,
    outputs,
    summary: readFileSync(summaryPath, "utf8"),
    writes: sim.requests
      .slice(mark)
      .filter((r) => r.method !== "GET")
      .map((r) => r.operationId ?? r.path),
  };
}

/** A date `days` from today (UTC), as the Action's clock sees it. */
function fromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** An assessment date before every review date the tests use. */
const OLD = "2019-12-31";

const assessmentPath = (repo: string, i: number) =>
  `governance/assessments/${systemId(repo, i)}.yml`;

function setReviewBy(repo: SimRepo, i: number, date: string): void {
  const path = assessmentPath(repo.name, i);
  const text = repo.fileAt("main", path)?.content ?? "";
  repo.commit("main", { files: { [path]: text.replace(/review_by: .*/, `review_by: ${date}`) } });
}

describe("the Action's mode: register on a schedule", () => {
  let repo: SimRepo;

  beforeAll(() => {
    repo = governedRepository(sim, "acme", "models", {
      systems: 3,
      assessedAt: OLD,
      reviewByOf: {
        [systemId("models", 0)]: "2020-01-31",
        [systemId("models", 1)]: fromToday(10),
        [systemId("models", 2)]: "2099-12-31",
      },
    });
  });

  it("writes the register to the job summary and as files, and opens one tracking issue", async () => {
    const run = await runRegister(repo.fullName);
    expect(run.code, run.stdout).toBe(0);
    expect(run.summary).toContain("# AI system register");
    expect(run.summary).toContain(`| acme/models | ${systemId("models", 0)} |`);
    const register = JSON.parse(
      readFileSync(run.outputs["register-json"] ?? "", "utf8"),
    ) as Register;
    expect(register.systems.map((s) => s.assessment.status)).toEqual([
      "expired",
      "expiring",
      "current",
    ]);
    expect(readFileSync(run.outputs["register-html"] ?? "", "utf8")).toContain("<!doctype html>");
    expect(run.outputs["assessments-due"]).toBe("2");

    const issues = [...repo.issues.values()];
    expect(issues).toHaveLength(1);
    const issue = issues[0];
    expect(run.outputs["tracking-issue"]).toBe(String(issue?.number));
    expect(issue).toMatchObject({ state: "open", labels: ["aigate-register"], edits: 0 });
    expect(issue?.title).toBe("AI governance: risk assessments expired or due");
    expect(issue?.body).toContain(
      `| acme/models | ${systemId("models", 0)} | @acme/models | **expired** | 2020-01-31 |`,
    );
    expect(issue?.body).toContain(`| ${systemId("models", 1)} | @acme/models | **expiring** |`);
    expect(issue?.body).not.toContain(systemId("models", 2));
    expect(run.writes).toEqual(["issues/create-label", "issues/create"]);
    expect(run.stdout).toContain("opened tracking issue acme/models#");
  });

  it("run again with nothing changed: the same issue, not written to", async () => {
    const run = await runRegister(repo.fullName);
    expect(run.code, run.stdout).toBe(0);
    expect(run.writes).toEqual([]);
    expect([...repo.issues.values()].map((i) => [i.state, i.edits])).toEqual([["open", 0]]);
    expect(run.stdout).toContain("is up to date");
  });

  it("updates the issue in place, once, when what is due changes", async () => {
    setReviewBy(repo, 0, "2099-06-30");
    const run = await runRegister(repo.fullName);
    expect(run.writes).toEqual(["issues/update"]);
    const [issue] = [...repo.issues.values()];
    expect(issue?.edits).toBe(1);
    expect(issue?.body).not.toContain(systemId("models", 0));
    expect(issue?.body).toContain(systemId("models", 1));
    expect((await runRegister(repo.fullName)).writes).toEqual([]);
  });

  it("closes the issue when nothing is left to list, and reopens the same one later", async () => {
    setReviewBy(repo, 1, "2099-06-30");
    const closed = await runRegister(repo.fullName);
    expect(closed.writes).toEqual(["issues/update"]);
    expect([...repo.issues.values()].map((i) => i.state)).toEqual(["closed"]);
    expect(closed.outputs["assessments-due"]).toBe("0");
    expect((await runRegister(repo.fullName)).writes).toEqual([]);

    setReviewBy(repo, 2, "2020-02-29");
    const reopened = await runRegister(repo.fullName);
    expect(reopened.writes).toEqual(["issues/update"]);
    expect([...repo.issues.values()].map((i) => i.state)).toEqual(["open"]);
  });

  it("keeps the issue of several repositories in one central repository", async () => {
    const a = governedRepository(sim, "acme", "alpha", {
      reviewBy: "2020-03-31",
      assessedAt: OLD,
    });
    const b = governedRepository(sim, "acme", "beta", { reviewBy: "2099-03-31" });
    const central = governedRepository(sim, "acme", "governance", { systems: 0 });
    const run = await runRegister(central.fullName, {
      repositories: `${a.fullName}\n${b.fullName}`,
      "tracking-repo": central.fullName,
    });
    expect(run.code, run.stdout).toBe(0);
    expect(a.issues.size + b.issues.size).toBe(0);
    const [issue] = [...central.issues.values()];
    expect(issue?.body).toContain(`| acme/alpha | ${systemId("alpha", 0)} |`);
    expect(issue?.body).not.toContain("| acme/beta |");
  });

  it("fails the job with fail-on: gates when an assessment is expired; the issue is kept all the same", async () => {
    const failing = governedRepository(sim, "acme", "strict", {
      reviewBy: "2020-04-30",
      assessedAt: OLD,
    });
    const run = await runRegister(failing.fullName, { "fail-on": "gates" });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain("1 expired, 0 missing and 0 invalid assessment(s)");
    expect(failing.issues.size).toBe(1);
  });

  it("fails the job, naming the call, when the token may not write the issue", async () => {
    const locked = governedRepository(sim, "acme", "locked", {
      reviewBy: "2020-05-31",
      assessedAt: OLD,
    });
    sim.failNext("issues/create", 403, 1, { message: "Resource not accessible by integration" });
    const run = await runRegister(locked.fullName);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(
      /aigate could not keep the tracking issue in acme\/locked: GitHub 403 on POST \/repos\/acme\/locked\/issues/,
    );
  });
});
