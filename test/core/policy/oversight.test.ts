import { describe, expect, it } from "vitest";
import { evaluate } from "../../../src/core/policy/index.js";
import type { Facts, OversightResult } from "../../../src/core/types.js";
import {
  ALICE,
  AUTHOR,
  approval,
  BOB,
  BOT,
  CAROL,
  commit,
  creditChange,
  HEAD_SHA,
  MANIFEST_YAML,
  NOW,
  OLD_HEAD_SHA,
} from "./fixtures.js";

const carol = (options: Parameters<typeof approval>[2] = {}) =>
  approval(CAROL, [{ system: "credit-scoring", reason: "member of acme/model-risk" }], options);
const alice = (options: Parameters<typeof approval>[2] = {}) =>
  approval(ALICE, ["credit-scoring"], options);

function credit(overrides: Partial<Facts>): OversightResult {
  const decision = evaluate(creditChange(overrides), NOW);
  const result = decision.oversight.systems.find((s) => s.system === "credit-scoring");
  if (!result) throw new Error("credit-scoring not evaluated");
  return result;
}

function withManifest(text: string): Partial<Facts> {
  return {
    manifest: {
      status: "present",
      path: ".github/ai-governance.yml",
      baseSha: "b",
      sha256: "m",
      text,
    },
  };
}

describe("oversight: the quorum", () => {
  it("waits with 'Waiting for 1 of 2 approvals' after one approval", () => {
    const decision = evaluate(creditChange({ approvals: [alice()] }), NOW);
    expect(decision.oversight).toMatchObject({
      conclusion: "action_required",
      title: "Waiting for 1 of 2 approvals (credit-scoring)",
    });
  });

  it("counts one approver once, by numeric id, however often they approve", () => {
    const result = credit({
      approvals: [
        alice({ at: "2026-11-27T09:00:00Z" }),
        alice({ at: "2026-11-27T10:00:00Z", kind: "comment" }),
      ],
    });
    expect(result.counted).toHaveLength(1);
    expect(result.counted[0]).toMatchObject({ at: "2026-11-27T10:00:00Z", source: "comment" });
    expect(result.rejected[0]?.reason).toBe("an approval by alice is already counted");
    expect(result.status).toBe("waiting");
  });

  it("counts by login when the numeric id is unknown (case-insensitive)", () => {
    const shouty = approval({ login: "ALICE", type: "User" }, ["credit-scoring"]);
    const result = credit({
      approvals: [approval({ login: "alice", type: "User" }, ["credit-scoring"]), shouty],
    });
    expect(result.counted).toHaveLength(1);
  });

  it("does not count an approval that does not cover the system", () => {
    const result = credit({ approvals: [approval(BOB, ["chat-helper"]), alice()] });
    expect(result.counted.map((c) => c.approver)).toEqual(["alice"]);
    expect(result.rejected).toMatchObject([
      { approver: "bob", reason: "does not cover credit-scoring" },
    ]);
  });

  it("lists a source the adapter could not record with the adapter's reason", () => {
    const unreadable = { ...approval(BOB, []), refusal: "team membership could not be read" };
    const result = credit({ approvals: [unreadable] });
    expect(result.counted).toEqual([]);
    expect(result.rejected).toMatchObject([
      { approver: "bob", reason: "team membership could not be read" },
    ]);
  });

  it("records the approver, eligibility, time, commit and attestation digest of each counted approval", () => {
    const result = credit({ approvals: [carol()] });
    expect(result.counted[0]).toEqual({
      approver: "carol",
      approverId: 3,
      reason: "member of acme/model-risk",
      commit: HEAD_SHA,
      at: "2026-11-27T10:00:00Z",
      source: "review",
      sourceId: expect.any(Number),
      attestationDigest: `sha256:${"d".repeat(64)}`,
    });
  });
});

describe("oversight: eligibility is the base manifest's", () => {
  it("does not count an approver the base manifest does not list (a PR never relaxes its own gate)", () => {
    const result = credit({ approvals: [approval(BOB, ["credit-scoring"]), alice()] });
    expect(result.counted.map((c) => c.approver)).toEqual(["alice"]);
    expect(result.rejected[0]?.reason).toBe(
      "bob is not an approver of credit-scoring in the base manifest (recorded as: listed user)",
    );
  });

  it("does not count membership of a team the base manifest does not list", () => {
    const result = credit({
      approvals: [approval(BOB, [{ system: "credit-scoring", reason: "member of acme/interns" }])],
    });
    expect(result.counted).toEqual([]);
  });

  it("does not count an eligibility whose reason it does not recognise (fail closed)", () => {
    const result = credit({
      approvals: [approval(ALICE, [{ system: "credit-scoring", reason: "trusted" }])],
    });
    expect(result.counted).toEqual([]);
  });

  it("ignores a request for changes from someone who is not an approver", () => {
    const result = credit({
      approvals: [alice(), carol()],
      vetoes: [
        {
          approver: BOB,
          systems: [{ system: "credit-scoring", reason: "listed user" }],
          reviewId: 56,
          at: "2026-11-27T11:00:00Z",
          commit: HEAD_SHA,
        },
      ],
    });
    expect(result.status).toBe("met");
  });
});

describe("oversight: separation of duties", () => {
  it("rejects organisations", () => {
    const result = credit({
      approvals: [approval({ id: 77, login: "alice", type: "Organization" }, ["credit-scoring"])],
    });
    expect(result.rejected[0]?.reason).toBe("only people can approve");
  });

  it("rejects the pull request's author", () => {
    const result = credit({ approvals: [approval(AUTHOR, ["credit-scoring"])] });
    expect(result.counted).toEqual([]);
    expect(result.rejected[0]?.reason).toBe("the pull request's author cannot approve it");
  });

  it("rejects bots", () => {
    const result = credit({ approvals: [approval(BOT, ["credit-scoring"])] });
    expect(result.rejected[0]?.reason).toBe("bots cannot approve");
  });

  it("rejects authors of the PR's commits", () => {
    const result = credit({
      commits: [commit(HEAD_SHA, AUTHOR), commit("e".repeat(40), ALICE, AUTHOR)],
      approvals: [alice()],
    });
    expect(result.rejected[0]?.reason).toBe(
      "authored commit eeeeeee of this pull request; authors and committers cannot approve it",
    );
  });

  it("rejects committers of the PR's commits", () => {
    const result = credit({ commits: [commit(HEAD_SHA, AUTHOR, ALICE)], approvals: [alice()] });
    expect(result.rejected[0]?.reason).toMatch(/^committed ccccccc of this pull request/);
  });

  it("lets committers approve when committers_can_approve is true", () => {
    const text = MANIFEST_YAML.replace(
      "  invalidate_on_push: governed",
      "  invalidate_on_push: governed\n  committers_can_approve: true",
    );
    const result = credit({
      ...withManifest(text),
      commits: [
        commit(HEAD_SHA, AUTHOR, ALICE),
        { sha: "f".repeat(40), author: null, committer: null },
      ],
      approvals: [alice(), carol()],
    });
    expect(result.status).toBe("met");
  });

  it("rejects every approval when a commit cannot be attributed (fail closed)", () => {
    const result = credit({
      commits: [{ sha: "f".repeat(40), author: null, committer: AUTHOR, authorName: "Mallory" }],
      approvals: [alice(), carol()],
    });
    const reason =
      "commit fffffff by Mallory cannot be attributed to a GitHub account; separation of duties cannot be proven";
    expect(result.counted).toEqual([]);
    expect(result.rejected.map((r) => r.reason)).toEqual([reason, reason]);
    expect(result.status).toBe("waiting");
    expect(result.problems).toContain(`credit-scoring: ${reason}`);
  });
});

describe("oversight: stale approvals", () => {
  it("keeps an approval on an older head when the push since touched no governed path", () => {
    const result = credit({
      approvals: [alice({ commit: OLD_HEAD_SHA }), carol()],
      changedSince: { [OLD_HEAD_SHA]: ["README.md"] },
    });
    expect(result.status).toBe("met");
  });

  it("lists an approval as stale when the push since touched a governed path", () => {
    const result = credit({
      approvals: [alice({ commit: OLD_HEAD_SHA }), carol()],
      changedSince: { [OLD_HEAD_SHA]: ["models/credit/w.bin"] },
    });
    expect(result.status).toBe("waiting");
    expect(result.rejected).toMatchObject([
      {
        approver: "alice",
        stale: true,
        reason: "stale: given on aaaaaaa, and governed files changed since",
      },
    ]);
  });

  it("lists an approval as stale when the manifest changed since", () => {
    const result = credit({
      approvals: [alice({ commit: OLD_HEAD_SHA })],
      changedSince: { [OLD_HEAD_SHA]: [".github/ai-governance.yml"] },
    });
    expect(result.rejected[0]?.stale).toBe(true);
  });

  it("treats an approval as stale when the changes since are unknown (fail closed)", () => {
    const missing = credit({ approvals: [alice({ commit: OLD_HEAD_SHA })], changedSince: {} });
    const failed = credit({
      approvals: [alice({ commit: OLD_HEAD_SHA })],
      changedSince: { [OLD_HEAD_SHA]: null },
    });
    for (const result of [missing, failed]) {
      expect(result.rejected[0]).toMatchObject({
        stale: true,
        reason: "stale: given on aaaaaaa, and the changes since cannot be determined",
      });
    }
  });

  it("makes every approval on an older head stale under invalidate_on_push: always", () => {
    const result = credit({
      ...withManifest(
        MANIFEST_YAML.replace("invalidate_on_push: governed", "invalidate_on_push: always"),
      ),
      approvals: [alice({ commit: OLD_HEAD_SHA })],
      changedSince: { [OLD_HEAD_SHA]: ["README.md"] },
    });
    expect(result.rejected[0]?.reason).toBe(
      "stale: given on aaaaaaa, the head is now ccccccc (invalidate_on_push: always)",
    );
  });

  it("keeps approvals on older heads under invalidate_on_push: never", () => {
    const result = credit({
      ...withManifest(
        MANIFEST_YAML.replace("invalidate_on_push: governed", "invalidate_on_push: never"),
      ),
      approvals: [alice({ commit: OLD_HEAD_SHA }), carol({ commit: OLD_HEAD_SHA })],
      changedSince: {},
    });
    expect(result.status).toBe("met");
  });
});

describe("oversight: vetoes", () => {
  const bobRisk = [{ system: "credit-scoring", reason: "member of acme/model-risk" }];
  const veto = (at = "2026-11-27T11:00:00Z") => ({
    approver: BOB,
    systems: [{ system: "credit-scoring", reason: "member of acme/model-risk" }],
    reviewId: 55,
    at,
    commit: HEAD_SHA,
  });

  it("blocks the system while an eligible approver requests changes", () => {
    const decision = evaluate(
      creditChange({ approvals: [alice(), carol()], vetoes: [veto()] }),
      NOW,
    );
    expect(decision.oversight).toMatchObject({
      conclusion: "failure",
      title: "credit-scoring: changes requested by bob (review 55)",
    });
    expect(decision.oversight.systems[0]?.status).toBe("blocked");
    expect(decision.oversight.systems[0]?.vetoes).toEqual([
      { approver: "bob", reviewId: 55, at: "2026-11-27T11:00:00Z" },
    ]);
  });

  it("does not count an approval its author later replaced by a request for changes", () => {
    const result = credit({
      approvals: [approval(BOB, bobRisk, { at: "2026-11-27T09:00:00Z" })],
      vetoes: [veto("2026-11-27T11:00:00Z")],
    });
    expect(result.counted).toEqual([]);
    expect(result.rejected[0]?.reason).toContain("later request for changes");
  });

  it("lets a later approval by the same person replace their veto", () => {
    const result = credit({
      approvals: [approval(BOB, bobRisk, { at: "2026-11-27T11:30:00Z" }), alice()],
      vetoes: [veto("2026-11-27T11:00:00Z")],
    });
    expect(result.vetoes).toEqual([]);
    expect(result.status).toBe("met");
  });
});
