import { describe, expect, it } from "vitest";
import {
  createSigner,
  generateKeyPair,
  jwksFrom,
  renderAttestationComment,
  statementFor,
  type VerificationReport,
  verifyAttestations,
} from "../../../src/core/attestation/index.js";
import { parseManifest } from "../../../src/core/manifest/parse.js";
import { compileMatcher, matchChanges } from "../../../src/core/match.js";
import {
  type ApprovalPlanInput,
  evaluate,
  planApprovals,
  type TeamsLookup,
} from "../../../src/core/policy/index.js";
import { renderAnswers, renderReply } from "../../../src/core/report/index.js";
import type { Actor, CommentFacts, ReviewFacts } from "../../../src/core/types.js";
import {
  ALICE,
  AUTHOR,
  BASE_SHA,
  BOB,
  BOT,
  CAROL,
  changed,
  commit,
  creditChange,
  HEAD_SHA,
  MANIFEST_YAML,
  NOW,
  OLD_HEAD_SHA,
} from "./fixtures.js";

const parsed = parseManifest(MANIFEST_YAML, ".github/ai-governance.yml");
if (!parsed.ok) throw new Error("the fixture manifest must be valid");
const manifest = parsed.manifest;
const affected = matchChanges(compileMatcher(manifest), changed("models/credit/weights.bin"));
const key = generateKeyPair();
const signer = createSigner(key.privateKeyPem);
const jwks = jwksFrom([key.publicKeyPem]);
const ERIN: Actor = { id: 5, login: "erin", type: "User" };
const ORG: Actor = { id: 6, login: "acme", type: "Organization" };
const AIGATE: Actor = { id: 77, login: "aigate[bot]", type: "Bot" };

/** erin is in acme/model-risk; nobody else is in any team. */
const teams: TeamsLookup = async (login) => ({
  member: login === "erin" ? ["acme/model-risk"] : [],
  unreadable: [],
});
const unreadableTeams: TeamsLookup = async (_login, asked) => ({
  member: [],
  unreadable: asked,
});

let nextId = 1;
function review(
  by: Actor | null,
  state: ReviewFacts["state"] = "APPROVED",
  extra: Partial<ReviewFacts> = {},
): ReviewFacts {
  return {
    id: 100 + nextId++,
    reviewer: by,
    state,
    body: "",
    commit: HEAD_SHA,
    submittedAt: "2026-11-27T10:00:00Z",
    ...extra,
  };
}
function comment(by: Actor | null, body: string, extra: Partial<CommentFacts> = {}): CommentFacts {
  return {
    id: 500 + nextId++,
    author: by,
    body,
    createdAt: "2026-11-27T10:00:00Z",
    updatedAt: "2026-11-27T10:00:00Z",
    ...extra,
  };
}

/** An attestation comment for an approval source, and the report that verifies it. */
function attested(
  approver: Actor,
  source: { kind: "review" | "comment"; id: number },
): { comment: CommentFacts; digest: string } {
  const statement = statementFor({
    decision: "approved",
    repository: { id: 42, full_name: "acme/lending" },
    pull_request: { number: 7, base_ref: "main", base_sha: BASE_SHA, head_sha: HEAD_SHA },
    manifest: { path: ".github/ai-governance.yml", base_sha: BASE_SHA, sha256: "a".repeat(64) },
    assessments: [],
    systems: [{ id: "credit-scoring", reason: "listed user" }],
    approver: { id: approver.id ?? 0, login: approver.login },
    source: { ...source, at: "2026-11-27T10:00:00Z", commit: HEAD_SHA },
    issuer: { kind: "app", key_id: signer.keyId },
    issued_at: "2026-11-27T10:00:05Z",
    prev: null,
  });
  const signed = signer.sign(statement);
  return {
    comment: comment(AIGATE, renderAttestationComment(signed.envelope, statement)),
    digest: signed.digest,
  };
}

function reportOf(comments: CommentFacts[]): VerificationReport {
  const found = comments
    .filter((c) => c.body.includes("aigate-attestation:"))
    .map((c) => ({
      repository: "acme/lending",
      repositoryId: 42,
      pullRequest: 7,
      commentId: c.id,
      body: c.body,
      commentAuthor: c.author?.login ?? "ghost",
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    }));
  return verifyAttestations(found, jwks, { repo: "acme/lending", pr: 7 });
}

function input(patch: Partial<ApprovalPlanInput> = {}): ApprovalPlanInput {
  const comments = patch.comments ?? [];
  return {
    pullRequest: {
      number: 7,
      author: AUTHOR,
      baseRef: "main",
      baseSha: BASE_SHA,
      headSha: HEAD_SHA,
    },
    manifest,
    affected,
    commits: [commit(HEAD_SHA)],
    reviews: [],
    comments,
    report: reportOf(comments),
    now: NOW,
    ...patch,
  };
}

describe("planning approvals from reviews and comments", () => {
  it.each([
    ["an eligible reviewer's approval", ALICE, "listed user"],
    ["a team member's approval", ERIN, "member of acme/model-risk"],
  ])("issues one statement for %s", async (_case, who, reason) => {
    const r = review(who);
    const plan = await planApprovals(input({ reviews: [r] }), teams);
    expect(plan.statements).toEqual([
      {
        key: `approved:review:${r.id}`,
        decision: "approved",
        approver: { ...who, id: who.id },
        systems: [{ system: "credit-scoring", reason }],
        source: { kind: "review", id: r.id, at: r.submittedAt, commit: HEAD_SHA },
      },
    ]);
    expect(plan.replies).toEqual([]);
  });

  it("issues nothing for a source already attested (redeliveries never double-count)", async () => {
    const r = review(ALICE);
    const { comment: a } = attested(ALICE, { kind: "review", id: r.id });
    const plan = await planApprovals(input({ reviews: [r], comments: [a] }), teams);
    expect(plan.statements).toEqual([]);
  });

  it.each<[string, Actor, ReturnType<typeof commit>[] | undefined, string]>([
    [
      "the author",
      AUTHOR,
      undefined,
      "you opened this pull request, and an author cannot approve their own change",
    ],
    ["a bot", BOT, undefined, "bots cannot approve"],
    ["an organisation", ORG, undefined, "only people can approve"],
    [
      "an author of one of its commits",
      BOB,
      [commit(HEAD_SHA), commit(OLD_HEAD_SHA, BOB, AUTHOR)],
      "you authored aaaaaaa of this pull request, and authors and committers cannot approve it",
    ],
    [
      "a committer of one of its commits",
      CAROL,
      [commit(HEAD_SHA), commit(OLD_HEAD_SHA, AUTHOR, CAROL)],
      "you committed aaaaaaa of this pull request, and authors and committers cannot approve it",
    ],
    ["someone not listed", BOB, undefined, "you are not an approver for credit-scoring"],
  ])("refuses an /approve from %s, and says why once", async (_case, who, commits, words) => {
    const c = comment(who, "/approve");
    const plan = await planApprovals(
      input({ comments: [c], ...(commits ? { commits } : {}) }),
      teams,
    );
    expect(plan.statements).toEqual([]);
    expect(plan.replies).toHaveLength(1);
    expect(renderReply(plan.replies[0] as (typeof plan.replies)[number])).toContain(
      `@${who.login} your \`/approve\` was not recorded: ${words}`,
    );
    expect(plan.ineligible.map((r) => r.source.id)).toEqual([c.id]);
  });

  it.each([
    [AUTHOR, "the pull request's author cannot approve it"],
    [BOT, "bots cannot approve"],
    [ORG, "only people can approve"],
  ])("refuses %o by the same rule the oversight gate counts with", async (who, reason) => {
    const plan = await planApprovals(input({ reviews: [review(who)] }), teams);
    expect(plan.statements).toEqual([]);
    const decision = evaluate(creditChange({ approvals: plan.ineligible }), NOW);
    expect(decision.oversight.systems[0]?.rejected.map((r) => r.reason)).toEqual([reason]);
  });

  it("lets committers approve when the manifest allows it", async () => {
    const lenient = parseManifest(
      MANIFEST_YAML.replace(
        "  invalidate_on_push: governed\n",
        "  invalidate_on_push: governed\n  committers_can_approve: true\n",
      ),
      ".github/ai-governance.yml",
    );
    if (!lenient.ok) throw new Error(lenient.errors.map((e) => e.message).join("; "));
    const plan = await planApprovals(
      input({
        manifest: lenient.manifest,
        reviews: [review(ALICE)],
        commits: [commit(HEAD_SHA), commit(OLD_HEAD_SHA, ALICE)],
      }),
      teams,
    );
    expect(plan.statements).toHaveLength(1);
  });

  it.each([
    [
      "names a system the manifest lacks",
      "/approve nope",
      {},
      "the governance manifest has no system `nope`",
    ],
    [
      "was written before the head was pushed",
      "/approve",
      { createdAt: "2026-11-27T08:00:00Z", updatedAt: "2026-11-27T08:00:00Z" },
      "it is stale: commits were pushed after it (head is now ccccccc); approve again",
    ],
    [
      "was edited after it was posted",
      "/approve",
      { updatedAt: "2026-11-27T11:00:00Z" },
      "the comment was edited after it was posted",
    ],
  ])("answers an /approve that %s", async (_case, body, extra, words) => {
    const c = comment(ALICE, body, extra);
    const commits = [{ ...commit(HEAD_SHA), committedAt: "2026-11-27T09:00:00Z" }];
    const plan = await planApprovals(input({ comments: [c], commits }), teams);
    expect(plan.statements).toEqual([]);
    expect(renderReply(plan.replies[0] as (typeof plan.replies)[number])).toContain(words);
  });

  it("never answers the same comment twice", async () => {
    const c = comment(BOB, "/approve");
    const reply = comment(AIGATE, `<!-- aigate-reply:${c.id} -->\n@bob your \`/approve\` …`);
    const plan = await planApprovals(input({ comments: [c, reply] }), teams);
    expect(plan.replies).toEqual([]);
    expect(plan.ineligible).toHaveLength(1);
  });

  it("never answers a comment the answer comment already answers", async () => {
    const c = comment(BOB, "/approve");
    const answers = comment(
      AIGATE,
      renderAnswers([{ commentId: c.id, login: "bob", text: "@bob your `/approve` …" }]),
    );
    const plan = await planApprovals(input({ comments: [c, answers] }), teams);
    expect(plan.replies).toEqual([]);
    expect(plan.ineligible).toHaveLength(1);
  });

  it.each([
    ["NONE", false],
    ["FIRST_TIME_CONTRIBUTOR", false],
    ["CONTRIBUTOR", true],
    ["COLLABORATOR", true],
  ])(
    "a refusal to an account whose association is %s is answered: %s; it is listed for the check either way",
    async (association, answered) => {
      const c = comment(BOB, "/approve credit-scoring", { association });
      const plan = await planApprovals(input({ comments: [c] }), teams);
      expect(plan.replies).toHaveLength(answered ? 1 : 0);
      expect(plan.ineligible.map((r) => r.source.id)).toEqual([c.id]);
    },
  );

  it("an eligible approver with no association to the repository is still recorded", async () => {
    const c = comment(ERIN, "/approve credit-scoring", { association: "NONE" });
    const plan = await planApprovals(input({ comments: [c] }), teams);
    expect(plan.statements.map((st) => st.key)).toEqual([`approved:comment:${c.id}`]);
  });

  it("refuses team approvers the token cannot see, and records why for the check", async () => {
    const c = comment(ERIN, "/approve");
    const plan = await planApprovals(input({ comments: [c] }), unreadableTeams);
    expect(plan.replies[0]?.reason).toEqual({
      kind: "teams_unreadable",
      teams: ["acme/model-risk", "acme/ai-governance"].slice(0, 1),
    });
    expect(plan.ineligible[0]?.refusal).toContain("may not read the membership of acme/model-risk");
  });

  it("carries a note, and names only the systems asked for", async () => {
    const c = comment(ALICE, "/approve credit-scoring -- checked the bias audit");
    const plan = await planApprovals(input({ comments: [c] }), teams);
    expect(plan.statements[0]).toMatchObject({
      note: "checked the bias audit",
      systems: [{ system: "credit-scoring", reason: "listed user" }],
      source: { kind: "comment", id: c.id, commit: HEAD_SHA },
    });
  });

  it("ignores a review GitHub no longer ties to a commit", async () => {
    const plan = await planApprovals(
      input({ reviews: [review(ALICE, "APPROVED", { commit: "" })] }),
      teams,
    );
    expect(plan.statements).toEqual([]);
    expect(plan.ineligible).toEqual([]);
  });
});

describe("answering command lines that were ignored", () => {
  it("says so when an /approve names something that is not a system id, and records nothing", async () => {
    const c = comment(ALICE, "/approve Credit-Scoring");
    const plan = await planApprovals(input({ comments: [c] }), teams);
    expect(plan.statements).toEqual([]);
    expect(renderReply(plan.replies[0] as (typeof plan.replies)[number])).toBe(
      `<!-- aigate-reply:${c.id} -->\n@alice aigate ignored part of your comment:\n\n- Line 1: "Credit-Scoring" is not a system id (lowercase letters, digits and '-'); nothing was recorded for this line.`,
    );
  });

  it("records the first /approve and says the second was ignored", async () => {
    const c = comment(ALICE, "/approve\n/approve chat-helper");
    const plan = await planApprovals(input({ comments: [c] }), teams);
    expect(plan.statements).toHaveLength(1);
    expect(plan.replies[0]?.problems).toEqual([
      "Line 2: only the first /approve or /revoke of a comment counts; this one was ignored.",
    ]);
  });

  it("adds the ignored lines to the answer of an /approve that was refused", async () => {
    const c = comment(BOB, "/approve\n/aigate help");
    const plan = await planApprovals(input({ comments: [c] }), teams);
    const text = renderReply(plan.replies[0] as (typeof plan.replies)[number]);
    expect(text).toContain("@bob your `/approve` was not recorded: you are not an approver");
    expect(text).toContain('Also ignored:\n\n- Line 2: unknown command "/aigate help"');
  });
});

describe("planning revocations", () => {
  it("revokes the attestation of a dismissed review", async () => {
    const r = review(ALICE, "DISMISSED");
    const { comment: a, digest } = attested(ALICE, { kind: "review", id: r.id });
    const plan = await planApprovals(input({ reviews: [r], comments: [a] }), teams);
    expect(plan.statements).toEqual([
      expect.objectContaining({
        key: `revoked:review:${r.id}`,
        decision: "revoked",
        revokes: digest,
      }),
    ]);
  });

  it("revokes an attested /approve comment that was deleted", async () => {
    const { comment: a, digest } = attested(ALICE, { kind: "comment", id: 999 });
    const plan = await planApprovals(input({ comments: [a] }), teams);
    expect(plan.statements).toEqual([
      expect.objectContaining({ key: "revoked:comment:999", revokes: digest }),
    ]);
  });

  it("revokes the approver's own approval on /revoke, and nobody else's", async () => {
    const approve = comment(ALICE, "/approve");
    const { comment: a, digest } = attested(ALICE, { kind: "comment", id: approve.id });
    const mine = comment(ALICE, "/revoke", { createdAt: "2026-11-27T11:00:00Z" });
    const theirs = comment(BOB, "/revoke", { createdAt: "2026-11-27T11:00:00Z" });
    const plan = await planApprovals(input({ comments: [approve, a, mine, theirs] }), teams);
    expect(plan.statements).toEqual([
      expect.objectContaining({ key: `revoked:comment:${mine.id}`, revokes: digest }),
    ]);
  });
});

describe("planning vetoes", () => {
  it("counts an eligible approver's latest request for changes as a veto", async () => {
    const plan = await planApprovals(
      input({ reviews: [review(ALICE, "CHANGES_REQUESTED")] }),
      teams,
    );
    expect(plan.vetoes).toEqual([
      expect.objectContaining({
        approver: ALICE,
        systems: [{ system: "credit-scoring", reason: "listed user" }],
      }),
    ]);
  });

  it("ignores requests for changes by people who may not approve, and replaced ones", async () => {
    const plan = await planApprovals(
      input({
        reviews: [
          review(BOB, "CHANGES_REQUESTED"),
          review(ALICE, "CHANGES_REQUESTED", { submittedAt: "2026-11-27T09:00:00Z" }),
          review(ALICE, "APPROVED", { submittedAt: "2026-11-27T10:00:00Z" }),
        ],
      }),
      teams,
    );
    expect(plan.vetoes).toEqual([]);
  });
});
