import { describe, expect, it } from "vitest";
import type { TeamsLookup } from "../../../src/core/policy/approval-plan.js";
import {
  type MembersLookup,
  planReviewRequests,
  type ReviewRequestEvent,
  type ReviewRequestInput,
  skipReason,
} from "../../../src/core/policy/review-requests.js";
import type { Actor, CommitFacts, OversightResult } from "../../../src/core/types.js";

const REPO = "acme/credit";
const AUTHOR: Actor = { id: 1, login: "dana", type: "User" };
const TEAM = "acme/model-risk";
const MEMBERS = ["erin", "frank", "grace", "heidi", "ivan", "judy"];

function user(login: string, id = 100): Actor {
  return { id, login, type: "User" };
}

function commit(author: Actor, committer: Actor = author): CommitFacts {
  return { sha: "c".repeat(40), author, committer };
}

/** A system waiting for `required` approvals from the model-risk team and alice. */
function waiting(overrides: Partial<OversightResult> = {}): OversightResult {
  return {
    system: "credit-scoring",
    required: 2,
    status: "waiting",
    counted: [],
    rejected: [],
    vetoes: [],
    eligible: { teams: [TEAM], users: ["alice"] },
    problems: [],
    ...overrides,
  };
}

function counted(approver: string) {
  return {
    approver,
    reason: "listed user",
    commit: "c".repeat(40),
    at: "2026-11-27T10:00:00Z",
    source: "review" as const,
    sourceId: 9,
  };
}

function stale(approver: string, at = "2026-11-27T10:00:00Z") {
  return {
    approver,
    reason: "stale: given on aaaaaaa, and governed files changed since",
    commit: "a".repeat(40),
    at,
    source: "review" as const,
    sourceId: 7,
    stale: true,
  };
}

function event(
  kind: ReviewRequestEvent["kind"],
  who: string,
  at: string,
  actor: Actor = user("dana", 1),
): ReviewRequestEvent {
  const reviewer = who.includes("/")
    ? { kind: "team" as const, team: who }
    : { kind: "user" as const, login: who };
  return { kind, reviewer, actor, at };
}

function input(overrides: Partial<ReviewRequestInput> = {}): ReviewRequestInput {
  return {
    mode: "teams",
    trigger: "opened",
    repository: REPO,
    pullRequest: { number: 42, author: AUTHOR, draft: false },
    oversight: [waiting()],
    commits: [commit(AUTHOR)],
    committersCanApprove: false,
    requested: { users: [], teams: [] },
    history: [],
    ...overrides,
  };
}

const teamsOf: TeamsLookup = async (login, teams) => ({
  member: MEMBERS.includes(login) ? teams.filter((t) => t === TEAM) : [],
  unreadable: [],
});
const membersOf: MembersLookup = async (team) => (team === TEAM ? [...MEMBERS] : null);
const unreadable: MembersLookup = async () => null;

async function plan(overrides: Partial<ReviewRequestInput> = {}, members = membersOf) {
  return planReviewRequests(input(overrides), teamsOf, members);
}

describe("review requests: when aigate asks", () => {
  it.each([
    ["opened", { users: ["alice"], teams: [TEAM] }],
    ["ready_for_review", { users: ["alice"], teams: [TEAM] }],
    ["reopened", { users: ["alice"], teams: [TEAM] }],
    ["command", { users: ["alice"], teams: [TEAM] }],
    ["other", { users: [], teams: [] }],
  ] as const)("on %s", async (trigger, expected) => {
    const result = await plan({
      trigger,
      oversight: [waiting({ eligible: { teams: [TEAM], users: [] } })],
    });
    // A system with teams is asked through its teams; its users are asked only when it has none.
    expect({ users: result.users, teams: result.teams }).toEqual({
      users: [],
      teams: expected.teams,
    });
  });

  it.each([
    ["the manifest turns requests off", { mode: "off" as const }, "off"],
    [
      "the pull request is a draft",
      { pullRequest: { number: 42, author: AUTHOR, draft: true } },
      "draft",
    ],
    ["the event is not one that asks", { trigger: "other" as const }, "trigger"],
    ["no system waits", { oversight: [waiting({ status: "met" as const })] }, "nothing_waits"],
    [
      "the approvals are all given",
      { oversight: [waiting({ counted: [counted("alice"), counted("erin")] })] },
      "nothing_waits",
    ],
    [
      "a system is blocked",
      { oversight: [waiting({ status: "blocked" as const })] },
      "nothing_waits",
    ],
  ])("asks no one when %s", async (_, overrides, skipped) => {
    const result = await plan(overrides);
    expect(result).toMatchObject({ users: [], teams: [], skipped });
  });

  it("asks a system's users in teams mode when it lists no team", async () => {
    const result = await plan({
      oversight: [waiting({ eligible: { teams: [], users: ["alice", "bob"] } })],
    });
    expect(result.users).toEqual(["alice", "bob"]);
    expect(result.teams).toEqual([]);
  });

  it("after a push, asks again only the approvers whose approval went stale", async () => {
    const result = await plan({
      trigger: "push",
      oversight: [waiting({ rejected: [stale("erin"), stale("frank")] })],
    });
    expect(result.users).toEqual(["erin", "frank"]);
    expect(result.teams).toEqual([]);
  });

  it("after a push that made nothing stale, asks no one", async () => {
    const result = await plan({ trigger: "push" });
    expect({ users: result.users, teams: result.teams }).toEqual({ users: [], teams: [] });
  });
});

describe("review requests: who is never asked", () => {
  const listed = (users: string[]) => [waiting({ eligible: { teams: [], users }, required: 5 })];
  it.each([
    ["the author", { oversight: listed(["dana", "alice"]) }],
    ["the author, by login case", { oversight: listed(["DANA", "alice"]) }],
    [
      "an author of a commit",
      { oversight: listed(["carl", "alice"]), commits: [commit(AUTHOR), commit(user("carl", 5))] },
    ],
    [
      "a committer of a commit",
      { oversight: listed(["carl", "alice"]), commits: [commit(AUTHOR, user("carl", 5))] },
    ],
    ["a bot", { oversight: listed(["renovate[bot]", "alice"]) }],
    [
      "anyone who approved",
      {
        oversight: [
          waiting({ eligible: { teams: [], users: ["bob", "alice"] }, counted: [counted("bob")] }),
        ],
      },
    ],
    [
      "anyone whose request a person removed",
      {
        oversight: listed(["bob", "alice"]),
        history: [
          event("requested", "bob", "2026-11-27T09:00:00Z", user("aigate[bot]", 2)),
          event("removed", "bob", "2026-11-27T09:30:00Z"),
        ],
      },
    ],
    [
      "anyone whose request was removed by someone GitHub does not name",
      {
        oversight: listed(["bob", "alice"]),
        history: [
          {
            kind: "removed" as const,
            reviewer: { kind: "user" as const, login: "bob" },
            at: "2026-11-27T09:30:00Z",
          },
        ],
      },
    ],
  ])("%s", async (_, overrides) => {
    const result = await plan(overrides);
    expect(result.users).toEqual(["alice"]);
  });

  it("asks a committer when the manifest lets committers approve", async () => {
    const result = await plan({
      oversight: listed(["carl"]),
      commits: [commit(AUTHOR), commit(user("carl", 5))],
      committersCanApprove: true,
    });
    expect(result.users).toEqual(["carl"]);
  });

  it("asks again someone a person removed and then requested again", async () => {
    const result = await plan({
      trigger: "command",
      oversight: listed(["bob"]),
      history: [
        event("removed", "bob", "2026-11-27T09:30:00Z"),
        event("requested", "bob", "2026-11-27T09:40:00Z"),
      ],
    });
    expect(result.users).toEqual(["bob"]);
  });

  it("never re-adds a team a person removed", async () => {
    const result = await plan({
      trigger: "command",
      oversight: [waiting({ eligible: { teams: [TEAM], users: [] } })],
      history: [event("removed", TEAM, "2026-11-27T09:30:00Z")],
    });
    expect(result.teams).toEqual([]);
  });

  it("after a push, does not ask a stale approver who is excluded or already requested", async () => {
    const result = await plan({
      trigger: "push",
      oversight: [
        waiting({
          rejected: [stale("erin"), stale("frank"), stale("grace"), stale("heidi")],
          counted: [counted("grace")],
          required: 5,
        }),
      ],
      requested: { users: [user("frank", 6)], teams: [] },
      history: [event("removed", "heidi", "2026-11-27T11:00:00Z")],
    });
    expect(result.users).toEqual(["erin"]);
  });

  it("never asks a team of another organisation, and says why", async () => {
    const result = await plan({
      oversight: [waiting({ eligible: { teams: ["other/risk", TEAM], users: [] } })],
    });
    expect(result.teams).toEqual([TEAM]);
    expect(result.systems[0]?.foreignTeams).toEqual(["other/risk"]);
  });
});

describe("review requests: reviewers already requested", () => {
  it("asks no one when hand-picked eligible reviewers meet the missing approvals", async () => {
    const result = await plan({
      requested: { users: [user("alice", 3), user("erin", 4)], teams: [] },
    });
    expect({ users: result.users, teams: result.teams }).toEqual({ users: [], teams: [] });
    expect(result.systems[0]?.pending).toEqual(["alice", "erin"]);
  });

  it("asks the team when the hand-picked reviewers are not enough", async () => {
    const result = await plan({
      oversight: [waiting({ eligible: { teams: [TEAM], users: [] } })],
      requested: { users: [user("erin", 4)], teams: [] },
    });
    expect(result.teams).toEqual([TEAM]);
  });

  it("does not count hand-picked reviewers who cannot approve", async () => {
    const result = await plan({
      oversight: [waiting({ eligible: { teams: [TEAM], users: [] }, required: 1 })],
      requested: { users: [user("mallory", 8), user("dana", 1)], teams: [] },
    });
    expect(result.teams).toEqual([TEAM]);
    expect(result.systems[0]?.pending).toEqual([]);
  });

  it("asks no one when an approver team is already requested", async () => {
    const result = await plan({ requested: { users: [], teams: [TEAM] } });
    expect({ users: result.users, teams: result.teams }).toEqual({ users: [], teams: [] });
  });

  it("never asks twice for the same reason: a redelivered opened event asks no one", async () => {
    const history = [event("requested", TEAM, "2026-11-27T09:00:00Z", user("aigate[bot]", 2))];
    const result = await plan({
      oversight: [waiting({ eligible: { teams: [TEAM], users: [] } })],
      history,
    });
    expect(result.teams).toEqual([]);
    const again = await plan({
      trigger: "command",
      oversight: [waiting({ eligible: { teams: [TEAM], users: [] } })],
      history,
    });
    expect(again.teams).toEqual([TEAM]);
  });

  it("after a push, asks a stale approver once: not again when asked since their approval", async () => {
    const oversight = [waiting({ rejected: [stale("erin", "2026-11-27T08:00:00Z")] })];
    const asked = [event("requested", "erin", "2026-11-27T09:00:00Z", user("aigate[bot]", 2))];
    expect((await plan({ trigger: "push", oversight, history: asked })).users).toEqual([]);
    const before = [event("requested", "erin", "2026-11-27T07:00:00Z", user("aigate[bot]", 2))];
    expect((await plan({ trigger: "push", oversight, history: before })).users).toEqual(["erin"]);
  });
});

describe("review requests: users mode", () => {
  const users = { mode: "users" as const };

  it("chooses enough eligible people for the missing approvals, the same on every evaluation", async () => {
    const first = await plan(users);
    const second = await plan(users);
    expect(first.users).toHaveLength(2);
    expect(second.users).toEqual(first.users);
    expect(first.teams).toEqual([]);
    for (const login of first.users) expect(["alice", ...MEMBERS]).toContain(login);
  });

  it("chooses differently for another pull request", async () => {
    const choices = new Set<string>();
    for (let number = 1; number <= 12; number++) {
      const result = await plan({
        ...users,
        pullRequest: { number, author: AUTHOR, draft: false },
      });
      choices.add(result.users.join(","));
    }
    expect(choices.size).toBeGreaterThan(1);
  });

  it("chooses only as many as are still missing, counting approvals and hand-picked reviewers", async () => {
    const result = await plan({
      ...users,
      oversight: [waiting({ required: 3, counted: [counted("erin")] })],
      requested: { users: [user("frank", 6)], teams: [] },
    });
    expect(result.users).toHaveLength(1);
    expect(result.users).not.toContain("erin");
    expect(result.users).not.toContain("frank");
  });

  it("leaves out the author, committers, bots, approvers and removed requests among team members", async () => {
    const result = await plan(
      {
        ...users,
        oversight: [waiting({ required: 20, counted: [counted("grace")] })],
        commits: [commit(AUTHOR, user("heidi", 7))],
        history: [event("removed", "ivan", "2026-11-27T09:30:00Z")],
      },
      async () => ["erin", "dana", "heidi", "grace", "ivan", "ci[bot]", "judy"],
    );
    expect([...result.users].sort()).toEqual(["alice", "erin", "judy"]);
  });

  it("requests a team whose members cannot be read as a team, and says so", async () => {
    const result = await plan(users, unreadable);
    expect(result.teams).toEqual([TEAM]);
    expect(result.systems[0]?.unreadableTeams).toEqual([TEAM]);
    expect(result.users).toEqual(["alice"]);
  });

  it("does not send again to a chosen person already asked", async () => {
    const first = await plan(users);
    const history = first.users.map((login) =>
      event("requested", login, "2026-11-27T09:00:00Z", user("aigate[bot]", 2)),
    );
    const again = await plan({ ...users, history });
    expect(again.users).toEqual([]);
  });
});

describe("review requests: GitHub's limits", () => {
  const many = Array.from({ length: 20 }, (_, i) => `user${i}`);

  it("asks at most 15 users and teams, counting those already requested", async () => {
    const result = await plan({
      oversight: [waiting({ eligible: { teams: [], users: many }, required: 20 })],
    });
    expect(result.users).toHaveLength(15);
    expect(result.overflow).toHaveLength(5);
    const fuller = await plan({
      oversight: [waiting({ eligible: { teams: [], users: many }, required: 20 })],
      requested: { users: [user("someone", 50)], teams: ["acme/web"] },
    });
    expect(fuller.users).toHaveLength(13);
  });

  it("never names the same reviewer twice, whatever the case or the systems", async () => {
    const result = await plan({
      oversight: [
        waiting({ eligible: { teams: [], users: ["Alice", "bob"] } }),
        waiting({ system: "fraud", eligible: { teams: [], users: ["alice", "BOB", "carol"] } }),
      ],
    });
    expect(result.users).toEqual(["Alice", "bob", "carol"]);
  });

  it("never names a team twice across systems", async () => {
    const result = await plan({
      oversight: [waiting(), waiting({ system: "fraud" })],
    });
    expect(result.teams).toEqual([TEAM]);
  });
});

describe("review requests: who can still approve", () => {
  it("lists the teams and the listed users who may approve, a removed request included", async () => {
    const result = await plan({
      oversight: [
        waiting({
          eligible: { teams: [TEAM], users: ["alice", "bob", "dana", "carl", "ci[bot]"] },
          counted: [counted("alice")],
        }),
      ],
      commits: [commit(AUTHOR), commit(user("carl", 5))],
      history: [event("removed", "bob", "2026-11-27T09:30:00Z")],
    });
    expect(result.systems[0]?.canApprove).toEqual([TEAM, "bob"]);
  });
});

describe("review requests: when the request history need not be read", () => {
  const skip = (overrides: Partial<ReviewRequestInput>) => skipReason(input(overrides));

  it("needs it when someone may be asked", () => {
    expect(skip({})).toBeNull();
    expect(skip({ trigger: "command", requested: { users: [], teams: [TEAM] } })).toBeNull();
    expect(
      skip({ trigger: "push", oversight: [waiting({ rejected: [stale("erin")] })] }),
    ).toBeNull();
  });

  it("does not when GitHub already lists a team or enough listed users, or every stale approver", () => {
    expect(skip({ requested: { users: [], teams: [TEAM] } })).toBe("covered");
    expect(
      skip({
        oversight: [waiting({ required: 1 })],
        requested: { users: [user("alice", 3)], teams: [] },
      }),
    ).toBe("covered");
    expect(
      skip({
        trigger: "push",
        oversight: [waiting({ rejected: [stale("erin")] })],
        requested: { users: [user("erin", 4)], teams: [] },
      }),
    ).toBe("covered");
  });

  it("does not when no one may be asked", () => {
    expect(skip({ mode: "off" })).toBe("off");
    expect(skip({ trigger: "other" })).toBe("trigger");
    expect(skip({ trigger: "push" })).toBe("nothing_waits");
  });
});
