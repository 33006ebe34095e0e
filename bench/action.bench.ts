/**
 * The Action's cold start: from spawning `node action/dist/index.js` to its first request to
 * the GitHub API, against spawning `node -e 0` to its exit, in the same run; and the bundle's size.
 * Goal: at most 3× `node -e 0`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { sized, timingGoal } from "./quick.js";

const ROUNDS = sized(21, 3);
const bundle = resolve("action", "dist", "index.js");
const work = mkdtempSync(join(tmpdir(), "aigate-bench-action-"));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

let onFirstRequest: (() => void) | undefined;
const server = createServer((_req, res) => {
  onFirstRequest?.();
  onFirstRequest = undefined;
  res.writeHead(503, { "content-type": "application/json" }).end('{"message":"bench"}');
});
await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const eventPath = join(work, "event.json");
writeFileSync(
  eventPath,
  JSON.stringify({
    action: "opened",
    number: 1,
    pull_request: {
      number: 1,
      head: { sha: "0".repeat(40), repo: { full_name: "acme/models" } },
    },
    repository: { full_name: "acme/models", name: "models", owner: { login: "acme" } },
  }),
);
const env = {
  PATH: process.env.PATH,
  GITHUB_EVENT_NAME: "pull_request_target",
  GITHUB_EVENT_PATH: eventPath,
  GITHUB_REPOSITORY: "acme/models",
  GITHUB_API_URL: apiUrl,
  GITHUB_OUTPUT: join(work, "output"),
  GITHUB_STEP_SUMMARY: join(work, "summary"),
  RUNNER_TEMP: work,
  INPUT_TOKEN: "bench-token",
  "INPUT_FAIL-ON": "never",
};
writeFileSync(env.GITHUB_OUTPUT, "");
writeFileSync(env.GITHUB_STEP_SUMMARY, "");

/** ms from spawn to the bundle's first API request (the process is then killed). */
function bundleToFirstRequest(): Promise<number> {
  return new Promise((done, fail) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [bundle], { env, stdio: "ignore" });
    onFirstRequest = () => {
      done(Number(process.hrtime.bigint() - start) / 1e6);
      child.kill();
    };
    child.on("exit", () => {
      if (onFirstRequest) {
        onFirstRequest = undefined;
        fail(new Error("the bundle exited before making a request"));
      }
    });
  });
}

/** ms from spawn to the exit of `node -e 0`. */
function nodeBaseline(): Promise<number> {
  return new Promise((done) => {
    const start = process.hrtime.bigint();
    spawn(process.execPath, ["-e", "0"], { stdio: "ignore" }).on("exit", () =>
      done(Number(process.hrtime.bigint() - start) / 1e6),
    );
  });
}

const baseline: number[] = [];
const action: number[] = [];
await nodeBaseline();
await bundleToFirstRequest();
for (let round = 0; round < ROUNDS; round++) {
  baseline.push(await nodeBaseline());
  action.push(await bundleToFirstRequest());
}
server.close();
rmSync(work, { recursive: true, force: true });

const size = statSync(bundle).size;
const ratio = median(action) / median(baseline);
console.log(`bundle action/dist/index.js: ${(size / 1024).toFixed(0)} KiB`);
console.log(
  `node -e 0 (baseline):        median ${median(baseline).toFixed(1)} ms over ${ROUNDS} runs`,
);
console.log(
  `bundle to first request:     median ${median(action).toFixed(1)} ms over ${ROUNDS} runs`,
);
console.log(`ratio: ${ratio.toFixed(2)}x node -e 0 (goal ≤ 3x) ${ratio <= 3 ? "ok" : "OVER GOAL"}`);
timingGoal(ratio <= 3);
