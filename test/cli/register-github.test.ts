import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type GitHubSim,
  governedRepository,
  startGitHubSimulator,
  systemId,
} from "../../sim/index.js";
import { main } from "../../src/cli/index.js";
import {
  createSigner,
  generateKeyPair,
  jwksFrom,
  renderAttestationComment,
  statementFor,
} from "../../src/core/attestation/index.js";
import type { Register } from "../../src/core/register/index.js";

const TOKEN = "ghp_registertesttoken0123456789abcdefABCD";
const NOW = "2026-11-27T12:00:00Z";

let sim: GitHubSim;
let dir: string;

beforeAll(async () => {
  sim = await startGitHubSimulator();
  dir = mkdtempSync(join(tmpdir(), "aigate-register-"));
});

afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function aigate(
  args: string[],
  env: NodeJS.ProcessEnv = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: sim.apiUrl },
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(["node", "aigate", ...args], {
    cwd: dir,
    env: { AIGATE_NOW: NOW, ...env },
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

/** Replaces commit shas and request ids (they depend on the order of requests) for snapshots. */
function normalise(register: Register): Register {
  const text = JSON.stringify(register)
    .replace(/"commit":"[0-9a-f]{40}"/g, '"commit":"<commit>"')
    .replace(/ at [0-9a-f]{12}:/g, " at <commit>:")
    .replace(/request id 5150:[0-9A-F]+:SIM/g, "request id <id>");
  return JSON.parse(text) as Register;
}

/**
 * Organisation `regorg`: one repository of each case the register must name, plus a healthy one.
 * The token cannot read `regorg/secret`.
 */
function organisation(org: string): void {
  sim.state.setNow(new Date("2026-06-30T09:00:00Z"));
  governedRepository(sim, org, "healthy", { systems: 2 });
  governedRepository(sim, org, "overdue", { systems: 1, reviewBy: "2026-11-01" });
  governedRepository(sim, org, "due-soon", { systems: 1, reviewBy: "2026-12-15" });
  const broken = sim.state.createRepo({ owner: org, name: "broken" });
  broken.commit("main", { files: { ".github/ai-governance.yml": "systems: [\n  - id: x\n" } });
  const plain = sim.state.createRepo({ owner: org, name: "plain" });
  plain.commit("main", { files: { "README.md": "no AI here\n" } });
  governedRepository(sim, org, "attic").archived = true;
  sim.state.createRepo({ owner: org, name: "fresh" });
  governedRepository(sim, org, "secret");
  const other = governedRepository(sim, org, "mixed-up", { systems: 1 });
  other.commit("main", {
    files: {
      [`governance/assessments/${systemId("mixed-up", 0)}.yml`]: (
        other.fileAt("main", `governance/assessments/${systemId("mixed-up", 0)}.yml`)?.content ?? ""
      ).replace(`system: ${systemId("mixed-up", 0)}`, "system: someone-else"),
    },
  });
  sim.failNext((r) => r.path.includes(`/repos/${org}/secret/`), 403, 1_000, {
    message: "Resource not accessible by personal access token",
  });
}

describe("aigate register --org against the simulated GitHub", () => {
  let register: Register;
  let run: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    organisation("regorg");
    run = await aigate(["register", "--org", "regorg", "--no-cache"]);
    register = JSON.parse(run.stdout) as Register;
  });

  it("exits 1: an assessment is expired, another names another system, a manifest is invalid, a repository unreadable", () => {
    expect(run.code, run.stderr).toBe(1);
  });

  it("lists every system with its status, and names every repository without systems (snapshot)", () => {
    expect(register.systems.map((s) => [s.repository, s.system, s.assessment.status])).toEqual([
      ["regorg/due-soon", "due-soon-model-1", "expiring"],
      ["regorg/healthy", "healthy-model-1", "current"],
      ["regorg/healthy", "healthy-model-2", "current"],
      ["regorg/mixed-up", "mixed-up-model-1", "invalid"],
      ["regorg/overdue", "overdue-model-1", "expired"],
    ]);
    expect(register.problems.map((p) => [p.repository, p.kind])).toEqual([
      ["regorg/attic", "archived"],
      ["regorg/broken", "invalid_manifest"],
      ["regorg/fresh", "empty"],
      ["regorg/plain", "not_governed"],
      ["regorg/secret", "unreadable"],
    ]);
    expect(register.problems[4]?.reason).toMatch(
      /^the token may not read it: GitHub 403 on GET \/repos\/regorg\/secret\/git\/ref\/heads%2Fmain \(request id 5150:[0-9A-F]+:SIM\)$/,
    );
    expect(register.source).toEqual({ kind: "github", description: "organisation regorg" });
    expect(normalise(register)).toMatchSnapshot();
  });

  it("shows progress on standard error, one line a repository when it is not a terminal", () => {
    expect(run.stderr).toContain("aigate: reading organisation regorg: 9 repository(ies)\n");
    expect(run.stderr.match(/^aigate: \[\d+\/9\] regorg\//gm)).toHaveLength(9);
    expect(run.stderr).not.toContain(TOKEN);
  });
});

describe("aigate register --repo", () => {
  it("reads only the repositories named, and names one the token cannot see", async () => {
    sim.state.setNow(new Date("2026-06-30T09:00:00Z"));
    governedRepository(sim, "named", "one", { systems: 1 });
    governedRepository(sim, "named", "two", { systems: 3 });
    const run = await aigate([
      "register",
      "--repo",
      "named/one",
      "--repo",
      "named/nowhere",
      "--no-cache",
      "--format",
      "md",
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("| named/one | one-model-1 |");
    expect(run.stdout).not.toContain("named/two");
    expect(run.stdout).toMatch(
      /\| named\/nowhere \| unreadable \| not found, or the token cannot read it: GitHub 404 on GET \/repos\/named\/nowhere/,
    );
  });
});

describe("aigate register: requests per repository, with the cache", () => {
  it("costs one conditional request per repository when nothing changed, answered 304", async () => {
    sim.state.setNow(new Date("2026-06-30T09:00:00Z"));
    for (let i = 0; i < 5; i++) governedRepository(sim, "cached", `r${i}`, { systems: 5 });
    const cache = join(dir, "cache");
    const args = ["register", "--org", "cached", "--cache-dir", cache];

    let mark = sim.requests.length;
    const first = await aigate(args);
    expect(first.code, first.stderr).toBe(0);
    const cold = sim.requests.slice(mark);
    // list (1) + per repository: head, tree, manifest blob, 5 assessment blobs.
    expect(cold.length).toBe(1 + 5 * 8);

    mark = sim.requests.length;
    const second = await aigate(args);
    const warm = sim.requests.slice(mark);
    expect(second.stdout).toBe(first.stdout);
    expect(warm.map((r) => r.operationId)).toEqual([
      "repos/list-for-org",
      ...Array(5).fill("git/get-ref"),
    ]);
    expect(warm.filter((r) => r.status === 304)).toHaveLength(5);

    // One assessment changes: one head, one tree, one blob more for that repository.
    sim.state.repo("cached", "r2")?.commit("main", {
      files: {
        [`governance/assessments/${systemId("r2", 0)}.yml`]: (
          sim.state
            .repo("cached", "r2")
            ?.fileAt("main", `governance/assessments/${systemId("r2", 0)}.yml`)?.content ?? ""
        ).replace("review_by: 2027-06-30", "review_by: 2027-07-31"),
      },
    });
    mark = sim.requests.length;
    const third = await aigate(args);
    const changed = sim.requests.slice(mark).filter((r) => r.status !== 304);
    expect(changed.map((r) => r.operationId)).toEqual([
      "repos/list-for-org",
      "git/get-ref",
      "git/get-tree",
      "git/get-blob",
    ]);
    expect(
      (JSON.parse(third.stdout) as Register).systems.find((s) => s.system === systemId("r2", 0))
        ?.assessment.review_by,
    ).toBe("2027-07-31");
  });

  it("falls back to the contents API when GitHub cuts a large tree", async () => {
    sim.state.setNow(new Date("2026-06-30T09:00:00Z"));
    governedRepository(sim, "huge", "monorepo", { systems: 2 });
    sim.state.treeEntryLimit = 3;
    try {
      const run = await aigate(["register", "--repo", "huge/monorepo", "--no-cache"]);
      expect(run.code, run.stderr).toBe(0);
      expect((JSON.parse(run.stdout) as Register).totals.by_status.current).toBe(2);
    } finally {
      sim.state.treeEntryLimit = 100_000;
    }
  });
});

describe("aigate register --with-approvals", () => {
  it("adds the last merged change whose verified attestations approve each system", async () => {
    sim.state.setNow(new Date("2026-06-30T09:00:00Z"));
    const repo = governedRepository(sim, "approving", "models", { systems: 2 });
    const first = systemId("models", 0);
    const key = generateKeyPair();
    const signer = createSigner(key.privateKeyPem);
    writeFileSync(join(dir, "jwks.json"), JSON.stringify(jwksFrom([key.publicKeyPem])));
    const base = repo.resolveRef("main") ?? "";
    const head = repo.commit("tune", {
      files: { [`models/${first}/model.py`]: "weights = 42\n" },
      author: "dave",
    });
    const pr = repo.openPullRequest({ head: "tune", author: "dave", title: "Tune model 1" });
    const review = pr.addReview({ user: "alice", state: "APPROVED" });
    const alice = sim.state.user("alice");
    const statement = statementFor({
      decision: "approved",
      repository: { id: repo.id, full_name: repo.fullName },
      pull_request: { number: pr.number, base_ref: "main", base_sha: base, head_sha: head },
      manifest: { path: ".github/ai-governance.yml", base_sha: base, sha256: "a".repeat(64) },
      assessments: [],
      systems: [{ id: first, reason: "listed user" }],
      approver: { id: alice.id, login: alice.login },
      source: { kind: "review", id: review.id, at: review.submittedAt, commit: head },
      issuer: { kind: "app", key_id: signer.keyId },
      issued_at: "2026-06-30T09:00:00Z",
      prev: null,
    });
    const signed = signer.sign(statement);
    repo.addComment(pr.number, {
      user: sim.state.appBot,
      body: renderAttestationComment(signed.envelope, statement),
    });
    pr.merge("dave");

    const run = await aigate([
      "register",
      "--repo",
      "approving/models",
      "--with-approvals",
      "--jwks",
      "jwks.json",
      "--no-cache",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const register = JSON.parse(run.stdout) as Register;
    expect(register.with_approvals).toBe(true);
    expect(
      register.systems.map((s) => [s.system, s.last_approved_change?.pull_request ?? null]),
    ).toEqual([
      [first, pr.number],
      [systemId("models", 1), null],
    ]);
    expect(register.systems[0]?.last_approved_change).toMatchObject({
      title: "Tune model 1",
      approvers: [{ login: "alice", id: alice.id }],
      attestations: [signed.digest],
    });
  });
});

describe("aigate register --org: errors that stop the run (exit 2)", () => {
  it("for a token GitHub rejects", async () => {
    sim.failNext("repos/list-for-org", 401, 1, { message: "Bad credentials" });
    const run = await aigate(["register", "--org", "regorg", "--no-cache"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("GitHub rejected the token (401)");
    expect(run.stdout).toBe("");
  });

  it("for an organisation that does not exist", async () => {
    const run = await aigate(["register", "--org", "no-such-org", "--no-cache"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no organisation or user no-such-org");
  });
});
