import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildHistory,
  type GitHubSim,
  type History,
  startGitHubSimulator,
} from "../../sim/index.js";
import { createSigner, generateKeyPair, jwksFrom } from "../../src/core/attestation/index.js";
import { mergeRecord, mergeRecordKeyless } from "../../src/core/merge-verification/index.js";
import { createKeylessSigner } from "../../src/sigstore/sign.js";
import { context, governed, mergedFacts } from "../core/merge-verification/helpers.js";
import { runCli } from "../support/run-cli.js";
import { actionsToken, type MockSigstore, startMockSigstore } from "../support/sigstore.js";

const key = generateKeyPair();
const signer = createSigner(key.privateKeyPem);
const KINDS = ["passed", "failed", "none", "forged"] as const;

let sim: GitHubSim;
let dir: string;
let cache: string;
let history: History;

beforeAll(async () => {
  sim = await startGitHubSimulator();
  dir = mkdtempSync(join(tmpdir(), "aigate-audit-"));
  cache = mkdtempSync(join(tmpdir(), "aigate-audit-cache-"));
  const repo = sim.state.createRepo({
    owner: "acme",
    name: "credit-models",
    defaultBranch: "main",
  });
  history = buildHistory(dir, repo, signer, {
    commits: 40,
    governedEvery: 5,
    record: (i) => KINDS[i] ?? "passed",
  });
  execFileSync("git", ["remote", "add", "origin", "https://github.com/acme/credit-models.git"], {
    cwd: dir,
  });
  writeFileSync(join(dir, "jwks.json"), JSON.stringify(jwksFrom([key.publicKeyPem])));
});

afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});

const env = () => ({
  GITHUB_TOKEN: "ghp_audit",
  GITHUB_API_URL: sim.apiUrl,
  XDG_CACHE_HOME: cache,
});

interface Report {
  rows: Array<{
    sha: string;
    status: string;
    reason: string;
    pullRequest: number | null;
    systems: string[];
  }>;
  totals: {
    all: Record<string, number>;
    systems: Array<{ system: string; counts: Record<string, number> }>;
  };
}

describe("aigate audit in a checkout", () => {
  it("lists every governed first-parent commit with its status, reading only their check runs", async () => {
    const mark = sim.requests.length;
    const run = await runCli(["audit", "--jwks", "jwks.json", "--format", "json"], dir, env());
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.rows.map((r) => r.sha)).toEqual(history.governed);
    expect(report.rows.map((r) => r.status)).toEqual([
      "verified",
      "bypass",
      "missing",
      "invalid",
      "verified",
      "verified",
      "verified",
      "verified",
    ]);
    expect(report.rows[1]?.reason).toMatch(
      /^No pull request: commit [0-9a-f]{7} was pushed to main directly/,
    );
    expect(report.rows[0]?.pullRequest).toBe(1005);
    expect(report.totals.all).toEqual({ verified: 5, bypass: 1, missing: 1, invalid: 1 });
    expect(report.totals.systems.map((s) => s.system).sort()).toEqual([
      "credit-scoring",
      "support-bot",
    ]);
    const requests = sim.requests.slice(mark);
    expect(requests).toHaveLength(history.governed.length);
    expect(requests.every((r) => r.path.includes("/check-runs"))).toBe(true);
  });

  it("asks again only conditionally when nothing changed", async () => {
    const mark = sim.requests.length;
    const run = await runCli(["audit", "--jwks", "jwks.json", "--format", "csv"], dir, env());
    expect(run.code).toBe(1);
    expect(run.stdout.split("\r\n")[0]).toBe(
      "commit,date,status,reason,pull_request,approvers,systems,files,record",
    );
    const requests = sim.requests.slice(mark);
    expect(requests.map((r) => r.status)).toEqual(history.governed.map(() => 304));
  });

  it("verifies nothing without trusted keys", async () => {
    const run = await runCli(["audit", "--format", "json"], dir, env());
    const report = JSON.parse(run.stdout) as Report;
    expect(report.rows.filter((r) => r.status === "verified")).toEqual([]);
    expect(run.code).toBe(1);
  });

  it("narrows the window by date and exits 0 when every commit in it is verified", async () => {
    // Commits are a minute apart from 1780000000; the last four governed ones are verified.
    const since = new Date((1_780_000_000 + 21 * 60) * 1000).toISOString();
    const run = await runCli(
      ["audit", "--jwks", "jwks.json", "--since", since, "--format", "md"],
      dir,
      env(),
    );
    expect(run.stdout).toContain(
      "4 commit(s) changed a governed path: 4 verified, 0 bypass, 0 missing, 0 invalid.",
    );
    expect(run.code).toBe(0);
  });

  it("is a usage error with a bad format or date", async () => {
    expect((await runCli(["audit", "--format", "xml"], dir, env())).code).toBe(2);
    expect((await runCli(["audit", "--since", "yesterday"], dir, env())).code).toBe(2);
  });
});

describe("aigate audit without a checkout", () => {
  let away: string;
  let apiCache: string;
  beforeAll(() => {
    away = mkdtempSync(join(tmpdir(), "aigate-audit-away-"));
    apiCache = mkdtempSync(join(tmpdir(), "aigate-audit-api-cache-"));
    writeFileSync(join(away, "jwks.json"), JSON.stringify(jwksFrom([key.publicKeyPem])));
  });
  afterAll(() => {
    rmSync(away, { recursive: true, force: true });
    rmSync(apiCache, { recursive: true, force: true });
  });
  // The records name github.com; the API is the simulator's.
  const apiEnv = () => ({
    ...env(),
    XDG_CACHE_HOME: apiCache,
    GITHUB_SERVER_URL: "https://github.com",
  });
  const args = ["audit", "--repo", "acme/credit-models", "--jwks", "jwks.json", "--format", "json"];

  it("lists the same population from the API as the checkout does", async () => {
    const local = await runCli(["audit", "--jwks", "jwks.json", "--format", "json"], dir, env());
    const mark = sim.requests.length;
    const run = await runCli(args, away, apiEnv());
    expect(run.code).toBe(1);
    const pick = (r: Report["rows"][number]) => ({
      sha: r.sha,
      status: r.status,
      reason: r.reason,
      systems: r.systems,
    });
    const report = JSON.parse(run.stdout) as Report;
    expect(report.rows.map(pick)).toEqual((JSON.parse(local.stdout) as Report).rows.map(pick));
    expect(report.rows.map((r) => r.sha)).toEqual(history.governed);
    expect(report.totals.all).toEqual({ verified: 5, bypass: 1, missing: 1, invalid: 1 });
    // The repository, the branch's head, one page of commits, each commit's files, the manifest
    // where it was added, and the check runs of the governed commits.
    const paths = sim.requests
      .slice(mark)
      .map((r) => decodeURIComponent(r.path.replace(/^\/api\/v3/, "")));
    const base = "/repos/acme/credit-models";
    expect(paths.filter((p) => p === base)).toHaveLength(1);
    expect(paths.filter((p) => p === `${base}/git/ref/heads/main`)).toHaveLength(1);
    expect(paths.filter((p) => p === `${base}/commits`)).toHaveLength(1);
    expect(
      paths.filter((p) => /^\/repos\/acme\/credit-models\/commits\/[0-9a-f]{40}$/.test(p)),
    ).toHaveLength(history.commits.length);
    expect(paths.filter((p) => p.includes("/contents/"))).toHaveLength(1);
    expect(paths.filter((p) => p.endsWith("/check-runs"))).toHaveLength(history.governed.length);
    expect(paths).toHaveLength(3 + history.commits.length + 1 + history.governed.length);
  });

  it("asks only conditionally, and nothing of what never changes, when nothing changed", async () => {
    const mark = sim.requests.length;
    const run = await runCli(args, away, apiEnv());
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as Report).rows.map((r) => r.sha)).toEqual(history.governed);
    const requests = sim.requests.slice(mark);
    expect(requests.map((r) => r.status)).toEqual(
      Array.from({ length: 3 + history.governed.length }, () => 304),
    );
    expect(run.stderr).toContain(
      `${3 + history.governed.length} request(s), ${3 + history.governed.length} not modified`,
    );
  });

  it("narrows the window by date from the API too", async () => {
    const since = new Date((1_780_000_000 + 21 * 60) * 1000).toISOString();
    const until = new Date((1_780_000_000 + 36 * 60) * 1000).toISOString();
    const run = await runCli([...args, "--since", since, "--until", until], away, apiEnv());
    const report = JSON.parse(run.stdout) as Report;
    // Governed commits are every fifth: 25, 30 and 35 fall in the window.
    expect(report.rows.map((r) => r.sha)).toEqual(history.governed.slice(4, 7));
    expect(run.code).toBe(0);
  });

  it("is a usage error without --repo, or with an unknown branch", async () => {
    const bare = await runCli(["audit"], away, apiEnv());
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("--repo OWNER/REPO is required outside a checkout");
    const branch = await runCli([...args, "--branch", "nope"], away, apiEnv());
    expect(branch.code).toBe(2);
    expect(branch.stderr).toContain("--branch nope: no such branch in acme/credit-models");
  });
});

describe("aigate audit, keyless records (Sigstore bundles)", () => {
  const WORKFLOW = "acme/keyless-models/.github/workflows/aigate.yml";
  let mock: MockSigstore;
  let keylessDir: string;
  let keylessCache: string;
  let keylessHistory: History;

  /** The facts of a commit merged from #12 as approved. */
  function landed(sha: string) {
    const facts = mergedFacts({ commit: governed(sha), pushed: [sha] });
    if (facts.pullRequest) facts.pullRequest.mergeCommitSha = sha;
    return facts;
  }

  /** A keyless record of a commit of the keyless repository, signed by a workflow's certificate. */
  async function keylessRecord(sha: string, workflow: string) {
    const signer = createKeylessSigner({
      endpoints: { fulcioURL: mock.fulcioURL, rekorURL: mock.rekorURL },
      getToken: async () => actionsToken(workflow),
      entryType: "intoto",
    });
    return mergeRecordKeyless(
      landed(sha),
      { ...context, repository: { host: "github.com", fullName: "acme/keyless-models" } },
      signer,
    );
  }

  beforeAll(async () => {
    mock = await startMockSigstore();
    keylessDir = mkdtempSync(join(tmpdir(), "aigate-audit-keyless-"));
    keylessCache = mkdtempSync(join(tmpdir(), "aigate-audit-keyless-cache-"));
    const repo = sim.state.createRepo({
      owner: "acme",
      name: "keyless-models",
      defaultBranch: "main",
    });
    keylessHistory = buildHistory(keylessDir, repo, signer, {
      commits: 15,
      governedEvery: 5,
      record: () => "none",
    });
    execFileSync("git", ["remote", "add", "origin", "https://github.com/acme/keyless-models.git"], {
      cwd: keylessDir,
    });
    // The allowed workflow's record, another workflow's, and a keyed one beside them.
    const [allowed, other, keyed] = keylessHistory.governed;
    for (const [sha, workflow] of [
      [allowed, WORKFLOW],
      [other, "acme/keyless-models/.github/workflows/other.yml"],
    ] as const) {
      if (!sha) throw new Error("the history has too few governed commits");
      const record = await keylessRecord(sha, workflow);
      repo.addCheckRun({
        headSha: sha,
        name: "AI governance: merge verification",
        conclusion: record.output.conclusion,
        output: record.output,
      });
    }
    if (!keyed) throw new Error("the history has too few governed commits");
    const record = mergeRecord(
      landed(keyed),
      { ...context, repository: { host: "github.com", fullName: "acme/keyless-models" } },
      signer,
    );
    repo.addCheckRun({
      headSha: keyed,
      name: "AI governance: merge verification",
      conclusion: record.output.conclusion,
      output: record.output,
    });
    writeFileSync(join(keylessDir, "jwks.json"), JSON.stringify(jwksFrom([key.publicKeyPem])));
    writeFileSync(join(keylessDir, "trusted_root.json"), JSON.stringify(mock.trustedRoot));
  });
  afterAll(async () => {
    await mock?.close();
    rmSync(keylessDir, { recursive: true, force: true });
    rmSync(keylessCache, { recursive: true, force: true });
  });

  const keylessEnv = () => ({ ...env(), XDG_CACHE_HOME: keylessCache });

  it("classifies a keyless record as verified or invalid, as it does keyed ones", async () => {
    const run = await runCli(
      [
        "audit",
        "--jwks",
        "jwks.json",
        "--trusted-root",
        "trusted_root.json",
        "--signer-workflow",
        WORKFLOW,
        "--format",
        "json",
      ],
      keylessDir,
      keylessEnv(),
    );
    const report = JSON.parse(run.stdout) as Report;
    expect(report.rows.map((r) => r.sha)).toEqual(keylessHistory.governed);
    expect(report.rows.map((r) => r.status)).toEqual(["verified", "invalid", "verified"]);
    expect(report.rows[1]?.reason).toContain(
      "other.yml@refs/heads/main, which is not an allowed signer",
    );
    expect(run.code).toBe(1);
  });

  it("verifies no keyless record without the allowed workflows", async () => {
    const run = await runCli(
      ["audit", "--jwks", "jwks.json", "--format", "json"],
      keylessDir,
      keylessEnv(),
    );
    const report = JSON.parse(run.stdout) as Report;
    expect(report.rows.map((r) => r.status)).toEqual(["invalid", "invalid", "verified"]);
    expect(report.rows[0]?.reason).toContain("keyless record not checked");
    expect(run.code).toBe(1);
  });
});
