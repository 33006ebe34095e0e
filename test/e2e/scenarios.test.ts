/**
 * End-to-end scenarios: the real App server, webhooks delivered over HTTP with a valid
 * X-Hub-Signature-256, against the simulated GitHub on 127.0.0.1. Each test is one scenario.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkRunRerequestedEvent,
  issueCommentEvent,
  pullRequestEvent,
  pullRequestReviewEvent,
} from "../../sim/index.js";
import { FIXTURE_REPO, governedRepo, readTree, type Stack, startStack } from "../../sim/stack.js";
import {
  createSigner,
  extractAttestation,
  generateKeyPair,
  renderAttestationComment,
  statementFor,
} from "../../src/core/attestation/index.js";
import { EVIDENCE_ATTEMPTS } from "../../src/github/flow/attest.js";
import { ASSESSMENT, driver, liveComments, modelChange, OVERSIGHT } from "./driver.js";

const fixturesDir = fileURLToPath(new URL("../fixtures/github/", import.meta.url));

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const app = driver(() => stack);
const { push, review, comment, checks, replies } = app;
const openPr = app.open;
const attestationComments = app.attestations;

describe("the App end to end", () => {
  it("happy path: two red checks, an ineligible approval refused, two eligible reviews, signed comments, green checks", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, { "models/credit/model.py": "def score(a):\n    return 0.7\n" });
    expect(checks(repo, pr).assessment).toMatchObject({
      status: "completed",
      conclusion: "failure",
    });
    expect(checks(repo, pr).oversight).toMatchObject({
      conclusion: "action_required",
      title: "Waiting for 2 of 2 approvals (credit-scoring)",
    });

    await comment(repo, pr, "dave", "/approve");
    expect(replies(repo, pr).map((c) => c.body)).toEqual([
      expect.stringContaining(
        "@dave your `/approve` was not recorded: you opened this pull request",
      ),
    ]);
    expect(attestationComments(repo, pr)).toEqual([]);

    await push(repo, pr, modelChange());
    expect(checks(repo, pr).assessment).toMatchObject({ conclusion: "success" });

    await review(repo, pr, "alice");
    await review(repo, pr, "erin");
    const signed = attestationComments(repo, pr);
    expect(signed.map((c) => c.user.login)).toEqual(["aigate[bot]", "aigate[bot]"]);
    expect(signed[0]?.body).toContain("### aigate: approval by @alice");
    expect(signed[1]?.body).toContain("member of acme/model-risk");
    expect(checks(repo, pr).oversight).toMatchObject({
      conclusion: "success",
      title: "2 of 2 approvals recorded",
    });
    expect(checks(repo, pr).assessment).toMatchObject({ conclusion: "success" });
  });

  it("author self-approval refused", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, modelChange());
    await comment(repo, pr, "dave", "/approve credit-scoring -- my own change is fine");
    expect(attestationComments(repo, pr)).toEqual([]);
    expect(replies(repo, pr)).toHaveLength(1);
    expect(checks(repo, pr).oversight?.summary).toContain(
      "the pull request's author cannot approve it",
    );
    expect(checks(repo, pr).oversight?.conclusion).toBe("action_required");
  });

  it("committer approval refused", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, modelChange());
    repo.commit(pr.headRef, { files: { "models/credit/extra.py": "x = 1\n" }, author: "erin" });
    await stack.send("pull_request", pullRequestEvent("synchronize", repo, pr));
    await review(repo, pr, "erin");
    expect(attestationComments(repo, pr)).toEqual([]);
    expect(checks(repo, pr).oversight?.summary).toMatch(
      /authored commit [0-9a-f]{7} of this pull request/,
    );
    expect(checks(repo, pr).oversight?.conclusion).toBe("action_required");
  });

  it("non-approver refused: a member of the organisation is answered once, a stranger is not answered", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, modelChange());
    await comment(repo, pr, "frank", "/approve");
    expect(attestationComments(repo, pr)).toEqual([]);
    expect(replies(repo, pr)[0]?.body).toContain(
      "@frank your `/approve` was not recorded: you are not an approver for credit-scoring",
    );
    // The same comment delivered again is not answered twice.
    const again = liveComments(repo, pr).find((c) => c.user.login === "frank");
    if (!again) throw new Error("frank's comment is missing");
    const mark = stack.sim.requests.length;
    await stack.send("issue_comment", issueCommentEvent("created", repo, pr, again));
    expect(replies(repo, pr)).toHaveLength(1);
    expect(stack.sim.requests.slice(mark).filter((r) => r.method !== "GET")).toEqual([]);
    // mallory has no association with the repository: refused and listed, never answered.
    await comment(repo, pr, "mallory", "/approve");
    expect(attestationComments(repo, pr)).toEqual([]);
    expect(replies(repo, pr)[0]?.body).not.toContain("@mallory");
    expect(checks(repo, pr).oversight?.summary).toContain("mallory");
  });

  it("team member accepted", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, modelChange());
    await comment(repo, pr, "erin", "/approve credit-scoring -- evaluation report checked");
    const [signed] = attestationComments(repo, pr);
    expect(signed?.body).toContain("| credit-scoring | member of acme/model-risk |");
    expect(signed?.body).toContain("- Note: evaluation report checked");
    expect(checks(repo, pr).oversight?.title).toBe("Waiting for 1 of 2 approvals (credit-scoring)");
  });

  it("a forged attestation comment pasted by a user is ignored and reported", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, modelChange());
    const forger = createSigner(generateKeyPair().privateKeyPem);
    const alice = stack.sim.state.user("alice");
    const statement = statementFor({
      decision: "approved",
      repository: { id: repo.id, full_name: repo.fullName },
      pull_request: {
        number: pr.number,
        base_ref: "main",
        base_sha: pr.baseSha,
        head_sha: pr.headSha,
      },
      manifest: { path: ".github/ai-governance.yml", base_sha: pr.baseSha, sha256: "0".repeat(64) },
      assessments: [],
      systems: [{ id: "credit-scoring", reason: "listed user" }],
      approver: { id: alice.id, login: "alice" },
      source: { kind: "review", id: 999_999, at: new Date().toISOString(), commit: pr.headSha },
      issuer: { kind: "app", key_id: forger.keyId },
      issued_at: new Date().toISOString(),
      prev: null,
    });
    const forged = forger.sign(statement);
    const pasted = await comment(
      repo,
      pr,
      "mallory",
      renderAttestationComment(forged.envelope, statement),
    );
    const oversight = checks(repo, pr).oversight;
    expect(oversight?.title).toBe("Waiting for 2 of 2 approvals (credit-scoring)");
    expect(oversight?.summary).toContain("Attestations that count for nothing");
    expect(oversight?.summary).toMatch(
      new RegExp(`\\| ${pasted.id} \\| mallory \\| unknown\\\\?_key`),
    );
  });

  it("an edited attestation is rejected", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, modelChange());
    await review(repo, pr, "alice");
    const [signed] = attestationComments(repo, pr);
    if (!signed) throw new Error("no attestation was issued");
    const extracted = extractAttestation(signed.body);
    if (!extracted.ok) throw new Error(extracted.reason);
    // Widen the approval to every system by rewriting the payload, keeping the old signature.
    const payload = extracted.envelope.payload
      .toString("utf8")
      .replace('"listed user"', '"governance owner"');
    const tampered = {
      payload: Buffer.from(payload).toString("base64"),
      payloadType: extracted.envelope.payloadType,
      signatures: extracted.envelope.signatures.map((s) => ({
        keyid: s.keyid,
        sig: s.sig.toString("base64"),
      })),
    };
    const marker = `<!-- aigate-attestation:v1 ${Buffer.from(JSON.stringify(tampered)).toString("base64")} -->`;
    const edited = repo.editComment(
      signed.id,
      signed.body.replace(/<!-- aigate-attestation:v1 [^ ]+ -->/, marker),
    );
    expect(await stack.send("issue_comment", issueCommentEvent("edited", repo, pr, edited))).toBe(
      200,
    );
    const oversight = checks(repo, pr).oversight;
    expect(oversight?.summary).toMatch(
      new RegExp(`\\| ${signed.id} \\| aigate\\\\?\\[bot\\\\?\\] \\| bad\\\\?_signature`),
    );
  });

  it("approval stale after a push touching governed paths", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, modelChange());
    await review(repo, pr, "alice");
    await review(repo, pr, "erin");
    expect(checks(repo, pr).oversight?.conclusion).toBe("success");
    await push(repo, pr, modelChange("v3"));
    const oversight = checks(repo, pr).oversight;
    expect(oversight?.conclusion).toBe("action_required");
    expect(oversight?.summary).toContain("stale");
    expect(attestationComments(repo, pr)).toHaveLength(2);
  });

  it("approval kept after a push touching only other paths", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, modelChange());
    await review(repo, pr, "alice");
    await review(repo, pr, "erin");
    await push(repo, pr, { "README.md": "# Demo repository\n\nNow with a longer README.\n" });
    expect(checks(repo, pr).oversight).toMatchObject({
      conclusion: "success",
      title: "2 of 2 approvals recorded",
    });
  });

  it("a PR that edits the manifest to drop a system is still gated and needs governance.owners", async () => {
    const repo = governedRepo(stack.sim);
    const manifest = readTree(FIXTURE_REPO)[".github/ai-governance.yml"] ?? "";
    const dropped =
      manifest.slice(0, manifest.indexOf("  - id: credit-scoring")) +
      manifest.slice(manifest.indexOf("  - id: support-assistant"));
    const pr = await openPr(repo, {
      ".github/ai-governance.yml": dropped,
      "models/credit/model.py": "def score(a):\n    return 1\n",
    });
    const before = checks(repo, pr).oversight;
    expect(before?.conclusion).toBe("action_required");
    expect(before?.summary).toContain("credit-scoring");
    expect(before?.summary).toContain("aigate:manifest");
    await review(repo, pr, "alice");
    expect(attestationComments(repo, pr)[0]?.body).not.toContain("aigate:manifest");
    await review(repo, pr, "frank");
    const frank = attestationComments(repo, pr)[1];
    expect(frank?.body).toContain(
      "| aigate:manifest | governance owner (member of acme/ai-governance) |",
    );
    // The owners' approval covers the manifest only; credit-scoring still needs its second approver.
    expect(checks(repo, pr).oversight?.conclusion).toBe("action_required");
  });

  it("a PR whose manifest names a glob that matches no file gets it as an annotation on the proposed manifest; the head's tree is read once", async () => {
    const repo = governedRepo(stack.sim);
    const manifest = readTree(FIXTURE_REPO)[".github/ai-governance.yml"] ?? "";
    const typo = manifest.replace('"models/credit/**"', '"modles/credit/**"');
    expect(typo).not.toBe(manifest);
    const mark = stack.sim.requests.length;
    const pr = await openPr(repo, { ".github/ai-governance.yml": typo });
    const runs = stack.sim.state.checkRuns(repo, pr.headSha).latest;
    expect(runs[ASSESSMENT]?.conclusion).toBe("failure");
    const line = typo.split("\n").findIndex((l) => l.includes('"modles/credit/**"')) + 1;
    expect(runs[ASSESSMENT]?.annotations).toContainEqual(
      expect.objectContaining({
        path: ".github/ai-governance.yml",
        start_line: line,
        annotation_level: "failure",
        title: "systems[0].paths.model[0]",
        message: '"modles/credit/**" matches no file — did you mean "models/credit/**"?',
      }),
    );
    await comment(repo, pr, "frank", "/aigate recheck");
    const trees = stack.sim.requests.slice(mark).filter((r) => r.operationId === "git/get-tree");
    expect(trees).toHaveLength(1);
  });

  it("a glob of a system in design that matches no file is a warning annotation, and the gate passes", async () => {
    const repo = governedRepo(stack.sim);
    const manifest = readTree(FIXTURE_REPO)[".github/ai-governance.yml"] ?? "";
    const planned = manifest.replace(
      "systems:\n",
      `systems:
  - id: voice-agent
    name: Voice agent
    purpose: Answer calls about loan applications
    owner: "@acme/support-ml"
    lifecycle: design
    tier: minimal
    paths:
      model: ["models/voice/**"]
`,
    );
    expect(planned).not.toBe(manifest);
    const pr = await openPr(repo, { ".github/ai-governance.yml": planned });
    const run = stack.sim.state.checkRuns(repo, pr.headSha).latest[ASSESSMENT];
    expect(run?.conclusion).toBe("success");
    expect(run?.annotations).toEqual([
      expect.objectContaining({
        annotation_level: "warning",
        title: "systems[0].paths.model[0]",
        message:
          '"models/voice/**" matches no file — the closest existing folder is "models/" (a warning: voice-agent is in design: nothing is built yet)',
      }),
    ]);
  });

  it("a PR that leaves the manifest as it is does not read the tree", async () => {
    const repo = governedRepo(stack.sim);
    const mark = stack.sim.requests.length;
    await openPr(repo, modelChange());
    const trees = stack.sim.requests.slice(mark).filter((r) => r.operationId === "git/get-tree");
    expect(trees).toEqual([]);
  });

  it("an invalid manifest on the base gives a red check with annotations", async () => {
    const files = readTree(FIXTURE_REPO);
    files[".github/ai-governance.yml"] = readTree(fixturesDir)["invalid-manifest.yml"] ?? "";
    const repo = governedRepo(stack.sim, files);
    const pr = await openPr(repo, modelChange());
    const runs = stack.sim.state.checkRuns(repo, pr.headSha).latest;
    for (const name of [ASSESSMENT, OVERSIGHT]) {
      expect(runs[name]).toMatchObject({
        conclusion: "failure",
        output: { title: "Invalid governance manifest" },
      });
    }
    const annotations = runs[ASSESSMENT]?.annotations ?? [];
    expect(annotations.length).toBeGreaterThan(0);
    expect(annotations[0]).toMatchObject({
      path: ".github/ai-governance.yml",
      annotation_level: "failure",
    });
  });

  it("a webhook with a bad signature gets 401 and nothing is written", async () => {
    const repo = governedRepo(stack.sim);
    repo.createBranch("unsigned");
    repo.commit("unsigned", { files: modelChange(), author: "dave" });
    const pr = repo.openPullRequest({ head: "unsigned", author: "dave" });
    const mark = stack.sim.requests.length;
    const payload = pullRequestEvent("opened", repo, pr);
    expect(
      await stack.send("pull_request", payload, { signature: `sha256=${"0".repeat(64)}` }),
    ).toBe(401);
    expect(await stack.send("pull_request", payload, { signature: null })).toBe(401);
    expect(stack.sim.requests.slice(mark)).toEqual([]);
    expect(stack.sim.state.checkRuns(repo, pr.headSha).all).toEqual([]);
  });

  it("a GitHub 502 on a write ends in a red check with the request id after retries", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, modelChange());
    stack.sim.failNext("issues/create-comment", 502, EVIDENCE_ATTEMPTS);
    const mark = stack.sim.requests.length;
    const approval = await review(repo, pr, "alice");
    const attempts = stack.sim.requests
      .slice(mark)
      .filter((r) => r.operationId === "issues/create-comment");
    expect(attempts.map((r) => r.status)).toEqual(Array(EVIDENCE_ATTEMPTS).fill(502));
    const requestId = attempts.at(-1)?.requestId;
    for (const check of Object.values(checks(repo, pr))) {
      expect(check).toMatchObject({
        status: "completed",
        conclusion: "failure",
        title: `aigate could not evaluate: GitHub 502 (request id ${requestId})`,
      });
      expect(check?.summary).toContain(`POST /repos/${repo.fullName}/issues/${pr.number}/comments`);
    }
    // The next event heals it.
    await stack.send(
      "pull_request_review",
      pullRequestReviewEvent("submitted", repo, pr, approval),
    );
    expect(attestationComments(repo, pr)).toHaveLength(1);
    expect(checks(repo, pr).oversight?.title).toBe("Waiting for 1 of 2 approvals (credit-scoring)");
  });

  it("a redelivered webhook adds no attestation", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, modelChange());
    const r = pr.addReview({ user: "alice", state: "APPROVED" });
    const payload = pullRequestReviewEvent("submitted", repo, pr, r);
    const deliveryId = "5e1d2a3b-0000-4000-8000-000000000001";
    // Two at once, as a redelivery racing the first delivery to the same replica.
    await Promise.all([
      stack.send("pull_request_review", payload, { deliveryId }),
      stack.send("pull_request_review", payload, { deliveryId }),
    ]);
    await stack.send("pull_request_review", payload, { deliveryId });
    // The same review under other delivery ids is reconciled again, and still attested once.
    await stack.send("pull_request_review", payload);
    await Promise.all([
      stack.send("pull_request_review", payload),
      stack.send("pull_request_review", payload),
    ]);
    expect(attestationComments(repo, pr)).toHaveLength(1);
    expect(checks(repo, pr).oversight?.title).toBe("Waiting for 1 of 2 approvals (credit-scoring)");
  });

  it("a redelivery of a handled delivery is dropped without a GitHub request; one that failed is handled again", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, modelChange());
    const first = pullRequestReviewEvent(
      "submitted",
      repo,
      pr,
      pr.addReview({ user: "alice", state: "APPROVED" }),
    );
    const handled = "5e1d2a3b-0000-4000-8000-000000000002";
    expect(await stack.send("pull_request_review", first, { deliveryId: handled })).toBe(200);
    let mark = stack.sim.requests.length;
    expect(await stack.send("pull_request_review", first, { deliveryId: handled })).toBe(200);
    const sent = stack.sim.requests
      .slice(mark)
      .filter((r) => r.operationId !== "apps/create-installation-access-token");
    expect(sent).toEqual([]);
    expect(stack.logs.join("\n")).toContain(`delivery ${handled} was handled already; dropped`);

    // A delivery whose work failed (GitHub 502 on the evidence) is not remembered: its
    // redelivery is handled again, and heals the pull request.
    const second = pullRequestReviewEvent(
      "submitted",
      repo,
      pr,
      pr.addReview({ user: "erin", state: "APPROVED" }),
    );
    const failed = "5e1d2a3b-0000-4000-8000-000000000003";
    stack.sim.failNext("issues/create-comment", 502, EVIDENCE_ATTEMPTS);
    await stack.send("pull_request_review", second, { deliveryId: failed });
    expect(checks(repo, pr).oversight?.conclusion).toBe("failure");
    mark = stack.sim.requests.length;
    await stack.send("pull_request_review", second, { deliveryId: failed });
    expect(stack.sim.requests.length).toBeGreaterThan(mark);
    expect(attestationComments(repo, pr)).toHaveLength(2);
    expect(checks(repo, pr).oversight?.conclusion).toBe("success");
  });

  it("a PR with no AI change gets two green checks without reading reviews or comments", async () => {
    const repo = governedRepo(stack.sim);
    const mark = stack.sim.requests.length;
    const pr = await openPr(repo, { "README.md": "# Demo\n\nDocs only.\n" });
    const operations = stack.sim.requests.slice(mark).map((r) => r.operationId);
    expect(checks(repo, pr).assessment).toMatchObject({
      conclusion: "success",
      title: "No AI systems affected",
    });
    expect(checks(repo, pr).oversight).toMatchObject({
      conclusion: "success",
      title: "No AI systems affected",
    });
    expect(operations).not.toContain("pulls/list-reviews");
    expect(operations).not.toContain("issues/list-comments");
    expect(operations).not.toContain("pulls/list-commits");
  });

  it("a dismissed review is revoked by a signed revocation and stops counting", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, modelChange());
    const approval = await review(repo, pr, "alice");
    await review(repo, pr, "erin");
    expect(checks(repo, pr).oversight?.conclusion).toBe("success");
    const dismissed = pr.dismissReview(approval.id);
    await stack.send(
      "pull_request_review",
      pullRequestReviewEvent("dismissed", repo, pr, dismissed, { sender: "frank" }),
    );
    const signed = attestationComments(repo, pr);
    expect(signed).toHaveLength(3);
    expect(signed[2]?.body).toContain("### aigate: approval revoked by @alice");
    expect(checks(repo, pr).oversight?.title).toBe("Waiting for 1 of 2 approvals (credit-scoring)");
  });

  it("/revoke withdraws the approver's own approval, and a deleted /approve is revoked too", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, modelChange());
    await review(repo, pr, "alice");
    const erin = await comment(repo, pr, "erin", "/approve");
    expect(checks(repo, pr).oversight?.conclusion).toBe("success");
    await comment(repo, pr, "alice", "/revoke credit-scoring");
    expect(checks(repo, pr).oversight?.title).toBe("Waiting for 1 of 2 approvals (credit-scoring)");
    repo.deleteComment(erin.id);
    await stack.send("issue_comment", issueCommentEvent("deleted", repo, pr, erin));
    expect(checks(repo, pr).oversight?.title).toBe("Waiting for 2 of 2 approvals (credit-scoring)");
    const revocations = attestationComments(repo, pr).filter((c) =>
      c.body.includes("approval revoked"),
    );
    expect(revocations.map((c) => c.body.match(/revoked by @(\w+)/)?.[1])).toEqual([
      "alice",
      "erin",
    ]);
  });

  it("a deleted revocation is posted again, so deleting evidence does not bring an approval back", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, modelChange());
    await review(repo, pr, "alice");
    await comment(repo, pr, "erin", "/approve");
    const revoke = await comment(repo, pr, "alice", "/revoke credit-scoring");
    const [revocation] = attestationComments(repo, pr).filter((c) =>
      c.body.includes("approval revoked"),
    );
    if (!revocation) throw new Error("no revocation was issued");
    const digest = extractAttestation(revocation.body);
    expect(checks(repo, pr).oversight?.title).toBe("Waiting for 1 of 2 approvals (credit-scoring)");

    // Someone with write access deletes both the /revoke and the signed revocation.
    repo.deleteComment(revoke.id);
    repo.deleteComment(revocation.id);
    const sender = { sender: "mallory" };
    await stack.send("issue_comment", issueCommentEvent("deleted", repo, pr, revoke, sender));
    await stack.send("issue_comment", issueCommentEvent("deleted", repo, pr, revocation, sender));

    const restored = liveComments(repo, pr).filter((c) =>
      c.body.startsWith("**Restored by aigate:**"),
    );
    expect(restored).toHaveLength(1);
    expect(restored[0]?.body).toContain(
      `comment ${revocation.id}, which carried this signed statement, was deleted by @mallory`,
    );
    const again = extractAttestation(restored[0]?.body ?? "");
    expect(again.ok && digest.ok && again.envelope.digest === digest.envelope.digest).toBe(true);
    expect(checks(repo, pr).oversight?.title).toBe("Waiting for 1 of 2 approvals (credit-scoring)");
  });

  it("a deleted forged attestation is not posted again", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, modelChange());
    const forger = createSigner(generateKeyPair().privateKeyPem);
    const statement = statementFor({
      decision: "revoked",
      repository: { id: repo.id, full_name: repo.fullName },
      pull_request: {
        number: pr.number,
        base_ref: "main",
        base_sha: pr.baseSha,
        head_sha: pr.headSha,
      },
      manifest: { path: ".github/ai-governance.yml", base_sha: pr.baseSha, sha256: "0".repeat(64) },
      assessments: [],
      systems: [{ id: "credit-scoring", reason: "listed user" }],
      approver: { id: 1, login: "alice" },
      source: { kind: "comment", id: 1, at: "2026-11-27T10:00:00Z", commit: pr.headSha },
      issuer: { kind: "app", key_id: forger.keyId },
      issued_at: "2026-11-27T10:00:01Z",
      prev: null,
      revokes: `sha256:${"a".repeat(64)}`,
    });
    const signed = forger.sign(statement);
    const forged = repo.addComment(pr.number, {
      user: "mallory",
      body: renderAttestationComment(signed.envelope, statement),
    });
    repo.deleteComment(forged.id);
    await stack.send("issue_comment", issueCommentEvent("deleted", repo, pr, forged));
    expect(liveComments(repo, pr).filter((c) => c.body.includes("Restored by aigate"))).toEqual([]);
  });

  it("a request for changes by an eligible approver blocks until they approve", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, modelChange());
    await review(repo, pr, "alice");
    await review(repo, pr, "erin", "CHANGES_REQUESTED");
    expect(checks(repo, pr).oversight?.conclusion).not.toBe("success");
    expect(checks(repo, pr).oversight?.summary).toContain("changes requested by erin");
    await review(repo, pr, "erin");
    expect(checks(repo, pr).oversight?.conclusion).toBe("success");
  });

  it("a missed webhook is healed by /aigate recheck or a re-run of the check", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, modelChange());
    pr.addReview({ user: "alice", state: "APPROVED" }); // its webhook never arrives
    await comment(repo, pr, "frank", "/aigate recheck");
    expect(attestationComments(repo, pr)).toHaveLength(1);
    expect(checks(repo, pr).oversight?.title).toBe("Waiting for 1 of 2 approvals (credit-scoring)");
    pr.addReview({ user: "erin", state: "APPROVED" }); // missed too
    const run = stack.sim.state.checkRuns(repo, pr.headSha).latest[OVERSIGHT];
    if (!run) throw new Error("no oversight check");
    expect(await stack.send("check_run", checkRunRerequestedEvent(repo, run))).toBe(200);
    expect(checks(repo, pr).oversight?.conclusion).toBe("success");
  });

  it("serves the public keys at /aigate/jwks.json, and never a private part", async () => {
    const response = await fetch(`${stack.appUrl}/aigate/jwks.json`);
    expect(response.status).toBe(200);
    const jwks = (await response.json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys).toEqual([
      expect.objectContaining({ kty: "OKP", crv: "Ed25519", use: "sig", alg: "EdDSA" }),
    ]);
    expect(jwks.keys[0]).not.toHaveProperty("d");
    expect(jwks.keys[0]?.kid).toBe(createSigner(stack.signingKeyPem).keyId);
  });

  it("secrets never reach logs, check runs or comments", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await openPr(repo, modelChange());
    await review(repo, pr, "alice");
    await comment(repo, pr, "mallory", "/approve");
    const written = [
      ...stack.logs,
      ...stack.sim.state
        .allRepos()
        .flatMap((r) => [
          ...r.checkRuns.map((c) => JSON.stringify(c.history ?? c.output)),
          ...[...r.comments.values()].map((c) => c.body),
        ]),
    ].join("\n");
    expect(written.length).toBeGreaterThan(1000);
    for (const secret of stack.secrets) {
      for (const line of secret
        .split("\n")
        .filter((l) => l.length > 20 && !l.startsWith("-----"))) {
        expect(written).not.toContain(line);
      }
      expect(written).not.toContain(secret);
    }
    expect(written).not.toContain("PRIVATE KEY");
    // Installation tokens the simulated GitHub issued to the App.
    expect(written).not.toMatch(/ghs_[0-9a-f]{36}/);
  });
});
