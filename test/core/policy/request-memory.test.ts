import { describe, expect, it } from "vitest";
import {
  askedFromTimeline,
  needsTimeline,
  type RequestMemory,
  type RequestsLearnt,
  rememberRequests,
  reviewerKey,
} from "../../../src/core/policy/request-memory.js";
import type {
  ReviewRequestEvent,
  ReviewRequestInput,
} from "../../../src/core/policy/review-requests.js";
import type { Actor, OversightResult } from "../../../src/core/types.js";

const TEAM = "acme/model-risk";
const MANIFEST = "sha-1::teams";
const T1 = "2026-11-27T08:00:00Z";
const T2 = "2026-11-27T09:00:00Z";
const T3 = "2026-11-27T10:00:00Z";

function user(login: string): Actor {
  return { id: login.length, login, type: "User" };
}

/** The credit-scoring system waiting for 2 approvals from the model-risk team or alice. */
function waiting(approvedBy: string[] = []): OversightResult {
  return {
    system: "credit-scoring",
    required: 2,
    status: approvedBy.length >= 2 ? "met" : "waiting",
    counted: approvedBy.map((approver) => ({
      approver,
      reason: "listed user",
      commit: "c".repeat(40),
      at: T3,
      source: "review" as const,
      sourceId: 9,
    })),
    rejected: [],
    vetoes: [],
    eligible: { teams: [TEAM], users: ["alice", "bob"] },
    problems: [],
  };
}

type Facts = Pick<ReviewRequestInput, "requested" | "oversight">;

function facts(requested: { users?: string[]; teams?: string[] } = {}, approvedBy: string[] = []) {
  return {
    requested: { users: (requested.users ?? []).map(user), teams: requested.teams ?? [] },
    oversight: [waiting(approvedBy)],
  } satisfies Facts;
}

function memory(overrides: Partial<RequestMemory> = {}): RequestMemory {
  return {
    asked: {},
    notes: { manifest: MANIFEST, refused: [], unreadable: [] },
    ...overrides,
  };
}

function requested(
  reviewer: ReviewRequestEvent["reviewer"],
  at: string,
  by?: Actor,
  viaAigate = false,
): ReviewRequestEvent {
  return {
    kind: "requested",
    reviewer,
    at,
    ...(by ? { actor: by } : {}),
    ...(viaAigate ? { viaAigate } : {}),
  };
}

const AIGATE: Actor = { login: "aigate[bot]", type: "Bot" };
const REFUSED_TEAM = { reviewers: [TEAM], reason: "no access (GitHub 422)" };
const REFUSED_BOB = { reviewers: ["bob"], reason: "not a collaborator (GitHub 422)" };

describe("when each reviewer requested now was asked", () => {
  it.each<{
    name: string;
    previous?: RequestMemory;
    now: Facts;
    learnt?: Omit<RequestsLearnt, "manifest">;
    asked: RequestMemory["asked"];
  }>([
    {
      name: "aigate's own request: the time GitHub gave it",
      now: facts(),
      learnt: {
        outcome: {
          sent: { users: [], teams: [TEAM] },
          refused: [],
          sentAt: [{ reviewers: [TEAM], at: T2 }],
        },
      },
      asked: { "team:model-risk": { at: T2, aigate: true } },
    },
    {
      name: "a refused request has no time",
      now: facts(),
      learnt: {
        outcome: {
          sent: { users: [], teams: [TEAM] },
          refused: [REFUSED_TEAM],
          sentAt: [],
        },
      },
      asked: {},
    },
    {
      name: "a later event that asks no one keeps the time",
      previous: memory({ asked: { "team:model-risk": { at: T2, aigate: true } } }),
      now: facts({ teams: [TEAM] }),
      asked: { "team:model-risk": { at: T2, aigate: true } },
    },
    {
      name: "a request that is gone (reviewed, removed) is forgotten",
      previous: memory({ asked: { "user:bob": { at: T1, by: "dana" } } }),
      now: facts(),
      asked: {},
    },
    {
      name: "the timeline, when read, is GitHub's record: the latest request, and who made it",
      previous: memory({ asked: { "user:bob": { at: T1, aigate: true } } }),
      now: facts({ users: ["bob"], teams: [TEAM] }),
      learnt: {
        history: [
          requested({ kind: "user", login: "bob" }, T1, AIGATE, true),
          {
            kind: "removed",
            reviewer: { kind: "user", login: "bob" },
            at: T2,
            actor: user("dana"),
          },
          requested({ kind: "user", login: "Bob" }, T3, user("dana")),
          requested({ kind: "team", team: TEAM }, T2, AIGATE, true),
        ],
      },
      asked: {
        "user:bob": { at: T3, by: "dana" },
        "team:model-risk": { at: T2, aigate: true },
      },
    },
    {
      name: "a reviewer the timeline does not show as requested has no time",
      now: facts({ users: ["bob"] }),
      learnt: {
        history: [
          requested({ kind: "user", login: "bob" }, T1, user("dana")),
          { kind: "removed", reviewer: { kind: "user", login: "bob" }, at: T2 },
        ],
      },
      asked: {},
    },
    {
      name: "a request GitHub says nothing of the actor: the time alone",
      now: facts({ users: ["bob"] }),
      learnt: { history: [requested({ kind: "user", login: "bob" }, T1)] },
      asked: { "user:bob": { at: T1 } },
    },
    {
      name: "a reviewer requested already keeps the time of that request",
      previous: memory({ asked: { "user:bob": { at: T1, by: "dana" } } }),
      now: facts({ users: ["bob"] }),
      learnt: {
        outcome: {
          sent: { users: ["bob"], teams: [] },
          refused: [],
          sentAt: [{ reviewers: ["bob"], at: T3 }],
        },
      },
      asked: { "user:bob": { at: T1, by: "dana" } },
    },
  ])("$name", ({ previous, now, learnt, asked }) => {
    expect(rememberRequests(previous, now, { manifest: MANIFEST, ...learnt }).asked).toEqual(asked);
  });
});

describe("the notes for the repository's owners, kept while they hold", () => {
  const refusedBoth = memory({
    notes: { manifest: MANIFEST, refused: [REFUSED_TEAM, REFUSED_BOB], unreadable: [] },
  });
  it.each<{
    name: string;
    previous?: RequestMemory;
    now: Facts;
    learnt?: Omit<RequestsLearnt, "manifest">;
    manifest?: string;
    refused: RequestMemory["notes"]["refused"];
  }>([
    {
      name: "a refusal is noted",
      now: facts(),
      learnt: {
        outcome: { sent: { users: ["bob"], teams: [TEAM] }, refused: [REFUSED_TEAM, REFUSED_BOB] },
      },
      refused: [REFUSED_TEAM, REFUSED_BOB],
    },
    {
      name: "an event that asks no one keeps it",
      previous: refusedBoth,
      now: facts(),
      refused: [REFUSED_TEAM, REFUSED_BOB],
    },
    {
      name: "the request later made (by hand or by aigate): that reviewer's note is dropped",
      previous: refusedBoth,
      now: facts({ teams: [TEAM] }),
      refused: [REFUSED_BOB],
    },
    {
      name: "a request that now goes through drops the note",
      previous: refusedBoth,
      now: facts(),
      learnt: {
        outcome: {
          sent: { users: ["bob"], teams: [] },
          refused: [],
          sentAt: [{ reviewers: ["bob"], at: T3 }],
        },
      },
      refused: [REFUSED_TEAM],
    },
    {
      name: "refused again: the new reason replaces the old",
      previous: refusedBoth,
      now: facts(),
      learnt: {
        outcome: {
          sent: { users: ["bob"], teams: [] },
          refused: [{ reviewers: ["bob"], reason: "new" }],
        },
      },
      refused: [REFUSED_TEAM, { reviewers: ["bob"], reason: "new" }],
    },
    {
      name: "the person approved: their note is dropped",
      previous: refusedBoth,
      now: facts({}, ["bob"]),
      refused: [REFUSED_TEAM],
    },
    {
      name: "the quorum is met: every note is dropped",
      previous: refusedBoth,
      now: facts({}, ["alice", "carol"]),
      refused: [],
    },
    {
      name: "the manifest changed: every note is dropped",
      previous: refusedBoth,
      now: facts(),
      manifest: "sha-2::teams",
      refused: [],
    },
  ])("$name", ({ previous, now, learnt, manifest, refused }) => {
    const after = rememberRequests(previous, now, { manifest: manifest ?? MANIFEST, ...learnt });
    expect(after.notes.refused).toEqual(refused);
  });

  it.each<{
    name: string;
    previous?: RequestMemory;
    now: Facts;
    learnt?: Omit<RequestsLearnt, "manifest">;
    unreadable: RequestMemory["notes"]["unreadable"];
  }>([
    {
      name: "a team whose members could not be read is noted",
      now: facts(),
      learnt: {
        plan: {
          users: [],
          teams: [TEAM],
          overflow: [],
          systems: [
            {
              system: "credit-scoring",
              missing: 2,
              pending: [],
              asked: [TEAM],
              canApprove: [TEAM],
              unreadableTeams: [TEAM],
              foreignTeams: [],
            },
          ],
        },
      },
      unreadable: [{ system: "credit-scoring", team: TEAM }],
    },
    {
      name: "it stays on an event that reads no member, even with the team requested",
      previous: memory({
        notes: {
          manifest: MANIFEST,
          refused: [],
          unreadable: [{ system: "credit-scoring", team: TEAM }],
        },
      }),
      now: facts({ teams: [TEAM] }),
      unreadable: [{ system: "credit-scoring", team: TEAM }],
    },
    {
      name: "its members read since: dropped",
      previous: memory({
        notes: {
          manifest: MANIFEST,
          refused: [],
          unreadable: [{ system: "credit-scoring", team: TEAM }],
        },
      }),
      now: facts(),
      learnt: { plan: { users: [], teams: [], overflow: [], systems: [], readableTeams: [TEAM] } },
      unreadable: [],
    },
    {
      name: "the system no longer waits: dropped",
      previous: memory({
        notes: {
          manifest: MANIFEST,
          refused: [],
          unreadable: [{ system: "credit-scoring", team: TEAM }],
        },
      }),
      now: facts({}, ["alice", "bob"]),
      unreadable: [],
    },
  ])("$name", ({ previous, now, learnt, unreadable }) => {
    const after = rememberRequests(previous, now, { manifest: MANIFEST, ...learnt });
    expect(after.notes.unreadable).toEqual(unreadable);
  });
});

describe("when the timeline must be read to say when each was asked", () => {
  it.each<{
    name: string;
    previous?: RequestMemory;
    requested: Facts["requested"];
    needs: boolean;
  }>([
    { name: "no one requested", requested: facts().requested, needs: false },
    {
      name: "every reviewer requested has a time",
      previous: memory({ asked: { "team:model-risk": { at: T1, aigate: true } } }),
      requested: facts({ teams: [TEAM] }).requested,
      needs: false,
    },
    {
      name: "a reviewer requested by hand since",
      previous: memory({ asked: { "team:model-risk": { at: T1, aigate: true } } }),
      requested: facts({ teams: [TEAM], users: ["bob"] }).requested,
      needs: true,
    },
    { name: "no memory (a restart)", requested: facts({ teams: [TEAM] }).requested, needs: true },
  ])("$name", ({ previous, requested: now, needs }) => {
    expect(needsTimeline(previous, now)).toBe(needs);
  });

  it("reads it once for a reviewer the timeline shows no request for, then leaves the time out", () => {
    const now = facts({ users: ["copilot"], teams: [TEAM] });
    const history = [requested({ kind: "team", team: TEAM }, T1, AIGATE, true)];
    const learnt = rememberRequests(undefined, now, { manifest: MANIFEST, history });
    expect(learnt.asked).toEqual({ "team:model-risk": { at: T1, aigate: true } });
    expect(needsTimeline(learnt, now.requested)).toBe(false);
    // Kept while requested, through events that read nothing; forgotten once no longer requested.
    const kept = rememberRequests(learnt, now, { manifest: MANIFEST });
    expect(needsTimeline(kept, now.requested)).toBe(false);
    const gone = rememberRequests(kept, facts({ teams: [TEAM] }), { manifest: MANIFEST });
    expect(gone.unknown).toBeUndefined();
    expect(needsTimeline(gone, now.requested)).toBe(true);
  });

  it("keys a team by its slug however it is written, and a login case-insensitively", () => {
    expect(reviewerKey("acme/Model-Risk")).toBe("team:model-risk");
    expect(reviewerKey("Bob")).toBe("user:bob");
    expect(askedFromTimeline([requested({ kind: "team", team: TEAM }, T1, AIGATE, true)])).toEqual(
      new Map([["team:model-risk", { at: T1, aigate: true }]]),
    );
  });
});
