import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type GitHubSim, type SimRepo, startGitHubSimulator } from "../../sim/index.js";
import { CSV_COLUMNS } from "../../src/cli/export/csv.js";
import type { EvidenceRecord } from "../../src/cli/export/records.js";
import {
  createSigner,
  extractAttestation,
  generateKeyPair,
  jwksFrom,
  renderAttestationComment,
  statementFor,
} from "../../src/core/attestation/index.js";
import { ASSESSMENT_CHECK_NAME, OVERSIGHT_CHECK_NAME } from "../../src/core/report/index.js";
import { CHROMIUM, suiteNeeds } from "../support/prerequisites.js";
import { type CliRun, runCli } from "../support/run-cli.js";

const BROWSER_SUITE = "aigate export --format html, read in a real browser";
const chromiumBrowser = suiteNeeds(import.meta.url, CHROMIUM, BROWSER_SUITE);
const TOKEN = "ghp_exporttesttoken0123456789abcdefABCDEF";
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const HOSTILE_REVIEW = `=HYPERLINK("http://evil.example","click"), then "quote"\nsecond line`;
const HOSTILE_COMMENT =
  `<script>alert("xss")</script><img src=x onerror="alert('img')">` +
  `<a href="javascript:alert(3)">link</a>`;

const signingKey = generateKeyPair();
const signer = createSigner(signingKey.privateKeyPem);
const JWKS = JSON.stringify(jwksFrom([signingKey.publicKeyPem]));

let sim: GitHubSim;
let app: Octokit;
let dir: string;
let repoCounter = 0;

const dirs: string[] = [];

/** A new working directory for the CLI; all of them go when the file's tests are done. */
function freshDir(): void {
  dir = mkdtempSync(join(tmpdir(), "aigate-export-"));
  dirs.push(dir);
}

beforeAll(async () => {
  freshDir();
  sim = await startGitHubSimulator();
  app = new Octokit({ baseUrl: sim.apiUrl, auth: "app-installation-token", log: quiet });
});

afterAll(async () => {
  await sim.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

beforeEach(freshDir);

const at = (iso: string) => sim.state.setNow(new Date(iso));

/** Runs the CLI in-process against the simulator, with a token unless `env` says otherwise. */
function aigate(
  args: string[],
  env: NodeJS.ProcessEnv = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: sim.apiUrl },
): Promise<CliRun> {
  return runCli(args, dir, env);
}

function records(jsonl: string): EvidenceRecord[] {
  return jsonl
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as EvidenceRecord);
}

function ofType<T extends EvidenceRecord["type"]>(
  all: EvidenceRecord[],
  type: T,
): Array<Extract<EvidenceRecord, { type: T }>> {
  return all.filter((r): r is Extract<EvidenceRecord, { type: T }> => r.type === type);
}

interface Scenario {
  repo: SimRepo;
  fullName: string;
  firstHead: string;
  head: string;
  approvalReviewId: number;
  attestationCommentId: number;
  hostileCommentId: number;
}

/**
 * A governed pull request #7 with a history: checks red on its first commit, a push, checks
 * green on the second, an approval with its signed attestation comment, a hostile review and
 * a hostile comment edited later. An older pull request #1 was last touched in February.
 */
async function governedPullRequest(): Promise<Scenario> {
  const name = `models-${++repoCounter}`;
  at("2026-02-01T08:00:00Z");
  const repo = sim.state.createRepo({ owner: "acme", name });
  const base = repo.commit("main", {
    files: { ".github/ai-governance.yml": "version: 1\nsystems: []\n", "models/m.py": "v1\n" },
    author: "carol",
  });
  repo.commit("docs", { files: { "README.md": "docs\n" }, author: "carol" });
  repo.openPullRequest({ number: 1, head: "docs", author: "carol", title: "Docs only" });

  at("2026-03-01T09:00:00Z");
  const firstHead = repo.commit("feature", { files: { "models/m.py": "v2\n" }, author: "dave" });
  const pr = repo.openPullRequest({ number: 7, head: "feature", author: "dave", title: "Tune" });
  const owner = "acme";
  await app.rest.checks.create({
    owner,
    repo: name,
    name: ASSESSMENT_CHECK_NAME,
    head_sha: firstHead,
    conclusion: "failure",
    output: { title: "credit-scoring: risk assessment missing", summary: "No assessment." },
  });
  await app.rest.checks.create({
    owner,
    repo: name,
    name: OVERSIGHT_CHECK_NAME,
    head_sha: firstHead,
    conclusion: "action_required",
    output: { title: "Waiting for 1 of 1 approvals (credit-scoring)", summary: "Waiting." },
  });
  await app.rest.checks.create({ owner, repo: name, name: "unit tests", head_sha: firstHead });

  at("2026-03-01T10:00:00Z");
  const head = repo.commit("feature", {
    files: { "governance/assessments/credit-scoring.yml": "assessment\n" },
    author: "dave",
  });
  await app.rest.checks.create({
    owner,
    repo: name,
    name: ASSESSMENT_CHECK_NAME,
    head_sha: head,
    conclusion: "success",
    output: { title: "1 assessment current", summary: "Assessment ok." },
  });
  const oversight = await app.rest.checks.create({
    owner,
    repo: name,
    name: OVERSIGHT_CHECK_NAME,
    head_sha: head,
    conclusion: "action_required",
    output: { title: "Waiting for 1 of 1 approvals (credit-scoring)", summary: "Waiting." },
  });

  at("2026-03-01T10:05:00Z");
  const review = pr.addReview({ user: "alice", state: "APPROVED", body: "Looks right." });
  pr.addReview({ user: "mallory", state: "COMMENTED", body: HOSTILE_REVIEW });
  const alice = sim.state.user("alice");
  const statement = statementFor({
    decision: "approved",
    repository: { id: repo.id, full_name: repo.fullName },
    pull_request: { number: 7, base_ref: "main", base_sha: base, head_sha: head },
    manifest: { path: ".github/ai-governance.yml", base_sha: base, sha256: "a".repeat(64) },
    assessments: [],
    systems: [{ id: "credit-scoring", reason: "listed approver" }],
    approver: { id: alice.id, login: alice.login },
    source: { kind: "review", id: review.id, at: review.submittedAt, commit: head },
    issuer: { kind: "app", key_id: signer.keyId },
    issued_at: "2026-03-01T10:06:00Z",
    prev: null,
  });
  const signed = signer.sign(statement);
  at("2026-03-01T10:06:00Z");
  const attestation = repo.addComment(7, {
    user: sim.state.appBot,
    body: renderAttestationComment(signed.envelope, statement),
  });
  await app.rest.checks.update({
    owner,
    repo: name,
    check_run_id: oversight.data.id,
    conclusion: "success",
    output: { title: "1 of 1 approvals recorded", summary: "Approved by @alice." },
  });

  at("2026-03-01T10:07:00Z");
  const hostile = repo.addComment(7, { user: "mallory", body: "nothing to see" });
  at("2026-03-01T10:30:00Z");
  repo.editComment(hostile.id, HOSTILE_COMMENT);
  return {
    repo,
    fullName: repo.fullName,
    firstHead,
    head,
    approvalReviewId: review.id,
    attestationCommentId: attestation.id,
    hostileCommentId: hostile.id,
  };
}

describe("aigate export: the JSON Lines evidence pack", () => {
  let s: Scenario;
  let pack: EvidenceRecord[];
  let run: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    s = await governedPullRequest();
    run = await aigate(["export", "--repo", s.fullName, "--pr", "7"]);
    pack = records(run.stdout);
  });

  it("exits 0 and writes one JSON object a line, each with a type", () => {
    expect(run.code, run.stderr).toBe(0);
    expect(pack.length).toBeGreaterThan(5);
    expect(pack.map((r) => r.type)).toEqual([
      "pull_request",
      "check_run",
      "check_run",
      "check_run",
      "check_run",
      "review",
      "review",
      "attestation_comment",
      "comment_edit",
      "summary",
    ]);
  });

  it("describes the pull request", () => {
    expect(ofType(pack, "pull_request")[0]).toMatchObject({
      repository: s.fullName,
      pull_request: 7,
      number: 7,
      title: "Tune",
      author: { login: "dave", type: "User" },
      base_ref: "main",
      head_ref: "feature",
      head_sha: s.head,
      state: "open",
      merged_at: null,
      html_url: `${sim.url}/${s.fullName}/pull/7`,
    });
  });

  it("keeps the check-run history of both governance checks on every commit, and no other check", () => {
    const runs = ofType(pack, "check_run");
    expect(runs.map((r) => [r.head_sha, r.name, r.conclusion, r.current_head])).toEqual([
      [s.firstHead, ASSESSMENT_CHECK_NAME, "failure", false],
      [s.firstHead, OVERSIGHT_CHECK_NAME, "action_required", false],
      [s.head, ASSESSMENT_CHECK_NAME, "success", true],
      [s.head, OVERSIGHT_CHECK_NAME, "success", true],
    ]);
    expect(runs[3]).toMatchObject({
      status: "completed",
      title: "1 of 1 approvals recorded",
      summary: "Approved by @alice.",
      app: "aigate",
      started_at: "2026-03-01T10:00:00Z",
      completed_at: "2026-03-01T10:00:00Z",
    });
    expect(runs[0]?.html_url).toMatch(/\/runs\/\d+$/);
  });

  it("lists every review with its reviewer, state, commit and body", () => {
    expect(ofType(pack, "review")).toEqual([
      {
        type: "review",
        repository: s.fullName,
        pull_request: 7,
        id: s.approvalReviewId,
        user: { login: "alice", id: sim.state.user("alice").id, type: "User" },
        state: "APPROVED",
        commit_id: s.head,
        submitted_at: "2026-03-01T10:05:00Z",
        body: "Looks right.",
      },
      expect.objectContaining({ state: "COMMENTED", body: HOSTILE_REVIEW }),
    ]);
  });

  it("writes attestation comments in the shape aigate verify reads", () => {
    const [line] = ofType(pack, "attestation_comment");
    const bot = sim.state.appBot;
    expect(line).toEqual({
      type: "attestation_comment",
      repository: s.fullName,
      repository_id: s.repo.id,
      pull_request: 7,
      comment: {
        id: s.attestationCommentId,
        body: s.repo.liveComment(s.attestationCommentId).body,
        user: { login: bot.login, id: bot.id, type: "Bot" },
        created_at: "2026-03-01T10:06:00Z",
        updated_at: "2026-03-01T10:06:00Z",
        html_url: `${sim.url}/${s.fullName}/pull/7#issuecomment-${s.attestationCommentId}`,
        issue_url: `${sim.apiUrl}/repos/${s.fullName}/issues/7`,
      },
    });
  });

  it("records an edited comment, saying the REST API gives no edit history", () => {
    expect(ofType(pack, "comment_edit")).toEqual([
      expect.objectContaining({
        comment_id: s.hostileCommentId,
        user: expect.objectContaining({ login: "mallory" }),
        created_at: "2026-03-01T10:07:00Z",
        updated_at: "2026-03-01T10:30:00Z",
        attestation: false,
        body: HOSTILE_COMMENT,
        note: expect.stringContaining("no edit history"),
      }),
    ]);
  });

  it("ends with a summary of what was exported, without verification when no JWKS is given", () => {
    expect(pack.at(-1)).toMatchObject({
      type: "summary",
      repository: s.fullName,
      api_url: sim.apiUrl,
      selection: { pr: 7 },
      pull_requests: [7],
      records: {
        pull_request: 1,
        check_run: 4,
        review: 2,
        attestation_comment: 1,
        comment_edit: 1,
      },
      verification: null,
    });
  });

  it("reads through GITHUB_API_URL and never prints the token", async () => {
    const mark = sim.requests.length;
    const again = await aigate(["export", "--repo", s.fullName, "--pr", "7", "--format", "csv"]);
    expect(again.code).toBe(0);
    expect(sim.requests.length).toBeGreaterThan(mark);
    for (const text of [run.stdout, run.stderr, again.stdout, again.stderr]) {
      expect(text).not.toContain(TOKEN);
    }
  });

  it("writes the pack to --out instead of standard output", async () => {
    const out = await aigate(["export", "--repo", s.fullName, "--pr", "7", "--out", "pack.jsonl"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe("");
    expect(out.stderr).toMatch(/wrote 10 record\(s\) for 1 pull request\(s\) to pack\.jsonl/);
    expect(records(readFileSync(join(dir, "pack.jsonl"), "utf8")).map((r) => r.type)).toEqual(
      pack.map((r) => r.type),
    );
  });
});

describe("aigate export --since", () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await governedPullRequest();
  });

  it("exports every pull request updated since the date, newest first", async () => {
    const { code, stdout } = await aigate([
      "export",
      "--repo",
      s.fullName,
      "--since",
      "2026-01-15",
    ]);
    expect(code).toBe(0);
    const pack = records(stdout);
    expect(ofType(pack, "pull_request").map((p) => p.number)).toEqual([7, 1]);
    expect(pack.at(-1)).toMatchObject({
      selection: { since: "2026-01-15T00:00:00.000Z" },
      pull_requests: [7, 1],
    });
  });

  it("leaves out pull requests last updated before the date", async () => {
    const mark = sim.requests.length;
    const { code, stdout } = await aigate([
      "export",
      "--repo",
      s.fullName,
      "--since",
      "2026-02-15T00:00:00Z",
    ]);
    expect(code).toBe(0);
    expect(ofType(records(stdout), "pull_request").map((p) => p.number)).toEqual([7]);
    const readsOfOld = sim.requests.slice(mark).filter((r) => r.path.includes("/pulls/1/"));
    expect(readsOfOld).toEqual([]);
  });

  it("stops listing at the first page that reaches past the date", async () => {
    at("2026-02-01T08:00:00Z");
    const repo = sim.state.createRepo({ owner: "acme", name: `busy-${++repoCounter}` });
    repo.commit("main", { files: { "README.md": "v1\n" }, author: "carol" });
    repo.commit("old", { files: { "README.md": "v2\n" }, author: "carol" });
    // More than one page of pull requests, all older than the date except the newest.
    for (let n = 1; n <= 150; n++) repo.openPullRequest({ head: "old", author: "carol" });
    at("2026-03-01T09:00:00Z");
    repo.commit("new", { files: { "README.md": "v3\n" }, author: "dave" });
    repo.openPullRequest({ head: "new", author: "dave", title: "Recent" });

    const mark = sim.requests.length;
    const recent = await aigate(["export", "--repo", repo.fullName, "--since", "2026-02-15"]);
    const pages = sim.requests.slice(mark).filter((r) => r.operationId === "pulls/list");
    expect(recent.code).toBe(0);
    expect(ofType(records(recent.stdout), "pull_request").map((p) => p.title)).toEqual(["Recent"]);
    expect(pages).toHaveLength(1);
  });

  it("exports nothing but the summary when no pull request was updated since", async () => {
    const { code, stdout } = await aigate([
      "export",
      "--repo",
      s.fullName,
      "--since",
      "2027-01-01",
    ]);
    expect(code).toBe(0);
    expect(records(stdout)).toEqual([
      expect.objectContaining({ type: "summary", pull_requests: [] }),
    ]);
  });
});

describe("aigate export --format csv", () => {
  let csv: string;
  beforeAll(async () => {
    const s = await governedPullRequest();
    const run = await aigate(["export", "--repo", s.fullName, "--pr", "7", "--format", "csv"]);
    expect(run.code).toBe(0);
    csv = run.stdout;
  });

  it("starts with the fixed header and writes one CRLF-terminated row per record", () => {
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe(CSV_COLUMNS.join(","));
    expect(lines.at(-1)).toBe("");
    expect(
      csv.match(/^(pull_request|check_run|review|attestation_comment|comment_edit|summary),/gm),
    ).toHaveLength(10);
  });

  it("quotes commas, quotes and line breaks, and neutralises a formula in a review body", () => {
    const escaped = `"'=HYPERLINK(""http://evil.example"",""click""), then ""quote""\r\nsecond line"`;
    expect(csv.replaceAll("\r\n", "\n")).toContain(escaped.replaceAll("\r\n", "\n"));
    expect(csv).not.toMatch(/,=HYPERLINK/);
  });

  it("gives the attestation digest from the comment's marker", () => {
    const row = csv.split("\r\n").find((line) => line.startsWith("attestation_comment,"));
    expect(row).toMatch(/,sha256:[0-9a-f]{64}$/);
  });
});

describe("aigate export, usage and configuration errors (exit 2)", () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await governedPullRequest();
  });

  it("without GITHUB_TOKEN or GH_TOKEN", async () => {
    const { code, stdout, stderr } = await aigate(["export", "--repo", s.fullName, "--pr", "7"], {
      GITHUB_API_URL: sim.apiUrl,
    });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/no GitHub token: set GITHUB_TOKEN \(or GH_TOKEN\)/);
  });

  it("accepts GH_TOKEN as the token", async () => {
    const { code } = await aigate(["export", "--repo", s.fullName, "--pr", "7"], {
      GH_TOKEN: TOKEN,
      GITHUB_API_URL: sim.apiUrl,
    });
    expect(code).toBe(0);
  });

  it("for a pull request that does not exist", async () => {
    const { code, stdout, stderr } = await aigate(["export", "--repo", s.fullName, "--pr", "99"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(`no pull request #99 in ${s.fullName}`);
  });

  it("for a repository that does not exist or cannot be read", async () => {
    const { code, stderr } = await aigate(["export", "--repo", "acme/nowhere", "--pr", "7"]);
    expect(code).toBe(2);
    expect(stderr).toContain("repository acme/nowhere not found, or the token cannot read it");
  });

  it.each([
    [["--repo", "acme"], "--repo acme: write it OWNER/REPO"],
    [["--pr", "7"], "--repo OWNER/REPO is required"],
    [["--repo", "acme/models", "--pr", "seven"], "--pr seven: a pull request number is required"],
    [["--repo", "acme/models", "--since", "last week"], "--since last week: write a date"],
    [["--repo", "acme/models", "--since", "2026-02-30"], "--since 2026-02-30: write a date"],
    [["--repo", "acme/models", "--pr", "7", "--since", "2026-01-01"], "choose one: --pr N"],
    [["--repo", "acme/models", "--format", "pdf"], "--format pdf: choose one of jsonl, csv, html"],
  ])("for bad options %j", async (args, message) => {
    const mark = sim.requests.length;
    const { code, stderr } = await aigate(["export", ...args]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(sim.requests.length).toBe(mark);
  });

  it("for a GITHUB_API_URL that is not an http(s) URL", async () => {
    const { code, stderr } = await aigate(["export", "--repo", s.fullName], {
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: "ftp://example.com",
    });
    expect(code).toBe(2);
    expect(stderr).toContain("GITHUB_API_URL");
  });

  it("for an unreadable or invalid JWKS, before any request", async () => {
    writeFileSync(join(dir, "bad.json"), '{"keys":[{"kty":"RSA"}]}');
    const mark = sim.requests.length;
    const missing = await aigate(["export", "--repo", s.fullName, "--jwks", "none.json"]);
    const invalid = await aigate(["export", "--repo", s.fullName, "--jwks", "bad.json"]);
    expect([missing.code, invalid.code]).toEqual([2, 2]);
    expect(missing.stderr).toContain("cannot read the JWKS none.json");
    expect(invalid.stderr).toContain("bad.json");
    expect(sim.requests.length).toBe(mark);
  });

  it("when GitHub refuses a read, naming the call and the request id, and writes nothing", async () => {
    sim.failNext("issues/list-comments", 403, 1, { message: "Resource not accessible" });
    const { code, stdout, stderr } = await aigate(["export", "--repo", s.fullName, "--pr", "7"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      new RegExp(
        `GitHub 403 on GET /repos/${s.fullName}/issues/7/comments \\(request id 5150:[0-9A-F]+:SIM\\)`,
      ),
    );
  });

  it("when the token cannot read check runs, saying which tokens can", async () => {
    sim.failNext("checks/list-for-ref", 403, 1, { message: "Resource not accessible" });
    const { code, stdout, stderr } = await aigate(["export", "--repo", s.fullName, "--pr", "7"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/GitHub 403 on GET \/repos\/.+\/commits\/[0-9a-f]{40}\/check-runs/);
    expect(stderr).toContain("the token cannot read check runs");
  });

  it("retries a server error through the retry plugin and completes", async () => {
    sim.failNext("pulls/get", 502, 1);
    const { code, stdout } = await aigate(["export", "--repo", s.fullName, "--pr", "7"]);
    expect(code).toBe(0);
    expect(records(stdout)[0]).toMatchObject({ type: "pull_request", number: 7 });
  });
});

describe("aigate export and aigate verify", () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await governedPullRequest();
  });

  const jwksFile = () => {
    writeFileSync(join(dir, "jwks.json"), JWKS);
    return "jwks.json";
  };

  it("round trip: the exported pack verifies with aigate verify (exit 0)", async () => {
    const exported = await aigate([
      "export",
      "--repo",
      s.fullName,
      "--pr",
      "7",
      "--out",
      "pack.jsonl",
    ]);
    expect(exported.code).toBe(0);
    const verified = await aigate([
      "verify",
      "--evidence",
      "pack.jsonl",
      "--jwks",
      jwksFile(),
      "--repo",
      s.fullName,
      "--pr",
      "7",
      "--head",
      s.head,
    ]);
    expect(verified.stdout).toMatch(/^valid\s/m);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  });

  it("with --jwks adds a verification record per attestation and a verified summary", async () => {
    const { code, stdout } = await aigate([
      "export",
      "--repo",
      s.fullName,
      "--pr",
      "7",
      "--jwks",
      jwksFile(),
    ]);
    expect(code).toBe(0);
    const pack = records(stdout);
    expect(ofType(pack, "verification")).toEqual([
      expect.objectContaining({
        comment_id: s.attestationCommentId,
        verdict: "valid",
        decision: "approved",
        approver: { id: sim.state.user("alice").id, login: "alice" },
        systems: ["credit-scoring"],
        head_sha: s.head,
        key_id: signer.keyId,
        digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      }),
    ]);
    expect(pack.at(-1)).toMatchObject({
      type: "summary",
      verification: { total: 1, counts: { valid: 1 }, ok: true },
    });
  });

  it("after the attestation comment is tampered with, verify and export --jwks both exit 1", async () => {
    const comment = s.repo.liveComment(s.attestationCommentId);
    const marker = /<!-- aigate-attestation:v1 ([A-Za-z0-9+/=]+) -->/.exec(comment.body);
    const envelope = JSON.parse(Buffer.from(marker?.[1] ?? "", "base64").toString("utf8")) as {
      payload: string;
    };
    const payload = Buffer.from(envelope.payload, "base64")
      .toString("utf8")
      .replace('"login":"alice"', '"login":"mallory"');
    expect(payload).toContain('"login":"mallory"');
    envelope.payload = Buffer.from(payload, "utf8").toString("base64");
    const forged = Buffer.from(JSON.stringify(envelope), "utf8").toString("base64");
    s.repo.editComment(s.attestationCommentId, comment.body.replace(marker?.[1] ?? "", forged));

    const exported = await aigate([
      "export",
      "--repo",
      s.fullName,
      "--pr",
      "7",
      "--out",
      "pack.jsonl",
    ]);
    expect(exported.code).toBe(0);
    const pack = records(readFileSync(join(dir, "pack.jsonl"), "utf8"));
    expect(ofType(pack, "comment_edit")).toContainEqual(
      expect.objectContaining({ comment_id: s.attestationCommentId, attestation: true }),
    );
    const verified = await aigate(["verify", "--evidence", "pack.jsonl", "--jwks", jwksFile()]);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toMatch(/^bad_signature\s/m);

    const checked = await aigate([
      "export",
      "--repo",
      s.fullName,
      "--pr",
      "7",
      "--jwks",
      jwksFile(),
    ]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain("evidence INVALID: 1 attestation(s): 1 bad_signature");
    expect(ofType(records(checked.stdout), "verification")[0]).toMatchObject({
      verdict: "bad_signature",
    });
  });
});

describe("aigate export and aigate verify: a counted attestation deleted afterwards", () => {
  it("both report deleted_after_counting from aigate's human-oversight check run (exit 1)", async () => {
    const s = await governedPullRequest();
    const comment = s.repo.liveComment(s.attestationCommentId);
    const extracted = extractAttestation(comment.body);
    if (!extracted.ok) throw new Error(extracted.reason);
    const digest = extracted.envelope.digest;
    // The App's oversight run names the digest it counted, as its summary always does.
    const run = sim.state
      .checkRuns(s.repo, s.head)
      .all.find((r) => r.name === OVERSIGHT_CHECK_NAME);
    if (!run) throw new Error("no oversight run");
    await app.rest.checks.update({
      owner: "acme",
      repo: s.repo.name,
      check_run_id: run.id,
      output: {
        title: "1 of 1 approvals recorded",
        summary: `Counted approvals:\n\n| Approver | Eligible as | Given at | Commit | Source | Attestation |\n| --- | --- | --- | --- | --- | --- |\n| alice | listed user | 2026-03-01T10:05:00Z | \`${s.head.slice(0, 7)}\` | review ${s.approvalReviewId} | \`${digest}\` |\n`,
      },
    });
    writeFileSync(join(dir, "jwks.json"), JWKS);
    const before = await aigate([
      "export",
      "--repo",
      s.fullName,
      "--pr",
      "7",
      "--jwks",
      "jwks.json",
    ]);
    expect(before.code, before.stderr).toBe(0);

    s.repo.deleteComment(s.attestationCommentId);
    const after = await aigate([
      "export",
      "--repo",
      s.fullName,
      "--pr",
      "7",
      "--jwks",
      "jwks.json",
    ]);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain("evidence INVALID: 0 attestation(s): 1 deleted_after_counting");
    writeFileSync(join(dir, "pack.jsonl"), after.stdout);
    const verified = await aigate(["verify", "--evidence", "pack.jsonl", "--jwks", "jwks.json"]);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toMatch(new RegExp(`^deleted_after_counting .* ${digest}$`, "m"));
  });
});

describe.skipIf(chromiumBrowser.skip)(BROWSER_SUITE, () => {
  let browser: Browser;
  let s: Scenario;
  let htmlFile: string;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: chromiumBrowser.executable,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    s = await governedPullRequest();
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function openPack() {
    writeFileSync(join(dir, "jwks.json"), JWKS);
    const run = await aigate([
      "export",
      "--repo",
      s.fullName,
      "--pr",
      "7",
      "--format",
      "html",
      "--jwks",
      "jwks.json",
      "--out",
      "pack.html",
    ]);
    expect(run.code, run.stderr).toBe(0);
    htmlFile = join(dir, "pack.html");
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    await page.goto(`file://${htmlFile}`);
    return { page, dialogs, requests };
  }

  it("shows the check-run history, approvals with digests and verdicts, reviews and edits", async () => {
    const { page } = await openPack();
    const rows = async (heading: string) =>
      page
        .locator(`section#pr-7 h3:text-is("${heading}") + table tbody tr`)
        .evaluateAll((trs) =>
          trs.map((tr) =>
            [...tr.querySelectorAll("td")].map((td) => (td.textContent ?? "").trim()),
          ),
        );

    const history = await rows("Check-run history");
    expect(history.map((r) => [r[0]?.slice(0, 12), r[1], r[2]])).toEqual([
      [s.firstHead.slice(0, 12), ASSESSMENT_CHECK_NAME, "failure"],
      [s.firstHead.slice(0, 12), OVERSIGHT_CHECK_NAME, "action required"],
      [s.head.slice(0, 12), ASSESSMENT_CHECK_NAME, "success"],
      [s.head.slice(0, 12), OVERSIGHT_CHECK_NAME, "success"],
    ]);

    const approvals = await rows("Approvals: attestation comments");
    expect(approvals).toHaveLength(1);
    expect(approvals[0]?.[3]).toBe("approved");
    expect(approvals[0]?.[4]).toBe("alice");
    expect(approvals[0]?.[7]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(approvals[0]?.[8]).toMatch(/^valid/);

    const reviews = await rows("Reviews");
    expect(reviews.map((r) => [r[1], r[2]])).toEqual([
      ["alice", "APPROVED"],
      ["mallory", "COMMENTED"],
    ]);
    const edits = await rows("Edited comments");
    expect(edits[0]?.[1]).toBe("mallory");
    expect(await page.locator("header").textContent()).toContain("evidence valid");
    await page.close();
  });

  it("renders a hostile comment body as text: no element created, no dialog, no request", async () => {
    const { page, dialogs, requests } = await openPack();
    const counts = {
      scripts: await page.locator("script").count(),
      images: await page.locator("img").count(),
      handlers: await page.locator("[onerror], [onclick], [onload]").count(),
      javascriptLinks: await page.locator('a[href^="javascript:"]').count(),
    };
    expect(counts).toEqual({ scripts: 0, images: 0, handlers: 0, javascriptLinks: 0 });
    const edits = await page
      .locator('section#pr-7 h3:text-is("Edited comments") + table tbody tr td:nth-child(6)')
      .textContent();
    expect(edits).toBe(HOSTILE_COMMENT);
    expect(await page.locator("section#pr-7").textContent()).toContain(
      HOSTILE_REVIEW.split("\n")[0],
    );
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
    expect(requests.filter((url) => !url.startsWith("file://"))).toEqual([]);
    await page.close();
  });

  it("prints and renders to a screenshot an auditor can read", async () => {
    const { page } = await openPack();
    await page.setViewportSize({ width: 1280, height: 900 });
    const shot = join(process.env.AIGATE_SCREENSHOT_DIR ?? dir, "evidence-pack.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(readFileSync(shot).subarray(1, 4).toString("latin1")).toBe("PNG");
    const pdf = await page.pdf({ format: "A4" });
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    await page.close();
  });
});
