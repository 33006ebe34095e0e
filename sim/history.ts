import { execFileSync } from "node:child_process";
import type { Signer } from "../src/core/attestation/index.js";
import { prepareManifest } from "../src/core/manifest/prepare.js";
import { MANIFEST_PATH } from "../src/core/manifest/schema.js";
import { governedChange, mergeRecord } from "../src/core/merge-verification/index.js";
import { MERGE_VERIFICATION_CHECK_NAME } from "../src/core/report/index.js";
import type { SimRepo } from "./state.js";

/**
 * A long local git history (`git fast-import`, one process) adopted by the simulator, with
 * merge verification check runs on some of its governed commits: what `aigate audit` reads in
 * a checkout, for its tests and its benchmark.
 */

export const HISTORY_MANIFEST = `version: 1
governance:
  owners: { users: ["gov"] }
  policy: docs/ai-policy.md
systems:
  - id: credit-scoring
    name: Credit scoring model
    purpose: Rank credit applications
    owner: "@acme/credit-ml"
    lifecycle: production
    tier: limited
    paths:
      model: ["models/credit/**"]
    assessment: governance/credit-scoring.yml
    approvers: { users: ["alice"] }
  - id: support-bot
    name: Support bot
    purpose: Answer customers
    owner: "@acme/support"
    lifecycle: production
    tier: limited
    paths:
      prompts: ["prompts/**"]
    assessment: governance/support-bot.yml
    approvers: { users: ["bob"] }
`;

export type RecordKind = "passed" | "failed" | "none" | "forged";

export interface HistoryOptions {
  /** Commits after the first (which adds the manifest). */
  commits: number;
  /** Every `governedEvery`-th commit changes a governed path. */
  governedEvery: number;
  /** What the governed commit at index `i` (0-based among governed) carries. */
  record: (i: number) => RecordKind;
}

export interface History {
  commits: Array<{ sha: string; parents: string[] }>;
  governed: string[];
}

/** Writes the history into the git repository at `dir` (branch main) and adopts it into `repo`. */
export function buildHistory(
  dir: string,
  repo: SimRepo,
  signer: Signer,
  options: HistoryOptions,
): History {
  const git = (args: string[], input?: string) =>
    execFileSync("git", args, {
      cwd: dir,
      input,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" },
    });
  git(["init", "-q", "-b", "main"]);
  const lines: string[] = [];
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}`;
  const at = (n: number) => `${1_780_000_000 + n * 60} +0000`;
  const contents: Array<{ message: string; files: Record<string, string>; date: string }> = [];
  const commit = (n: number, message: string, files: Record<string, string>) => {
    contents[n] = {
      message: `${message}\n`,
      files,
      date: new Date((1_780_000_000 + n * 60) * 1000).toISOString(),
    };
    lines.push(
      "commit refs/heads/main",
      `mark :${n + 1}`,
      `committer Dana <dana@example.com> ${at(n)}`,
      data(`${message}\n`),
    );
    if (n > 0) lines.push(`from :${n}`);
    for (const [path, text] of Object.entries(files))
      lines.push(`M 100644 inline ${path}`, data(text));
    lines.push("");
  };
  commit(0, "Add the manifest", {
    [MANIFEST_PATH]: HISTORY_MANIFEST,
    "docs/ai-policy.md": "# Policy\n",
  });
  const governedIndex: number[] = [];
  for (let n = 1; n <= options.commits; n++) {
    const governed = n % options.governedEvery === 0;
    if (governed) governedIndex.push(n);
    const path = governed
      ? governedIndex.length % 2 === 0
        ? `prompts/p${n}.md`
        : `models/credit/m${n}.bin`
      : `src/app/f${n}.ts`;
    commit(n, `change ${n}`, { [path]: `${n}\n` });
  }
  git(["fast-import", "--quiet"], `${lines.join("\n")}\n`);
  git(["checkout", "-q", "main"]);
  const log = git(["log", "--reverse", "--format=%H %P", "main"])
    .trim()
    .split("\n")
    .map((line) => {
      const [sha = "", ...parents] = line.split(" ");
      return { sha, parents: parents.filter((p) => p !== "") };
    });
  // The simulated repository serves the same trees, messages and dates as the checkout.
  repo.adoptCommits(
    log.map((c, n) => ({ ...c, ...contents[n] })),
    "main",
  );
  const prepared = prepareManifest(HISTORY_MANIFEST, MANIFEST_PATH);
  if (!prepared.ok) throw new Error("the history's manifest is invalid");
  const governed: string[] = [];
  governedIndex.forEach((n, i) => {
    const entry = log[n];
    const parent = entry?.parents[0];
    if (!entry || !parent) return;
    governed.push(entry.sha);
    const kind = options.record(i);
    if (kind === "none") return;
    const path = i % 2 === 1 ? `prompts/p${n}.md` : `models/credit/m${n}.bin`;
    const change = governedChange({
      sha: entry.sha,
      changed: [{ path, status: "added" }],
      manifest: {
        state: "prepared",
        prepared,
        path: MANIFEST_PATH,
        commit: parent,
        sha256: "0".repeat(64),
      },
    });
    if (!change) throw new Error(`${path} is not governed`);
    const pr =
      kind === "failed"
        ? undefined
        : {
            number: 1000 + n,
            url: `https://github.com/${repo.fullName}/pull/${1000 + n}`,
            title: `Change ${n}`,
            merged: true,
            baseRef: "main",
            headSha: entry.sha,
            mergeCommitSha: entry.sha,
          };
    const record = mergeRecord(
      {
        commit: change,
        branch: "main",
        pushed: [entry.sha],
        ...(pr ? { pullRequest: pr } : {}),
        checks: { assessment: "success", oversight: "success" },
        files: [{ path, landed: "1".repeat(40), approved: "1".repeat(40) }],
        attestations: [],
        assessments: [],
      },
      {
        repository: { host: "github.com", fullName: repo.fullName },
        verifier: { id: "https://github.com/apps/aigate", version: "0.1.0" },
        now: new Date(1_780_000_000_000 + n * 60_000),
      },
      signer,
    );
    const text =
      kind === "forged" ? record.output.text.replace(/v1 [A-Za-z]/, "v1 B") : record.output.text;
    repo.addCheckRun({
      headSha: entry.sha,
      name: MERGE_VERIFICATION_CHECK_NAME,
      conclusion: record.output.conclusion,
      output: { title: record.output.title, summary: record.output.summary, text },
    });
  });
  return { commits: log, governed };
}
