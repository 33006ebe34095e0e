/**
 * The bundled Action's `mode: register` run as a child process on a `schedule` event, as a
 * runner would, against the simulated GitHub: one tracking issue, written only when what is
 * due changes, closed when nothing is left.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { governedRepository, type SimRepo, systemId } from "../../sim/index.js";
import type { Register } from "../../src/core/register/index.js";
import { type BundleRun, runBundle, useRunner } from "./runner.js";

const runner = useRunner("aigate-action-register-");

/** Runs the bundle on a schedule event in `repository`, with the given inputs. */
async function runRegister(
  repository: string,
  inputs: Record<string, string> = {},
): Promise<BundleRun & { writes: string[] }> {
  const run = await runBundle(runner, {
    name: "schedule",
    payload: { schedule: "0 6 * * 1" },
    repository,
    inputs: { mode: "register", ...inputs },
  });
  const writes = run.requests.filter((r) => r.method !== "GET").map((r) => r.operationId ?? r.path);
  return { ...run, writes };
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
    repo = governedRepository(runner.sim, "acme", "models", {
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
    const a = governedRepository(runner.sim, "acme", "alpha", {
      reviewBy: "2020-03-31",
      assessedAt: OLD,
    });
    const b = governedRepository(runner.sim, "acme", "beta", { reviewBy: "2099-03-31" });
    const central = governedRepository(runner.sim, "acme", "governance", { systems: 0 });
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
    const failing = governedRepository(runner.sim, "acme", "strict", {
      reviewBy: "2020-04-30",
      assessedAt: OLD,
    });
    const run = await runRegister(failing.fullName, { "fail-on": "gates" });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain("1 expired, 0 missing and 0 invalid assessment(s)");
    expect(failing.issues.size).toBe(1);
  });

  it("fails the job, naming the call, when the token may not write the issue", async () => {
    const locked = governedRepository(runner.sim, "acme", "locked", {
      reviewBy: "2020-05-31",
      assessedAt: OLD,
    });
    runner.sim.failNext("issues/create", 403, 1, {
      message: "Resource not accessible by integration",
    });
    const run = await runRegister(locked.fullName);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(
      /aigate could not keep the tracking issue in acme\/locked: GitHub 403 on POST \/repos\/acme\/locked\/issues/,
    );
  });
});
