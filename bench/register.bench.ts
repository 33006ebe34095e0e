/**
 * `aigate register --org` across 200 repositories × 5 AI systems against the simulated GitHub:
 * GitHub requests per repository (counted ones, and 304 Not Modified answers apart, which GitHub
 * does not count against the rate limit) and wall time, for
 *   1. the baseline, measured in the same run: a first run with an empty cache, which reads
 *      every head, tree and blob;
 *   2. a second run when nothing changed since the first (goal: at most 3 requests a repository);
 *   3. a run after one assessment changed in each of 10 repositories;
 *   4. with `--with-check-runs`, once every repository has 3 merged pull requests carrying
 *      both aigate checks: the first run, then a run when nothing changed since (same goal).
 * Prints the figures and the ratios to the baseline; exits 1 when a goal is missed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import pLimit from "p-limit";
import {
  governedRepository,
  type RequestRecord,
  startGitHubSimulator,
  systemId,
} from "../sim/index.js";
import { main } from "../src/cli/index.js";
import { ASSESSMENT_CHECK_NAME, OVERSIGHT_CHECK_NAME } from "../src/core/report/index.js";
import { sized } from "./quick.js";

const REPOSITORIES = sized(200, 20);
const SYSTEMS = 5;
const CHANGED = 10;
const MERGED_PER_REPOSITORY = 3;
const GOAL_PER_REPOSITORY = 3;
const ORG = "bench-org";

const sim = await startGitHubSimulator();
const cache = mkdtempSync(join(tmpdir(), "aigate-register-bench-"));
let failed = false;
try {
  sim.state.setNow(new Date("2026-06-30T09:00:00Z"));
  for (let i = 0; i < REPOSITORIES; i++) {
    governedRepository(sim, ORG, `service-${String(i).padStart(3, "0")}`, { systems: SYSTEMS });
  }

  interface Figures {
    label: string;
    counted: number;
    notModified: number;
    ms: number;
    systems: number;
  }

  async function measure(label: string, extra: string[] = []): Promise<Figures> {
    const mark = sim.requests.length;
    let stdout = "";
    let stderr = "";
    const started = performance.now();
    const code = await main(
      [
        "node",
        "aigate",
        "register",
        "--org",
        ORG,
        "--cache-dir",
        cache,
        "--format",
        "json",
        ...extra,
      ],
      {
        cwd: cache,
        env: {
          GITHUB_TOKEN: "ghp_benchmarktoken",
          GITHUB_API_URL: sim.apiUrl,
          AIGATE_NOW: "2026-11-27",
        },
        stdout: (text) => {
          stdout += text;
        },
        stderr: (text) => {
          stderr += text;
        },
      },
    );
    const ms = performance.now() - started;
    if (code !== 0) throw new Error(`register exited ${code}: ${stderr.slice(-500)}`);
    const requests: RequestRecord[] = sim.requests.slice(mark);
    const systems = (JSON.parse(stdout) as { totals: { systems: number } }).totals.systems;
    return {
      label,
      counted: requests.filter((r) => r.status !== 304).length,
      notModified: requests.filter((r) => r.status === 304).length,
      ms,
      systems,
    };
  }

  const baseline = await measure("first run, empty cache (baseline)");
  const unchanged = await measure("nothing changed since");
  for (let i = 0; i < CHANGED; i++) {
    const name = `service-${String(i * 17).padStart(3, "0")}`;
    const path = `governance/assessments/${systemId(name, 0)}.yml`;
    const repo = sim.state.repo(ORG, name);
    const text = repo?.fileAt("main", path)?.content ?? "";
    repo?.commit("main", { files: { [path]: text.replace("2027-06-30", "2027-09-30") } });
  }
  const changed = await measure(`one assessment changed in ${CHANGED} repositories`);

  // Every repository gains merged pull requests whose heads carry both checks, written by the
  // App through the API as the App writes them.
  const app = new Octokit({ baseUrl: sim.apiUrl, auth: "app-installation-token" });
  const limit = pLimit(8);
  await Promise.all(
    sim.state.reposOf(ORG).flatMap((repo) =>
      Array.from({ length: MERGED_PER_REPOSITORY }, (_, k) =>
        limit(async () => {
          const branch = `change-${k}`;
          repo.commit(branch, { files: { [`models/${systemId(repo.name, 0)}/v${k}.py`]: "x\n" } });
          const pr = repo.openPullRequest({ head: branch, author: "dave", title: `Change ${k}` });
          for (const name of [ASSESSMENT_CHECK_NAME, OVERSIGHT_CHECK_NAME]) {
            await app.rest.checks.create({
              owner: ORG,
              repo: repo.name,
              name,
              head_sha: pr.headSha,
              status: "completed",
              conclusion: "success",
              output: { title: "success", summary: "success" },
            });
          }
          pr.merge("dave");
        }),
      ),
    ),
  );
  const checksFirst = await measure(
    `--with-check-runs, first run (${MERGED_PER_REPOSITORY} merged pull requests a repository)`,
    ["--with-check-runs"],
  );
  const checksUnchanged = await measure("--with-check-runs, nothing changed since", [
    "--with-check-runs",
  ]);

  const per = (n: number) => (n / REPOSITORIES).toFixed(2);
  console.log(
    `register --org over ${REPOSITORIES} repositories × ${SYSTEMS} systems (${baseline.systems} systems)\n`,
  );
  console.log(
    "| run | counted requests | per repository | 304 answers | per repository | wall time | vs baseline |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const f of [baseline, unchanged, changed, checksFirst, checksUnchanged]) {
    console.log(
      `| ${f.label} | ${f.counted} | ${per(f.counted)} | ${f.notModified} | ${per(f.notModified)} | ${f.ms.toFixed(0)} ms | ${(f.counted / baseline.counted).toFixed(3)}× requests, ${(f.ms / baseline.ms).toFixed(2)}× time |`,
    );
  }
  for (const f of [unchanged, checksUnchanged]) {
    const total = (f.counted + f.notModified) / REPOSITORIES;
    console.log(
      `\n${f.label}: ${total.toFixed(2)} requests a repository in all (${per(f.counted)} counted against the rate limit); goal ≤ ${GOAL_PER_REPOSITORY}`,
    );
    if (total > GOAL_PER_REPOSITORY) {
      console.log("GOAL MISSED");
      failed = true;
    }
  }
} finally {
  await sim.stop();
  rmSync(cache, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
