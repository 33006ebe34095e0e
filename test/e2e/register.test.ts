/**
 * The register's counts from check runs, end to end: the real App writes its checks and signed
 * approvals on pull requests over signed webhooks, the pull requests are merged, and
 * `aigate register --with-check-runs --with-approvals` and `aigate soa --with-check-runs` read
 * back what the App wrote.
 */
import { createPublicKey } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { governedRepo, type Stack, startStack } from "../../sim/stack.js";
import { jwksFrom } from "../../src/core/attestation/index.js";
import type { Register } from "../../src/core/register/index.js";
import { runCli } from "../support/run-cli.js";
import { driver, modelChange } from "./driver.js";

let stack: Stack;
let dir: string;
beforeAll(async () => {
  stack = await startStack();
  dir = mkdtempSync(join(tmpdir(), "aigate-e2e-register-"));
  const publicKey = createPublicKey(stack.signingKeyPem).export({ type: "spki", format: "pem" });
  writeFileSync(join(dir, "jwks.json"), JSON.stringify(jwksFrom([String(publicKey)])));
});
afterAll(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const app = driver(() => stack);

describe("aigate register --with-check-runs over what the App wrote", () => {
  it("counts the checks and approvals on each merged pull request, and the SoA says so", async () => {
    const repo = governedRepo(stack.sim);
    // Approved by both eligible approvers, then merged: both checks green, two approvals counted.
    const approved = await app.open(repo, modelChange("v2"));
    await app.review(repo, approved, "alice");
    await app.review(repo, approved, "erin");
    expect(app.checks(repo, approved).oversight).toMatchObject({ conclusion: "success" });
    approved.merge("dave");
    // Merged while the oversight check still waited for approvals.
    const unapproved = await app.open(repo, modelChange("v3"));
    expect(app.checks(repo, unapproved).oversight).toMatchObject({
      conclusion: "action_required",
    });
    unapproved.merge("dave");
    // Closed without merging: in the window, but not counted.
    const abandoned = await app.open(repo, modelChange("v4"));
    abandoned.close();

    const env = { GITHUB_TOKEN: "ghp_e2eregistertoken", GITHUB_API_URL: stack.sim.apiUrl };
    const mark = stack.sim.requests.length;
    const run = await runCli(
      [
        "register",
        "--repo",
        repo.fullName,
        "--with-check-runs",
        "--with-approvals",
        "--jwks",
        "jwks.json",
        "--no-cache",
      ],
      dir,
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const register = JSON.parse(run.stdout) as Register;
    expect(register.check_runs).toEqual({
      app: "aigate",
      pull_requests_per_repository: 50,
      repositories: [
        {
          repository: repo.fullName,
          pull_requests: 3,
          merged: 2,
          merged_with_both_checks: 2,
          risk_assessment: { success: 2, failure: 0, action_required: 0, other: 0, missing: 0 },
          human_oversight: { success: 1, failure: 0, action_required: 1, other: 0, missing: 0 },
          approvals_counted: 2,
          merged_with_counted_approvals: 1,
        },
      ],
      totals: expect.objectContaining({ merged: 2, approvals_counted: 2 }),
    });
    expect(register.systems[0]?.last_approved_change).toMatchObject({
      pull_request: approved.number,
      approvers: [
        expect.objectContaining({ login: "alice" }),
        expect.objectContaining({ login: "erin" }),
      ],
    });
    // The merged pull requests are listed once for both, then one read of runs a merged one.
    const reads = stack.sim.requests.slice(mark).map((r) => r.operationId);
    expect(reads.filter((op) => op === "pulls/list")).toHaveLength(1);
    expect(reads.filter((op) => op === "checks/list-for-ref")).toHaveLength(2);

    const soa = await runCli(
      ["soa", "--repo", repo.fullName, "--with-check-runs", "--no-cache", "--format", "json"],
      dir,
      env,
    );
    expect(soa.code, soa.stderr).toBe(0);
    const controls = (JSON.parse(soa.stdout) as { controls: Array<{ id: string; counts: string }> })
      .controls;
    expect(controls.find((c) => c.id === "A.6.2.5")?.counts).toBe(
      "human-oversight check by aigate on 2 pull request(s) merged among the last 50 closed of each governed repository: 1 success, 1 action required; 2 approval(s) counted, on 1 pull request(s)",
    );
  });
});
