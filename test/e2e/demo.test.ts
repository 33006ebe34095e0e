import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

it("npm run demo plays the scripted pull request and verifies its attestations offline", () => {
  const run = spawnSync(process.execPath, ["scripts/run-ts.mjs", "scripts/demo.ts"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NODE_ENV: "development" },
    timeout: 60_000,
  });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  expect(run.stdout).toContain(
    "✗ AI governance: human oversight: action_required — Waiting for 2 of 2 approvals",
  );
  expect(run.stdout).toContain(
    "@dave your `/approve` was not recorded: you opened this pull request",
  );
  expect(run.stdout).toContain("aigate records 2 signed attestation comments");
  expect(run.stdout).toContain(
    "✓ AI governance: human oversight: success — 2 of 2 approvals recorded",
  );
  expect(run.stdout).toMatch(
    /5\. dave adds #1 to the merge queue; GitHub builds gh-readonly-queue\/main\/pr-1-…\n.*\n {3}✓ AI governance: risk assessment: success — Risk assessment current for credit-scoring\n {3}✓ AI governance: human oversight: success — 2 of 2 approvals recorded/,
  );
  expect(run.stdout).toContain("2 attestation(s): 2 valid: evidence valid");
  expect(run.stdout).toContain(
    "AI governance: merge verification — success: Verified: #1 landed as approved (credit-scoring)",
  );
  expect(run.stdout).toContain("1 merge verification record(s): all verify");
}, 60_000);
