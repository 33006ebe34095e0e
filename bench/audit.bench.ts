/**
 * `aigate audit` in a checkout of 1,000 first-parent commits, 50 of which changed a governed
 * path, each carrying a merge verification, against the simulated GitHub at its default latency:
 *   1. the baseline, measured in the same run: the same records read the naive way, one
 *      check-run listing for every commit of the history;
 *   2. the audit cold (empty cache): goal ≤ 2 counted requests per governed commit;
 *   3. the audit again, nothing changed: goal every request conditional (a 304);
 * both audits under 10 s;
 *   4. the audit without a checkout (the population from the API), cold: goal ≤ 1.1 counted
 *      requests per first-parent commit, check runs included (each commit's files is one read);
 *   5. the same again, nothing changed: goal every request conditional (a 304), none for a
 *      commit's files or the manifest, which never change once read.
 * Prints the figures and ratios; exits 1 when a goal is missed.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import pLimit from "p-limit";
import { buildHistory, type RequestRecord, startGitHubSimulator } from "../sim/index.js";
import { main } from "../src/cli/index.js";
import { createSigner, generateKeyPair, jwksFrom } from "../src/core/attestation/index.js";
import { MERGE_VERIFICATION_CHECK_NAME } from "../src/core/report/index.js";
import { sized, timingGoal } from "./quick.js";

const COMMITS = sized(1000, 100);
const GOVERNED_EVERY = 20;
const GOAL_COUNTED_PER_GOVERNED = 2;
const GOAL_MS = 10_000;
const GOAL_API_COUNTED_PER_COMMIT = 1.1;

const sim = await startGitHubSimulator();
const dir = mkdtempSync(join(tmpdir(), "aigate-audit-bench-"));
const cache = mkdtempSync(join(tmpdir(), "aigate-audit-bench-cache-"));
const away = mkdtempSync(join(tmpdir(), "aigate-audit-bench-away-"));
const apiCache = mkdtempSync(join(tmpdir(), "aigate-audit-bench-api-cache-"));
let failed = false;
try {
  const key = generateKeyPair();
  const repo = sim.state.createRepo({
    owner: "acme",
    name: "credit-models",
    defaultBranch: "main",
  });
  const history = buildHistory(dir, repo, createSigner(key.privateKeyPem), {
    commits: COMMITS,
    governedEvery: GOVERNED_EVERY,
    record: () => "passed",
  });
  execFileSync("git", ["remote", "add", "origin", "https://github.com/acme/credit-models.git"], {
    cwd: dir,
  });
  writeFileSync(join(dir, "jwks.json"), JSON.stringify(jwksFrom([key.publicKeyPem])));
  writeFileSync(join(away, "jwks.json"), JSON.stringify(jwksFrom([key.publicKeyPem])));
  const governed = history.governed.length;

  interface Figures {
    label: string;
    counted: number;
    notModified: number;
    ms: number;
  }
  const figures = (label: string, mark: number, started: number): Figures => {
    const requests: RequestRecord[] = sim.requests.slice(mark);
    return {
      label,
      counted: requests.filter((r) => r.status !== 304).length,
      notModified: requests.filter((r) => r.status === 304).length,
      ms: performance.now() - started,
    };
  };

  // 1. Baseline: every commit's check runs, 8 at a time as the audit reads them.
  let mark = sim.requests.length;
  let started = performance.now();
  const octokit = new Octokit({ baseUrl: sim.apiUrl, auth: "ghp_benchmarktoken" });
  const limit = pLimit(8);
  await Promise.all(
    history.commits.map((c) =>
      limit(() =>
        octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
          owner: "acme",
          repo: "credit-models",
          ref: c.sha,
          check_name: MERGE_VERIFICATION_CHECK_NAME,
        }),
      ),
    ),
  );
  const baseline = figures(
    `baseline: every commit's check runs (${history.commits.length})`,
    mark,
    started,
  );

  const audit = async (label: string, fromApi = false): Promise<Figures> => {
    mark = sim.requests.length;
    started = performance.now();
    let stderr = "";
    const code = await main(
      [
        "node",
        "aigate",
        "audit",
        ...(fromApi ? ["--repo", "acme/credit-models"] : []),
        "--jwks",
        "jwks.json",
        "--format",
        "json",
      ],
      {
        cwd: fromApi ? away : dir,
        env: {
          GITHUB_TOKEN: "ghp_benchmarktoken",
          GITHUB_API_URL: sim.apiUrl,
          GITHUB_SERVER_URL: "https://github.com",
          XDG_CACHE_HOME: fromApi ? apiCache : cache,
        },
        stdout: () => {},
        stderr: (text) => {
          stderr += text;
        },
      },
    );
    if (code !== 0) throw new Error(`audit exited ${code}: ${stderr.slice(-500)}`);
    return figures(label, mark, started);
  };
  const cold = await audit("audit, cold");
  const again = await audit("audit, again (nothing changed)");
  const apiCold = await audit("audit without a checkout, cold", true);
  const apiAgain = await audit("audit without a checkout, again (nothing changed)", true);
  const listed = history.commits.length;

  console.log(
    `\n${history.commits.length} first-parent commits, ${governed} governed, each with a merge verification\n`,
  );
  console.log(
    "| run | counted requests | per governed commit | per listed commit | 304 answers | wall time | vs baseline |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const f of [baseline, cold, again, apiCold, apiAgain]) {
    console.log(
      `| ${f.label} | ${f.counted} | ${(f.counted / governed).toFixed(2)} | ${(f.counted / listed).toFixed(3)} | ${f.notModified} | ${f.ms.toFixed(0)} ms | ${(f.counted / baseline.counted).toFixed(3)}× requests, ${(f.ms / baseline.ms).toFixed(2)}× time |`,
    );
  }
  if (apiCold.counted / listed > GOAL_API_COUNTED_PER_COMMIT) {
    console.log(
      `MISSED: cold audit without a checkout ${(apiCold.counted / listed).toFixed(3)} counted requests per commit`,
    );
    failed = true;
  }
  if (apiAgain.counted !== 0) {
    console.log(
      `MISSED: the second audit without a checkout made ${apiAgain.counted} unconditional request(s)`,
    );
    failed = true;
  }
  if (cold.counted / governed > GOAL_COUNTED_PER_GOVERNED) {
    console.log(
      `MISSED: cold audit ${cold.counted / governed} counted requests per governed commit`,
    );
    failed = true;
  }
  if (again.counted !== 0 || again.notModified !== governed) {
    console.log(`MISSED: the second audit made ${again.counted} unconditional request(s)`);
    failed = true;
  }
  for (const f of [cold, again]) {
    if (f.ms > GOAL_MS) console.log(`MISSED: ${f.label} took ${f.ms.toFixed(0)} ms`);
    timingGoal(f.ms <= GOAL_MS);
  }
} finally {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
  rmSync(away, { recursive: true, force: true });
  rmSync(apiCache, { recursive: true, force: true });
}
if (failed) process.exitCode = 1;
