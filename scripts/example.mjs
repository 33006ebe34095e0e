#!/usr/bin/env node
// `npm run example`: copies examples/demo into a temporary git repository, retrains the
// credit-scoring model on a branch and runs `aigate check` twice: before and after the
// author updates the risk assessment. Prints every command it runs.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "bin", "aigate.js");
const keep = process.argv.includes("--keep");
const repo = mkdtempSync(join(tmpdir(), "aigate-example-"));

const git = (...args) =>
  execFileSync("git", args, {
    cwd: repo,
    stdio: "pipe",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Dana Developer",
      GIT_AUTHOR_EMAIL: "dana@example.com",
      GIT_COMMITTER_NAME: "Dana Developer",
      GIT_COMMITTER_EMAIL: "dana@example.com",
    },
  });
const say = (text) => console.log(`\n\u001b[1m${text}\u001b[0m`);
const check = () => {
  console.log("$ aigate check --base main");
  return spawnSync(process.execPath, [cli, "check", "--base", "main"], {
    cwd: repo,
    stdio: "inherit",
  }).status;
};

try {
  cpSync(join(root, "examples", "demo"), repo, { recursive: true });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "Demo repository with three AI systems");
  git("checkout", "-q", "-b", "retrain-credit-model");

  say(
    "1. Dana retrains the credit-scoring model and adds training data, and edits a support prompt.",
  );
  writeFileSync(
    join(repo, "models/credit/weights.json"),
    '{"bias": -1.1, "income": 0.9, "debt_ratio": -2.3, "tenure": 0.35}\n',
  );
  writeFileSync(
    join(repo, "data/credit/train.csv"),
    `${readFileSync(join(repo, "data/credit/train.csv"), "utf8")}64000,12000,6,1\n`,
  );
  writeFileSync(
    join(repo, "prompts/support/system.md"),
    `${readFileSync(join(repo, "prompts/support/system.md"), "utf8")}Answer in the customer's language.\n`,
  );
  git("commit", "-qam", "Retrain credit model on 2026 data; answer in the customer's language");
  const first = check();
  console.log(`(exit code ${first}: the high-risk model changed but its risk assessment did not)`);

  say("2. Dana updates the risk assessment for the new model and data, then checks again.");
  const assessment = join(repo, "governance/assessments/credit-scoring.yml");
  writeFileSync(
    assessment,
    readFileSync(assessment, "utf8")
      .replace(
        "Internal loan book 2019-2025, de-identified",
        "Internal loan book 2019-2026, de-identified",
      )
      .replace('assessed_at: "2026-09-15"', 'assessed_at: "2026-11-20"'),
  );
  git("commit", "-qam", "Re-assess credit scoring for the 2026 retraining");
  const second = check();
  console.log(
    `(exit code ${second}: the assessment gate passes; the approvals are given on the pull request)`,
  );
  if (keep) console.log(`\nThe repository is kept at ${repo}`);
  process.exitCode = first === 1 && second === 0 ? 0 : 1;
} finally {
  if (!keep) rmSync(repo, { recursive: true, force: true });
}
