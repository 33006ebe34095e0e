/**
 * docs/architecture.md#security-invariants, one `describe` per security invariant, each proven where it is enforced: the pure
 * engine by unit tests, the App end to end (real Probot over HTTP against the simulated GitHub),
 * the CLI in-process. Each test names the attack it stops.
 */
import { createHash, createPrivateKey, sign } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import { pino } from "pino";
import { Probot } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliver, issueCommentEvent, pullRequestEvent } from "../../sim/index.js";
import { governedRepo, type Stack, startStack } from "../../sim/stack.js";
import { createApp } from "../../src/app.js";
import { main } from "../../src/cli/index.js";
import {
  approvalsFrom,
  createSigner,
  extractAttestation,
  generateKeyPair,
  PAYLOAD_TYPE,
  pae,
  verifyAttestations,
} from "../../src/core/attestation/index.js";
import { parseCommands } from "../../src/core/commands.js";
import { evaluate } from "../../src/core/policy/index.js";
import { renderCheck } from "../../src/core/report/index.js";
import type { Decision, Facts } from "../../src/core/types.js";
import type { GitHubClient } from "../../src/github/client.js";
import { EVIDENCE_ATTEMPTS } from "../../src/github/flow/attest.js";
import { reconcile } from "../../src/github/flow/reconcile.js";
import { loadAppConfig, StartupError } from "../../src/github/operator/config.js";
import { createAdapterCache } from "../../src/github/reads/cache.js";
import { readChangedSince } from "../../src/github/reads/change.js";
import {
  HEAD as ATTESTED_HEAD,
  found,
  issue,
  issuer,
  issuerKey,
  markerBody,
  other,
  PR,
  REPO,
  trusted,
} from "../core/attestation/helpers.js";
import {
  ALICE,
  AUTHOR,
  approval,
  BOT,
  CAROL,
  CREDIT_ASSESSMENT,
  changed,
  commit,
  creditChange,
  creditHeadFiles,
  DAVE,
  HEAD_SHA,
  MANIFEST_FILE,
  MANIFEST_YAML,
  NOW,
  OLD_HEAD_SHA,
} from "../core/policy/fixtures.js";
import { TempRepo } from "../support/git-repo.js";
import { driver, fakeGitHub, HEAD, MANIFEST_PATH, modelChange, OVERSIGHT } from "./helpers.js";

let stack: Stack;
const app = driver(() => stack);
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** An approval of credit-scoring by a listed approver, bound to the head. */
const byAlice = (options: Parameters<typeof approval>[2] = {}) =>
  approval(ALICE, [{ system: "credit-scoring", reason: "listed user" }], options);
/** The second approval credit-scoring needs: a member of acme/model-risk. */
const byCarol = (options: Parameters<typeof approval>[2] = {}) =>
  approval(CAROL, [{ system: "credit-scoring", reason: "member of acme/model-risk" }], options);

function oversightOf(decision: Decision, system = "credit-scoring") {
  const result = decision.oversight.systems.find((s) => s.system === system);
  if (!result) throw new Error(`${system} is not affected`);
  return result;
}

describe("§8.1 The manifest comes from the base commit; a PR never relaxes its own gate", () => {
  // Also: test/e2e/scenarios.test.ts, "a PR that edits the manifest to drop a system is still gated".
  const relaxed = MANIFEST_YAML.replace("tier: high", "tier: minimal")
    .replace("approvals: 2", "approvals: 0")
    .replace('users: ["alice"]', 'users: ["alice", "dave"]');

  it("a manifest relaxed by the PR is only validated: the base's tier, approvals and approvers decide", () => {
    expect(relaxed).not.toBe(MANIFEST_YAML);
    const decision = evaluate(
      creditChange({
        changedFiles: changed("models/credit/weights.bin", CREDIT_ASSESSMENT, MANIFEST_FILE),
        proposedManifest: { text: relaxed, sha256: "f".repeat(64) },
        approvals: [approval(DAVE, [{ system: "credit-scoring", reason: "listed user" }])],
      }),
      NOW,
    );
    expect(decision.proposedManifest?.status).toBe("ok");
    expect(decision.affected.map((a) => a.id)).toContain("aigate:manifest");
    const credit = oversightOf(decision);
    expect(credit.required).toBe(2);
    expect(credit.counted).toEqual([]);
    expect(credit.rejected[0]?.reason).toMatch(
      /not an approver of credit-scoring in the base manifest/,
    );
    expect(oversightOf(decision, "aigate:manifest").status).toBe("waiting");
    expect(decision.oversight.conclusion).toBe("action_required");
  });

  it("the App reads the manifest at the base: an approver the PR adds to it is refused", async () => {
    const repo = governedRepo(stack.sim);
    const base = repo.fileAt("main", MANIFEST_PATH)?.content ?? "";
    const pr = await app.open(repo, {
      ...modelChange(),
      [MANIFEST_PATH]: base.replace('users: ["alice"]', 'users: ["alice", "frank"]'),
    });
    await app.comment(repo, pr, "frank", "/approve credit-scoring");
    expect(app.attestations(repo, pr)).toEqual([]);
    expect(app.replies(repo, pr)[0]?.body).toContain("you are not an approver for credit-scoring");
    expect(app.checks(repo, pr).oversight?.conclusion).toBe("action_required");
    expect(app.checks(repo, pr).oversight?.summary).toContain("aigate:manifest");
  });

  it("a green check run with aigate's name written by another app (say, the PR's own workflow) does not stop aigate writing its own red one", async () => {
    const repo = governedRepo(stack.sim);
    const pr = app.draft(repo, modelChange());
    stack.sim.state.addToken("workflow-of-the-pr", {
      app: { id: 15368, slug: "github-actions", name: "GitHub Actions", ownerLogin: "github" },
    });
    const workflow = new Octokit({ baseUrl: stack.sim.apiUrl, auth: "workflow-of-the-pr" });
    await workflow.checks.create({
      owner: "acme",
      repo: repo.name,
      name: OVERSIGHT,
      head_sha: pr.headSha,
      status: "completed",
      conclusion: "success",
      output: { title: "2 of 2 approvals recorded", summary: "trust me" },
    });
    expect(await stack.send("pull_request", pullRequestEvent("opened", repo, pr))).toBe(200);
    const ours = stack.sim.state
      .checkRuns(repo, pr.headSha)
      .all.filter((r) => r.name === OVERSIGHT && r.app.id === stack.sim.state.app.id);
    expect(ours.map((r) => r.conclusion)).toEqual(["action_required"]);
  });

  it("the CLI reads the manifest at the base: a branch that lowers the tier still fails", async () => {
    const repo = TempRepo.fromDemo();
    try {
      repo.branch("feature");
      repo.edit(MANIFEST_PATH, "tier: high", "tier: minimal");
      repo.write("models/credit/weights.json", '{"bias": 1}\n');
      repo.commitAll("lower the tier and retrain without an assessment");
      let stdout = "";
      const code = await main(["node", "aigate", "check", "--base", "main", "--json"], {
        cwd: repo.dir,
        env: { ...process.env, AIGATE_NOW: "2026-11-27T12:00:00Z" },
        stdout: (text) => {
          stdout += text;
        },
        stderr: () => {},
      });
      const decision = JSON.parse(stdout) as Decision;
      expect(decision.affected.find((a) => a.id === "credit-scoring")?.tier).toBe("high");
      expect(decision.assessment.conclusion).toBe("failure");
      expect(code).toBe(1);
    } finally {
      repo.remove();
    }
  });
});

describe("§8.2 Authors and (by default) committers cannot approve their own PR", () => {
  // Also: test/e2e/scenarios.test.ts, "author self-approval refused" and "committer approval refused";
  // test/core/policy/oversight.test.ts for every rule of the gate.
  it("the author never counts, matched by id whatever the login's case", () => {
    const decision = evaluate(
      creditChange({
        approvals: [
          approval({ id: AUTHOR.id ?? 0, login: "PAULA", type: "User" }, ["credit-scoring"]),
          approval({ login: "Paula", type: "User" }, ["credit-scoring"]),
          byAlice(),
        ],
      }),
      NOW,
    );
    const credit = oversightOf(decision);
    expect(credit.counted.map((c) => c.approver)).toEqual(["alice"]);
    expect(credit.rejected.map((r) => r.reason)).toEqual([
      "the pull request's author cannot approve it",
      "the pull request's author cannot approve it",
    ]);
  });

  it("an author or committer of any of the PR's commits never counts, nor a bot", () => {
    const decision = evaluate(
      creditChange({
        commits: [commit(OLD_HEAD_SHA, AUTHOR, CAROL), commit(HEAD_SHA)],
        approvals: [byCarol(), byAlice(), approval(BOT, ["credit-scoring"])],
      }),
      NOW,
    );
    const credit = oversightOf(decision);
    expect(credit.counted.map((c) => c.approver)).toEqual(["alice"]);
    expect(credit.rejected.map((r) => r.reason)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^committed aaaaaaa of this pull request/),
        "bots cannot approve",
      ]),
    );
  });

  it("when a commit cannot be attributed to an account, no approval counts (fail closed)", () => {
    const decision = evaluate(
      creditChange({ commits: [commit(HEAD_SHA, null)], approvals: [byAlice(), byCarol()] }),
      NOW,
    );
    expect(oversightOf(decision).counted).toEqual([]);
    expect(decision.oversight.conclusion).not.toBe("success");
  });

  it("when GitHub does not list every commit, no approval counts (fail closed)", () => {
    const decision = evaluate(
      creditChange({ commitsTruncated: true, approvals: [byAlice(), byCarol()] }),
      NOW,
    );
    expect(oversightOf(decision).counted).toEqual([]);
    expect(oversightOf(decision).problems.join("\n")).toContain("more commits than GitHub lists");
    expect(decision.oversight.conclusion).toBe("action_required");
  });

  it("a committer hidden past GitHub's 250-commit listing cannot approve through the App", async () => {
    const repo = governedRepo(stack.sim);
    const pr = app.draft(repo, { "notes/0.txt": "0\n" });
    for (let i = 1; i < 250; i++) {
      repo.commit(pr.headRef, { files: { [`notes/${i}.txt`]: `${i}\n` }, author: "dave" });
    }
    repo.commit(pr.headRef, { files: modelChange(), author: "erin", message: "The model" });
    expect(pr.commits()).toHaveLength(251);
    expect(await stack.send("pull_request", pullRequestEvent("opened", repo, pr))).toBe(200);
    await app.review(repo, pr, "alice");
    await app.review(repo, pr, "erin");
    const oversight = app.checks(repo, pr).oversight;
    expect(oversight?.conclusion).toBe("action_required");
    expect(oversight?.summary).toContain("more commits than GitHub lists");
  });

  it("a bot's approving review is never recorded", async () => {
    const repo = governedRepo(stack.sim);
    stack.sim.state.addTeam("acme/model-risk", ["erin", "carol", "helper[bot]"]);
    const pr = await app.open(repo, modelChange());
    await app.review(repo, pr, "helper[bot]");
    expect(app.attestations(repo, pr)).toEqual([]);
    expect(app.checks(repo, pr).oversight?.summary).toContain("bots cannot approve");
  });
});

/** A statement signed over exactly `payload` by the issuer key, as a marker comment body. */
function signedPayload(payload: string): string {
  const bytes = Buffer.from(payload, "utf8");
  const sig = sign(null, pae(PAYLOAD_TYPE, bytes), createPrivateKey(issuerKey.privateKeyPem));
  return markerBody(
    JSON.stringify({
      payload: bytes.toString("base64"),
      payloadType: PAYLOAD_TYPE,
      signatures: [{ keyid: issuer.keyId, sig: sig.toString("base64") }],
    }),
  );
}

describe("§8.3 A forged, edited, replayed (other repo/PR/head) or unsigned attestation counts for nothing", () => {
  // Also: test/core/attestation/verify.test.ts (every verdict), test/cli/keys-verify.test.ts (the
  // offline verifier), test/e2e/scenarios.test.ts (a forged and an edited comment).
  const genuine = issue();
  const verdictOf = (body: string, place: Parameters<typeof found>[1] = {}) => {
    const report = verifyAttestations([found(body, place)], trusted, { repo: REPO, pr: PR });
    return { verdict: report.statements[0]?.verdict, counted: approvalsFrom(report) };
  };

  it("unsigned, signed by an unknown key, or edited after signing: rejected", () => {
    const envelope = JSON.parse(genuine.envelopeJson) as { payload: string; signatures: unknown[] };
    const unsigned = markerBody(JSON.stringify({ ...envelope, signatures: [] }));
    const forged = issue({}, other).body;
    const widened = Buffer.from(envelope.payload, "base64")
      .toString("utf8")
      .replace("member of acme/model-risk", "listed user");
    const edited = markerBody(
      JSON.stringify({ ...envelope, payload: Buffer.from(widened).toString("base64") }),
    );
    expect(verdictOf(unsigned)).toEqual({ verdict: "malformed", counted: [] });
    expect(verdictOf(forged)).toEqual({ verdict: "unknown_key", counted: [] });
    expect(verdictOf(edited)).toEqual({ verdict: "bad_signature", counted: [] });
    expect(verdictOf(genuine.body).counted).toHaveLength(1);
  });

  it("a genuine statement found on another repository, repository id or pull request: replayed", () => {
    expect(verdictOf(genuine.body, { repository: "acme/other" }).verdict).toBe("replayed");
    expect(verdictOf(genuine.body, { pullRequest: PR + 1 }).verdict).toBe("replayed");
    expect(verdictOf(genuine.body, { repositoryId: 1 }).verdict).toBe("replayed");
    expect(verdictOf(genuine.body, { repositoryId: 1 }).counted).toEqual([]);
  });

  it("a signed payload with a duplicate JSON key, or a comment with two markers: rejected", () => {
    const payload = Buffer.from(JSON.parse(genuine.envelopeJson).payload, "base64").toString(
      "utf8",
    );
    const duplicate = payload.replace(
      '"decision":"approved"',
      '"decision":"revoked","decision":"approved"',
    );
    expect(duplicate).not.toBe(payload);
    expect(verdictOf(signedPayload(payload)).verdict).toBe("valid");
    expect(verdictOf(signedPayload(duplicate))).toEqual({ verdict: "malformed", counted: [] });
    expect(verdictOf(`${genuine.body}\n${genuine.body}`)).toEqual({
      verdict: "malformed",
      counted: [],
    });
  });

  it("a copy of a genuine statement, re-encoded or posted by anyone, counts once; a revoked one stays revoked", () => {
    const urlSafe = markerBody(genuine.envelopeJson, "base64url");
    const copies = verifyAttestations(
      [found(genuine.body), found(urlSafe, { commentAuthor: "mallory" })],
      trusted,
      { repo: REPO, pr: PR },
    );
    expect(copies.statements.map((s) => s.digest)).toEqual([genuine.digest, genuine.digest]);
    expect(approvalsFrom(copies)).toHaveLength(1);

    const revocation = issue({
      decision: "revoked",
      revokes: genuine.digest,
      prev: genuine.digest,
      issued_at: "2026-03-02T10:00:00Z",
      source: { kind: "review", id: 1001, at: "2026-03-02T10:00:00Z", commit: ATTESTED_HEAD },
    });
    const replayed = verifyAttestations(
      [found(genuine.body), found(revocation.body), found(urlSafe, { commentAuthor: "mallory" })],
      trusted,
      { repo: REPO, pr: PR },
    );
    expect(approvalsFrom(replayed)).toEqual([]);
  });

  it("a revoked statement re-posted with another keyid hint, after its comment was deleted, stays revoked", () => {
    const revoked = issue();
    const later = issue({
      prev: revoked.digest,
      approver: { id: 99, login: "risk-officer" },
      source: { kind: "comment", id: 555, at: "2026-03-02T10:00:00Z", commit: ATTESTED_HEAD },
      issued_at: "2026-03-02T10:00:01Z",
    });
    const revocation = issue({
      decision: "revoked",
      revokes: revoked.digest,
      prev: later.digest,
      issued_at: "2026-03-02T11:00:00Z",
      source: { kind: "review", id: 1001, at: "2026-03-02T11:00:00Z", commit: ATTESTED_HEAD },
    });
    // Someone with write access deletes the approval's comment and posts it again with the
    // unsigned keyid hint removed: same payload, same signature, another digest.
    const envelope = JSON.parse(revoked.envelopeJson) as { signatures: Array<{ sig: string }> };
    const stripped = markerBody(
      JSON.stringify({ ...envelope, signatures: [{ sig: envelope.signatures[0]?.sig }] }),
    );
    const report = verifyAttestations(
      [found(stripped, { commentAuthor: "mallory" }), found(later.body), found(revocation.body)],
      trusted,
      { repo: REPO, pr: PR },
    );
    expect(report.statements[0]?.digest).not.toBe(revoked.digest);
    expect(report.statements[0]?.verdict).toBe("revoked");
    // (The later statement names the deleted comment as its predecessor: reported, not counted.)
    expect(report.statements[1]?.verdict).toBe("missing_predecessor");
    expect(approvalsFrom(report)).toEqual([]);
  });

  it("an /approve comment edited by someone else (GitHub does not say who) is not its author's approval", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await app.open(repo, modelChange());
    const remark = repo.addComment(pr.number, {
      user: "erin",
      body: "I will look at the evaluation report tomorrow.",
    });
    // dave, the author, has write access and rewrites erin's comment a minute later.
    stack.sim.state.setNow(new Date(Date.now() + 60_000));
    try {
      repo.editComment(remark.id, "/approve credit-scoring");
    } finally {
      stack.sim.state.setNow(() => new Date());
    }
    const event = issueCommentEvent("edited", repo, pr, remark, { sender: "dave" });
    expect(await stack.send("issue_comment", event)).toBe(200);
    expect(app.attestations(repo, pr)).toEqual([]);
    expect(app.replies(repo, pr)[0]?.body).toContain("edited after it was posted");
    expect(app.checks(repo, pr).oversight?.title).toBe(
      "Waiting for 2 of 2 approvals (credit-scoring)",
    );
  });

  it("a genuine attestation copied from another pull request of the same repository is reported as replayed", async () => {
    const repo = governedRepo(stack.sim);
    const first = await app.open(repo, modelChange());
    await app.review(repo, first, "alice");
    const [signed] = app.attestations(repo, first);
    if (!signed) throw new Error("no attestation on the first pull request");
    const second = await app.open(repo, modelChange("v3"));
    const pasted = await app.comment(repo, second, "mallory", signed.body);
    const oversight = app.checks(repo, second).oversight;
    expect(oversight?.title).toBe("Waiting for 2 of 2 approvals (credit-scoring)");
    expect(oversight?.summary).toMatch(new RegExp(`\\| ${pasted.id} \\| mallory \\| replayed`));
  });
});

describe("§8.4 Approvals on an old head never pass a new head with governed changes", () => {
  // Also: test/e2e/scenarios.test.ts, "approval stale after a push touching governed paths".
  const old = { commit: OLD_HEAD_SHA };
  const decide = (changedSince: Facts["changedSince"], yaml = MANIFEST_YAML) =>
    oversightOf(
      evaluate(
        creditChange({
          manifest: {
            status: "present",
            path: MANIFEST_FILE,
            baseSha: "b".repeat(40),
            sha256: createHash("sha256").update(yaml).digest("hex"),
            text: yaml,
          },
          approvals: [byAlice(old), byCarol(old)],
          changedSince,
        }),
        NOW,
      ),
    );

  it("stale after governed files changed; kept after other files only", () => {
    expect(decide({ [OLD_HEAD_SHA]: ["models/credit/weights.bin"] }).status).toBe("waiting");
    expect(decide({ [OLD_HEAD_SHA]: [CREDIT_ASSESSMENT] }).status).toBe("waiting");
    expect(decide({ [OLD_HEAD_SHA]: [MANIFEST_FILE] }).status).toBe("waiting");
    expect(decide({ [OLD_HEAD_SHA]: ["README.md"] }).status).toBe("met");
  });

  it("stale when the changes since cannot be determined (history rewritten, compare failed)", () => {
    const unknown = decide({ [OLD_HEAD_SHA]: null });
    expect(unknown.status).toBe("waiting");
    expect(unknown.rejected.every((r) => r.stale)).toBe(true);
    expect(decide({}).status).toBe("waiting");
  });

  it("under invalidate_on_push: always, any push makes them stale", () => {
    const always = MANIFEST_YAML.replace(
      "invalidate_on_push: governed",
      "invalidate_on_push: always",
    );
    expect(always).not.toBe(MANIFEST_YAML);
    expect(decide({ [OLD_HEAD_SHA]: ["README.md"] }, always).status).toBe("waiting");
  });

  it("approvals given while the PR targeted another branch are stale, even on the same head", () => {
    const decision = evaluate(
      creditChange({
        approvals: [
          { ...byAlice(), baseRef: "develop" },
          { ...byCarol(), baseRef: "develop" },
        ],
      }),
      NOW,
    );
    const credit = oversightOf(decision);
    expect(credit.counted).toEqual([]);
    expect(credit.rejected.map((r) => r.reason)).toEqual([
      "stale: given for a change into develop, and the pull request now targets main",
      "stale: given for a change into develop, and the pull request now targets main",
    ]);
    expect(
      oversightOf(
        evaluate(
          creditChange({
            approvals: [
              { ...byAlice(), baseRef: "main" },
              { ...byCarol(), baseRef: "main" },
            ],
          }),
          NOW,
        ),
      ).status,
    ).toBe("met");
  });

  it("retargeting an approved PR to a branch it brings unreviewed governed changes to leaves its approvals stale", async () => {
    const repo = governedRepo(stack.sim);
    repo.createBranch("dev");
    // Pushed straight to dev, never reviewed.
    repo.commit("dev", { files: { "models/credit/backdoor.py": "x = 1\n" }, author: "mallory" });
    repo.createBranch("feat-on-dev", "dev");
    repo.commit("feat-on-dev", { files: modelChange(), author: "dave" });
    const pr = repo.openPullRequest({ head: "feat-on-dev", base: "dev", author: "dave" });
    expect(await stack.send("pull_request", pullRequestEvent("opened", repo, pr))).toBe(200);
    await app.review(repo, pr, "alice");
    await app.review(repo, pr, "erin");
    expect(app.checks(repo, pr).oversight?.conclusion).toBe("success");

    // The author changes the base to main: same head, and now the backdoor is in the diff.
    Object.assign(pr, { baseRef: "main", baseSha: repo.resolveRef("main") });
    expect(pr.files().map((f) => f.filename)).toContain("models/credit/backdoor.py");
    const edited = pullRequestEvent("edited", repo, pr, {
      changes: { base: { ref: { from: "dev" }, sha: { from: repo.resolveRef("dev") } } },
    });
    expect(await stack.send("pull_request", edited)).toBe(200);
    const oversight = app.checks(repo, pr).oversight;
    expect(oversight?.conclusion).toBe("action_required");
    expect(oversight?.summary).toContain("given for a change into dev");
  });

  it("a compare that GitHub answers without its list of files leaves the approval stale", async () => {
    const compare = async (files?: Array<{ filename: string }>) => {
      const client = {
        rest: {
          repos: {
            compareCommitsWithBasehead: async () => ({
              data: { status: "ahead", ...(files ? { files } : {}) },
            }),
          },
        },
      } as unknown as GitHubClient;
      const repo = { owner: "acme", repo: "models" };
      return readChangedSince(client, createAdapterCache(), repo, OLD_HEAD_SHA, HEAD_SHA);
    };
    expect(await compare([{ filename: "README.md" }])).toEqual(["README.md"]);
    expect(await compare()).toBeNull();
  });

  it("a force-push that rewrites history leaves the approvals stale, even with the same content", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await app.open(repo, modelChange());
    await app.review(repo, pr, "alice");
    await app.review(repo, pr, "erin");
    expect(app.checks(repo, pr).oversight?.conclusion).toBe("success");
    const approved = pr.headSha;
    await app.push(
      repo,
      pr,
      { ...modelChange(), "README.md": "rewritten\n" },
      {
        parents: [pr.baseSha],
      },
    );
    expect(pr.headSha).not.toBe(approved);
    const oversight = app.checks(repo, pr).oversight;
    expect(oversight?.conclusion).toBe("action_required");
    expect(oversight?.summary).toContain("(stale)");
  });

  it("an approving review GitHub no longer ties to a commit is not bound to the new head", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await app.open(repo, modelChange());
    // Reviews whose commit GitHub reports as null; their webhooks were missed.
    for (const user of ["alice", "erin"]) {
      Object.assign(pr.addReview({ user, state: "APPROVED" }), { commitId: null });
    }
    await app.comment(repo, pr, "frank", "/aigate recheck");
    expect(app.attestations(repo, pr)).toEqual([]);
    expect(app.checks(repo, pr).oversight?.conclusion).toBe("action_required");
  });
});

describe("§8.5 Webhooks without a valid X-Hub-Signature-256 are rejected; the app refuses to start in production without a webhook secret or a signing key", () => {
  // Also: test/github/operator/config.test.ts and test/app/app.test.ts, "starting the App".
  it("a webhook unsigned, wrongly signed, or signed with Probot's fallback secret is refused before any API call", async () => {
    const repo = governedRepo(stack.sim);
    const pr = app.draft(repo, modelChange());
    const payload = pullRequestEvent("opened", repo, pr);
    const mark = stack.sim.requests.length;
    expect(await stack.send("pull_request", payload, { signature: null })).toBe(401);
    expect(
      await stack.send("pull_request", payload, { signature: `sha256=${"a".repeat(64)}` }),
    ).toBe(401);
    expect(await deliver(stack.appUrl, "development", "pull_request", payload)).toBe(401);
    expect(stack.sim.requests.slice(mark)).toEqual([]);
    expect(stack.sim.state.checkRuns(repo, pr.headSha).all).toEqual([]);
    // The same payload, correctly signed, is taken.
    expect(await stack.send("pull_request", payload)).toBe(200);
    expect(app.checks(repo, pr).oversight?.conclusion).toBe("action_required");
  });

  it("production refuses a missing, empty or public ('development') webhook secret, and a missing signing key", () => {
    const cwd = mkdtempSync(join(tmpdir(), "aigate-security-"));
    const key = generateKeyPair().privateKeyPem;
    const start = (env: NodeJS.ProcessEnv) => () =>
      loadAppConfig({ env: { NODE_ENV: "production", ...env }, cwd });
    expect(start({ AIGATE_SIGNING_KEY: key })).toThrow(StartupError);
    expect(start({ AIGATE_SIGNING_KEY: key, WEBHOOK_SECRET: " " })).toThrow(/WEBHOOK_SECRET/);
    expect(start({ AIGATE_SIGNING_KEY: key, WEBHOOK_SECRET: "development" })).toThrow(
      /WEBHOOK_SECRET/,
    );
    expect(start({ WEBHOOK_SECRET: "s3cret-from-the-app-settings" })).toThrow(/AIGATE_SIGNING_KEY/);
    expect(
      start({ AIGATE_SIGNING_KEY: key, WEBHOOK_SECRET: "s3cret-from-the-app-settings" })(),
    ).toMatchObject({ production: true, signingKeySource: "environment" });
  });

  it("the Probot app itself does not load in production without them", async () => {
    const instance = new Probot({
      appId: 123,
      privateKey: generateKeyPair().privateKeyPem,
      log: pino({ level: "silent" }),
    });
    await expect(
      instance.load(
        createApp({
          env: { NODE_ENV: "production", WEBHOOK_SECRET: "development" },
          cwd: mkdtempSync(join(tmpdir(), "aigate-security-")),
        }),
        { cwd: process.cwd(), addHandler: () => {} },
      ),
    ).rejects.toThrow(
      /refuses to start in production without WEBHOOK_SECRET and AIGATE_SIGNING_KEY/,
    );
  });
});

const SECRET_PEM = generateKeyPair().privateKeyPem;
const TOKEN = `ghs_${"Ab1".repeat(12)}`;

describe("§8.6 Secrets (keys, tokens) never appear in logs, check runs or comments", () => {
  // Also: test/e2e/scenarios.test.ts, "secrets never reach logs, check runs or comments", and
  // test/github/errors.test.ts (redaction of any text).
  it("an error whose message carries a key and a token is reported without them", async () => {
    const logs: string[] = [];
    const log = (line: string) => void logs.push(line);
    const github = fakeGitHub(
      {},
      {
        get: () => {
          throw new Error(`could not authenticate with ${SECRET_PEM} and token ${TOKEN}`);
        },
      },
    );
    const result = await reconcile(
      github.client,
      { owner: "acme", repo: "models", pullNumber: 7, headSha: HEAD },
      {
        signer: createSigner(SECRET_PEM),
        trustedJwks: { keys: [] },
        issuer: { kind: "app" },
        now: () => NOW,
        log: { info: log, warn: log, error: log },
        cache: createAdapterCache(),
      },
    );
    expect(result.error?.description).toContain("[redacted key]");
    expect(github.checks).toHaveLength(2);
    const written = JSON.stringify([github.checks, github.comments, logs]);
    expect(written).toContain("internal error");
    expect(written).not.toContain("PRIVATE KEY");
    expect(written).not.toContain(SECRET_PEM.split("\n")[1]);
    expect(written).not.toContain(TOKEN);
  });

  it("after approvals, refusals and failed calls, nothing the App wrote or logged holds a secret", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await app.open(repo, modelChange());
    await app.review(repo, pr, "alice");
    await app.comment(repo, pr, "mallory", "/approve");
    stack.sim.failNext("issues/create-comment", 502, EVIDENCE_ATTEMPTS);
    await app.review(repo, pr, "erin");
    stack.sim.failNext("pulls/get", 401, 1, { message: "Bad credentials" });
    await app.comment(repo, pr, "frank", "/aigate recheck");
    const written = [
      ...stack.logs,
      ...stack.sim.state
        .allRepos()
        .flatMap((r) => [
          ...r.checkRuns.map((c) => JSON.stringify(c.history ?? c.output)),
          ...[...r.comments.values()].map((c) => c.body),
        ]),
    ].join("\n");
    expect(written).toContain("aigate could not evaluate");
    for (const secret of stack.secrets) {
      expect(written).not.toContain(secret);
      for (const line of secret.split("\n").filter((l) => l.length > 20 && !l.startsWith("-"))) {
        expect(written).not.toContain(line);
      }
    }
    expect(written).not.toContain("PRIVATE KEY");
    expect(written).not.toMatch(/gh[su]_[A-Za-z0-9]{20,}/);
  });
});

/** Facts whose base manifest is `yaml`, for a change to the credit model. */
function withManifest(yaml: string): Facts {
  return creditChange({
    manifest: {
      status: "present",
      path: MANIFEST_FILE,
      baseSha: "b".repeat(40),
      sha256: createHash("sha256").update(yaml).digest("hex"),
      text: yaml,
    },
  });
}

describe("§8.7 Bad input of any kind (YAML, JSON, comment text, API pages) gives a clear error and a red check, never a crash, a hang or a green check", () => {
  // Also: test/core/yaml/, the property tests of manifests, assessments, comment commands
  // and attestations, and test/app/app.test.ts, "fails closed when GitHub cannot list every changed file".
  const hostileManifests: Record<string, string> = {
    "an alias bomb": `version: 1\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
    "nesting 50 000 deep": `version: ${"[".repeat(50_000)}${"]".repeat(50_000)}\n`,
    "a __proto__ key": `${MANIFEST_YAML}__proto__: { polluted: true }\n`,
    "a file over 1 MB": `${MANIFEST_YAML}# ${"x".repeat(1_100_000)}\n`,
    "binary bytes": "\u0000\u0001\u0002\uFFFD\u001b[31m",
    "a duplicate key": MANIFEST_YAML.replace("version: 1", "version: 1\nversion: 1"),
    "a typo in a key": MANIFEST_YAML.replace("approvers:", "aprovers:"),
    "a list where a map belongs": "version: 1\ngovernance: []\nsystems: {}\n",
  };

  for (const [name, yaml] of Object.entries(hostileManifests)) {
    it(`a base manifest with ${name}: both checks red, each error naming the file`, () => {
      const decision = evaluate(withManifest(yaml), NOW);
      expect(decision.manifest.status).toBe("invalid");
      expect(decision.assessment.conclusion).toBe("failure");
      expect(decision.oversight.conclusion).toBe("failure");
      expect(decision.assessment.title).toBe("Invalid governance manifest");
      expect(decision.manifest.errors.length).toBeGreaterThan(0);
      for (const error of decision.manifest.errors) {
        expect(error.file).toBe(MANIFEST_FILE);
        expect(error.message.length).toBeGreaterThan(10);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it("a hostile risk assessment fails the assessment gate, naming the file", () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n`;
    const decision = evaluate(
      creditChange({ headFiles: creditHeadFiles(bomb), approvals: [byAlice(), byCarol()] }),
      NOW,
    );
    expect(decision.assessment.conclusion).toBe("failure");
    const result = decision.assessment.systems.find((s) => s.system === "credit-scoring");
    expect(result?.errors[0]?.file).toBe(CREDIT_ASSESSMENT);
  });

  it("comment text of any shape never throws and never yields a command outside a plain line", () => {
    const bodies = [
      "x".repeat(70_000),
      `/approve ${"a ".repeat(600)}`,
      "```\n/approve\n```",
      "> /approve",
      "`/approve`",
      " /approve",
      "\u202e/approve",
      "/approve\u0000credit-scoring",
      "/approve <img src=x onerror=alert(1)>",
      `/approve credit-scoring -- ${"n".repeat(600)}`,
      "~~~\n".repeat(10_000),
    ];
    for (const body of bodies) {
      expect(parseCommands(body).decision, JSON.stringify(body.slice(0, 40))).toBeUndefined();
    }
  });

  it("attestation markers of any shape give a verdict, never an exception or a counted approval", () => {
    const bodies = [
      "<!-- aigate-attestation:v1 -->",
      "<!-- aigate-attestation:v1 !!!! -->",
      `<!-- aigate-attestation:v1 ${Buffer.from("[".repeat(20_000)).toString("base64")} -->`,
      markerBody('{"payloadType":1,"payload":"","signatures":[]}'),
      markerBody(
        `{"payloadType":"${PAYLOAD_TYPE}","payload":"e30=","signatures":[{"sig":"AA=="}]}`,
      ),
      markerBody("\u0000"),
      `<!-- aigate-attestation:v1 ${"A".repeat(60_000)} -->`,
    ];
    const report = verifyAttestations(
      bodies.map((body) => found(body)),
      trusted,
      { repo: REPO, pr: PR },
    );
    expect(report.statements).toHaveLength(bodies.length);
    expect(report.summary.ok).toBe(false);
    expect(approvalsFrom(report)).toEqual([]);
    expect(extractAttestation(bodies[2]).ok).toBe(false);
  });

  it("a file whose name holds a new line is still matched by its system's globs", () => {
    const sneaky = "data/credit/extra\n.csv";
    const decision = evaluate(
      creditChange({ changedFiles: changed(sneaky, CREDIT_ASSESSMENT) }),
      NOW,
    );
    expect(decision.affected.find((a) => a.id === "credit-scoring")?.files[0]?.path).toBe(sneaky);
    expect(decision.oversight.conclusion).toBe("action_required");
  });

  it("the App gates a PR whose only change is such a file", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await app.open(repo, { "data/credit/extra\r\n.csv": "income,debt\n1,2\n" });
    expect(app.checks(repo, pr).oversight?.title).toBe(
      "Waiting for 2 of 2 approvals (credit-scoring)",
    );
  });

  it("a changed file whose name carries Markdown, HTML or new lines stays inside its code span", () => {
    const hostile = "models/credit/x\n## Approved by everyone\n<img src=x>|`|.py";
    const decision = evaluate(
      creditChange({ changedFiles: changed(hostile, CREDIT_ASSESSMENT) }),
      NOW,
    );
    for (const gate of ["assessment", "oversight"] as const) {
      const { summary } = renderCheck(decision, gate);
      expect(summary).toContain("## Approved by everyone");
      expect(summary.split("\n").some((line) => line.startsWith("## Approved"))).toBe(false);
      expect(summary.split("\n").some((line) => line.startsWith("<img"))).toBe(false);
    }
  });

  it("an API page of the wrong shape ends in two red checks, not a crash", async () => {
    const github = fakeGitHub(
      { [MANIFEST_FILE]: MANIFEST_YAML },
      { listFiles: async () => ({ data: [null, { filename: 42 }] }) },
    );
    const result = await reconcile(
      github.client,
      { owner: "acme", repo: "models", pullNumber: 7 },
      {
        trustedJwks: { keys: [] },
        issuer: { kind: "app" },
        now: () => NOW,
        log: { info: () => {}, warn: () => {}, error: () => {} },
        cache: createAdapterCache(),
      },
    );
    expect(result.error?.description).toMatch(/^internal error/);
    expect(github.checks.map((c) => c.conclusion)).toEqual(["failure", "failure"]);
    expect(github.checks.map((c) => c.head_sha)).toEqual([HEAD, HEAD]);
  });

  it("a PR of more than 3000 files fails closed even when no listed file is governed", async () => {
    const repo = governedRepo(stack.sim);
    const files: Record<string, string> = {};
    for (let i = 0; i < 3001; i++) files[`docs/generated/page-${i}.md`] = `${i}\n`;
    const pr = await app.open(repo, files);
    expect(pr.files().length).toBe(3001);
    for (const check of Object.values(app.checks(repo, pr))) {
      expect(check).toMatchObject({ conclusion: "failure" });
      expect(check?.title).toContain("more than 3000 files changed");
    }
  });
});

describe("§8.8 On any GitHub error the check ends red with the request id; retries and rate-limit back-off come from Octokit's retry and throttling plugins", () => {
  // Also: test/e2e/scenarios.test.ts, "a GitHub 502 on a write ends in a red check with the request id".
  /**
   * A pull request whose `opened` event makes every kind of call: alice approved an earlier
   * head (a compare), erin approves the head (a team membership, an attestation comment).
   */
  function everyCallKind() {
    const repo = governedRepo(stack.sim);
    const pr = app.draft(repo, modelChange());
    pr.addReview({ user: "alice", state: "APPROVED" });
    repo.commit(pr.headRef, { files: { "README.md": "more\n" }, author: "dave" });
    const member = `reviewer-${repo.name}`;
    stack.sim.state.addUser({ login: member });
    stack.sim.state.setTeamMember("acme/model-risk", member, true);
    pr.addReview({ user: member, state: "APPROVED" });
    return { repo, pr, member };
  }

  const calls = [
    "pulls/get",
    "pulls/list-files",
    "repos/get-content",
    "pulls/list-commits",
    "pulls/list-reviews",
    "issues/list-comments",
    "teams/get-membership-for-user-in-org",
    "repos/compare-commits",
    "issues/create-comment",
    "checks/list-for-ref",
    "checks/create",
  ];

  for (const operation of calls) {
    it(`a 502 on ${operation}, retried, ends in two red checks naming the call and its request id`, async () => {
      const { repo, pr, member } = everyCallKind();
      const mine = (r: { operationId: string; path: string }) =>
        r.operationId === operation && (r.path.includes(repo.fullName) || r.path.includes(member));
      // Octokit tries a call four times; an evidence comment is tried EVIDENCE_ATTEMPTS times,
      // each after reading whether the last one landed (docs/attestation.md#exactly-once).
      const tries = operation === "issues/create-comment" ? EVIDENCE_ATTEMPTS : 4;
      stack.sim.failNext(mine, 502, tries);
      const mark = stack.sim.requests.length;
      expect(await stack.send("pull_request", pullRequestEvent("opened", repo, pr))).toBe(200);
      const failed = stack.sim.requests
        .slice(mark)
        .filter((r) => r.operationId === operation && r.status === 502);
      expect(failed).toHaveLength(tries);
      const requestId = failed.at(-1)?.requestId;
      for (const check of Object.values(app.checks(repo, pr))) {
        expect(check).toMatchObject({
          status: "completed",
          conclusion: "failure",
          title: `aigate could not evaluate: GitHub 502 (request id ${requestId})`,
        });
        expect(check?.summary).toContain(`GitHub request id: ${requestId}`);
      }
    });
  }

  it("a rate limit (403 with no requests remaining) and a 500 end red with the request id too", async () => {
    for (const [status, headers] of [
      [403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "0" }],
      [500, {}],
    ] as const) {
      const { repo, pr } = everyCallKind();
      stack.sim.failNext(
        (r) => r.operationId === "pulls/list-reviews" && r.path.includes(repo.fullName),
        status,
        status === 500 ? 4 : 1,
        { message: "API rate limit exceeded", headers },
      );
      const mark = stack.sim.requests.length;
      expect(await stack.send("pull_request", pullRequestEvent("opened", repo, pr))).toBe(200);
      const requestId = stack.sim.requests
        .slice(mark)
        .filter((r) => r.status === status)
        .at(-1)?.requestId;
      expect(requestId).toBeTruthy();
      expect(app.checks(repo, pr).oversight).toMatchObject({
        conclusion: "failure",
        title: `aigate could not evaluate: GitHub ${status} (request id ${requestId})`,
      });
    }
  });

  it("the App's Octokit is Probot's, with the retry and throttling plugins", async () => {
    const { ProbotOctokit } = await import("probot");
    const plugins = (ProbotOctokit as unknown as { plugins: Array<{ name: string }> }).plugins;
    expect(plugins.map((p) => p.name)).toEqual(expect.arrayContaining(["retry", "throttling"]));
  });
});
