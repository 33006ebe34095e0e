import { describe, expect, it } from "vitest";
import { routeDelivery, routeEvent, targetOf } from "../../../src/github/events/router.js";

const repository = { name: "models", owner: { login: "acme" } };
const pull_request = { number: 7, head: { sha: "b".repeat(40) } };

describe("which events can change a gate", () => {
  it("reconciles a pull request that was opened, pushed to, reopened or marked ready", () => {
    for (const action of ["opened", "synchronize", "reopened", "ready_for_review"]) {
      expect(
        targetOf(`pull_request.${action}`, { action, repository, pull_request }),
      ).toMatchObject({
        owner: "acme",
        repo: "models",
        pullNumber: 7,
        headSha: "b".repeat(40),
      });
    }
  });

  it("reconciles an edited pull request only when its base changed", () => {
    const edited = { action: "edited", repository, pull_request };
    expect(
      targetOf("pull_request.edited", { ...edited, changes: { title: { from: "x" } } }),
    ).toBeNull();
    expect(
      targetOf("pull_request.edited", { ...edited, changes: { base: { ref: { from: "dev" } } } }),
    ).not.toBeNull();
  });

  it("drops pull request actions that change nothing", () => {
    for (const action of ["closed", "labeled", "assigned"]) {
      expect(targetOf(`pull_request.${action}`, { action, repository, pull_request })).toBeNull();
    }
  });

  it("re-evaluates on a review request made or removed by hand, not on aigate's own request", () => {
    const event = (action: string, type: string) => ({
      action,
      repository,
      pull_request,
      sender: { login: type === "Bot" ? "aigate[bot]" : "dana", type },
    });
    for (const [action, type, reconciled] of [
      ["review_requested", "User", true],
      ["review_request_removed", "User", true],
      ["review_request_removed", "Bot", true],
      ["review_requested", "Bot", false],
    ] as const) {
      const target = targetOf(`pull_request.${action}`, event(action, type));
      expect(target !== null, `${action} by a ${type}`).toBe(reconciled);
      // It asks no one: only the events of docs/policy.md#review-requests do.
      expect(target?.requestReviews ?? "other").toBe("other");
    }
  });

  it("reconciles approvals, requests for changes and dismissals, but not plain review comments", () => {
    const review = (state: string, body = "") => ({
      state,
      body,
      user: { login: "erin" },
      author_association: "MEMBER",
    });
    const event = (action: string, r: object) => ({ action, repository, pull_request, review: r });
    expect(
      targetOf("pull_request_review.submitted", event("submitted", review("approved"))),
    ).not.toBeNull();
    expect(
      targetOf("pull_request_review.submitted", event("submitted", review("changes_requested"))),
    ).not.toBeNull();
    expect(
      targetOf("pull_request_review.dismissed", event("dismissed", review("dismissed"))),
    ).not.toBeNull();
    expect(
      targetOf("pull_request_review.submitted", event("submitted", review("commented", "nice"))),
    ).toBeNull();
    expect(
      targetOf(
        "pull_request_review.submitted",
        event("submitted", review("commented", "/aigate recheck")),
      ),
    ).not.toBeNull();
  });

  it("reconciles a review edited to name or stop naming systems", () => {
    const base = { action: "edited", repository, pull_request };
    expect(
      targetOf("pull_request_review.edited", {
        ...base,
        review: { state: "approved", body: "lgtm" },
      }),
    ).toBeNull();
    expect(
      targetOf("pull_request_review.edited", {
        ...base,
        review: { state: "approved", body: "lgtm" },
        changes: { body: { from: "/approve credit-scoring" } },
      }),
    ).not.toBeNull();
  });

  describe("comments", () => {
    const comment = (action: string, body: string, extra: object = {}) => ({
      action,
      repository,
      issue: { number: 7, pull_request: { url: "…" } },
      comment: { body, user: { login: "erin" }, author_association: "MEMBER" },
      sender: { type: "User" },
      ...extra,
    });

    it("reconciles a comment with a command or an attestation marker", () => {
      expect(targetOf("issue_comment.created", comment("created", "/approve"))).toMatchObject({
        pullNumber: 7,
      });
      expect(
        targetOf("issue_comment.created", comment("created", "/aigate recheck")),
      ).not.toBeNull();
      expect(
        targetOf(
          "issue_comment.created",
          comment("created", "<!-- aigate-attestation:v1 AAAA -->"),
        ),
      ).not.toBeNull();
    });

    it("reconciles a comment whose command could not be read, so it is answered", () => {
      expect(
        targetOf("issue_comment.created", comment("created", "/approve Credit-Scoring")),
      ).not.toBeNull();
      expect(targetOf("issue_comment.created", comment("created", "/aigate help"))).not.toBeNull();
    });

    it("drops other comments and comments on issues", () => {
      expect(targetOf("issue_comment.created", comment("created", "thanks!"))).toBeNull();
      expect(
        targetOf("issue_comment.created", {
          ...comment("created", "/approve"),
          issue: { number: 7 },
        }),
      ).toBeNull();
    });

    it("reconciles an edit or deletion of a comment that had a command", () => {
      expect(
        targetOf(
          "issue_comment.edited",
          comment("edited", "never mind", { changes: { body: { from: "/approve" } } }),
        ),
      ).not.toBeNull();
      expect(targetOf("issue_comment.deleted", comment("deleted", "/approve"))).not.toBeNull();
    });

    it("carries the body of a deleted attestation comment, so it can be posted again", () => {
      const body = "<!-- aigate-attestation:v1 AAAA -->";
      const target = targetOf(
        "issue_comment.deleted",
        comment("deleted", body, {
          comment: { id: 41, body },
          sender: { type: "User", login: "mallory" },
        }),
      );
      expect(target?.deleted).toEqual({ commentId: 41, body, by: "mallory" });
      expect(
        targetOf("issue_comment.deleted", comment("deleted", "/approve"))?.deleted,
      ).toBeUndefined();
    });

    it("drops the App's own new comments", () => {
      const own = comment("created", "<!-- aigate-attestation:v1 AAAA -->", {
        sender: { type: "Bot" },
        comment: {
          body: "<!-- aigate-attestation:v1 AAAA -->",
          performed_via_github_app: { id: 42 },
        },
      });
      expect(targetOf("issue_comment.created", own, 42)).toBeNull();
      expect(targetOf("issue_comment.created", own, 43)).not.toBeNull();
    });
  });

  describe("who may command what (docs/app.md#who-may-command-what)", () => {
    // Every author_association GitHub documents: may it ask for work, is a refusal answered?
    const table: [string, boolean, boolean][] = [
      ["COLLABORATOR", true, true],
      ["CONTRIBUTOR", false, true],
      ["FIRST_TIMER", false, false],
      ["FIRST_TIME_CONTRIBUTOR", false, false],
      ["MANNEQUIN", false, false],
      ["MEMBER", true, true],
      ["NONE", false, false],
      ["OWNER", true, true],
    ];
    const from = (association: string, body: string, login = "mallory") => ({
      action: "created",
      repository,
      issue: { number: 7, pull_request: {}, user: { login: "dave" } },
      comment: { id: 5, body, user: { login }, author_association: association },
      sender: { type: "User", login },
    });

    it.each(table)(
      "%s: /aigate recheck honoured %s; an unreadable command answered %s",
      (association, work, answered) => {
        const recheck = routeEvent("issue_comment.created", from(association, "/aigate recheck"));
        if (work) expect(recheck).toMatchObject({ pullNumber: 7, relist: true });
        else {
          expect(recheck).toEqual({
            ignored: `@mallory (association ${association}) may not ask for /aigate recheck: only an owner, member or collaborator of the repository or the pull request's author may; dropped`,
            dropped: ["recheck"],
          });
        }
        const unreadable = routeEvent("issue_comment.created", from(association, "/aigate rechek"));
        expect("pullNumber" in unreadable).toBe(answered);
        expect(unreadable).not.toHaveProperty("dropped");
      },
    );

    it.each(table)("%s: /approve and /revoke are always evaluated", (association) => {
      for (const body of [
        "/approve credit-scoring",
        "/revoke",
        "/approve credit-scoring\n/aigate recheck",
      ]) {
        const routed = routeEvent("issue_comment.created", from(association, body));
        expect(routed).toMatchObject({ pullNumber: 7 });
      }
    });

    it.each(table)("%s: the pull request's author may always ask for work", (association) => {
      expect(
        routeEvent("issue_comment.created", from(association, "/aigate recheck", "Dave")),
      ).toMatchObject({ relist: true });
    });

    it("a recheck inside an /approve from a stranger evaluates the approval, not afresh", () => {
      const both = routeEvent(
        "issue_comment.created",
        from("NONE", "/approve credit-scoring\n/aigate recheck"),
      );
      expect(both).toMatchObject({ pullNumber: 7 });
      expect(both).not.toHaveProperty("relist");
    });

    it("a stranger's review asking for a recheck is dropped; its approval is not", () => {
      const review = (state: string, body: string) => ({
        action: "submitted",
        repository,
        pull_request: { ...pull_request, user: { login: "dave" } },
        review: { state, body, user: { login: "mallory" }, author_association: "NONE" },
      });
      expect(
        routeEvent("pull_request_review.submitted", review("commented", "/aigate recheck")),
      ).toMatchObject({ dropped: ["recheck"] });
      expect(
        routeEvent("pull_request_review.submitted", review("approved", "/aigate recheck")),
      ).toMatchObject({ pullNumber: 7 });
    });
  });

  it("reconciles a re-run of one of our checks or of the suite", () => {
    const checkRun = (name: string) => ({
      action: "rerequested",
      repository,
      check_run: { name, head_sha: "c".repeat(40), pull_requests: [{ number: 7 }] },
    });
    expect(
      targetOf("check_run.rerequested", checkRun("AI governance: human oversight")),
    ).toMatchObject({
      pullNumber: 7,
      headSha: "c".repeat(40),
    });
    expect(targetOf("check_run.rerequested", checkRun("CI / build"))).toBeNull();
    expect(
      targetOf("check_suite.rerequested", {
        action: "rerequested",
        repository,
        check_suite: { head_sha: "c".repeat(40), pull_requests: [{ number: 9 }] },
      }),
    ).toMatchObject({ pullNumber: 9 });
  });

  it("says whether the event is about a comment, so a count of none is trusted only otherwise", () => {
    expect(
      routeEvent("pull_request.opened", { action: "opened", repository, pull_request }),
    ).toMatchObject({ fromComment: false });
    expect(
      routeEvent("issue_comment.created", {
        action: "created",
        repository,
        issue: { number: 7, pull_request: {} },
        comment: { id: 1, body: "/aigate recheck", author_association: "OWNER" },
      }),
    ).toMatchObject({ fromComment: true });
  });

  it("asks for the check runs to be listed afresh on a re-run or a recheck, and only then", () => {
    const checkRun = {
      action: "rerequested",
      repository,
      check_run: {
        name: "AI governance: human oversight",
        head_sha: "c".repeat(40),
        pull_requests: [{ number: 7 }],
      },
    };
    expect(targetOf("check_run.rerequested", checkRun)).toMatchObject({ relist: true });
    expect(
      targetOf("check_suite.rerequested", {
        action: "rerequested",
        repository,
        check_suite: { head_sha: "c".repeat(40), pull_requests: [{ number: 9 }] },
      }),
    ).toMatchObject({ relist: true });
    const said = (body: string) =>
      routeEvent("issue_comment.created", {
        action: "created",
        repository,
        issue: { number: 7, pull_request: {} },
        comment: { id: 1, body, author_association: "COLLABORATOR" },
      });
    expect(said("/aigate recheck")).toMatchObject({ relist: true });
    expect(said("/approve")).not.toHaveProperty("relist");
    expect(
      routeEvent("pull_request.opened", { action: "opened", repository, pull_request }),
    ).not.toHaveProperty("relist");
  });

  it("routes a delivery only for the events and actions the App subscribes to", () => {
    const run = {
      repository,
      check_run: {
        name: "AI governance: human oversight",
        head_sha: "c".repeat(40),
        pull_requests: [{ number: 7 }],
      },
    };
    expect(routeDelivery("check_run", { ...run, action: "rerequested" })).toMatchObject({
      pullNumber: 7,
    });
    // The same check run finishing names the pull request too, but is no request to re-run.
    expect(routeDelivery("check_run", { ...run, action: "completed" })).toEqual({
      ignored: "check_run.completed is not an event aigate handles",
    });
    expect(routeDelivery("star", { action: "created" })).toEqual({
      ignored: "star.created is not an event aigate handles",
    });
    expect(routeDelivery("fork", {})).toEqual({ ignored: "fork is not an event aigate handles" });
    expect(routeDelivery("pull_request", null)).toEqual({
      ignored: "pull_request is not an event aigate handles",
    });
    expect(
      routeDelivery("pull_request", { action: "opened", repository, pull_request }),
    ).toMatchObject({ pullNumber: 7, why: "pull_request.opened" });
    expect(
      routeDelivery("push", { ref: "refs/heads/main", repository, commits: [] }),
    ).toMatchObject({ basePush: { ref: "main", branch: true } });
  });

  it("drops a payload of the wrong shape instead of trusting it", () => {
    expect(targetOf("pull_request.opened", { action: "opened", repository })).toBeNull();
    expect(targetOf("pull_request.opened", null)).toBeNull();
    expect(
      targetOf("issue_comment.created", { action: "created", comment: { body: "/approve" } }),
    ).toBeNull();
  });
});

describe("merge queues and base pushes", () => {
  const sha = "a".repeat(40);
  const group = (extra: object = {}) => ({
    head_sha: sha,
    base_sha: "c".repeat(40),
    head_ref: `refs/heads/gh-readonly-queue/main/pr-7-${sha}`,
    ...extra,
  });

  it("checks a merge group for the pull request its ref names", () => {
    expect(
      routeEvent("merge_group.checks_requested", {
        action: "checks_requested",
        repository,
        merge_group: group(),
      }),
    ).toEqual({
      mergeGroup: {
        owner: "acme",
        repo: "models",
        headSha: sha,
        baseSha: "c".repeat(40),
        headRef: `refs/heads/gh-readonly-queue/main/pr-7-${sha}`,
        pull: { ok: true, pullNumber: 7, base: "main" },
      },
      why: "merge_group.checks_requested",
    });
  });

  it("still checks a group whose ref it cannot read, or that has none, to fail it saying why", () => {
    for (const [merge_group, reason] of [
      [group({ head_ref: "refs/heads/gh-readonly-queue/main/feature" }), "names no pull request"],
      [{ head_sha: sha, base_sha: "c".repeat(40) }, "the merge_group event has no head_ref"],
    ] as const) {
      const routed = routeEvent("merge_group.checks_requested", {
        action: "checks_requested",
        repository,
        merge_group,
      });
      expect(routed).toMatchObject({
        mergeGroup: { headSha: sha, pull: { ok: false, reason: expect.stringContaining(reason) } },
      });
    }
  });

  it("drops a destroyed group, and a group without a head to write on", () => {
    expect(
      routeEvent("merge_group.destroyed", {
        action: "destroyed",
        repository,
        merge_group: group(),
      }),
    ).toEqual({ ignored: "merge_group action 'destroyed' needs nothing" });
    expect(
      routeEvent("merge_group.checks_requested", {
        action: "checks_requested",
        repository,
        merge_group: group({ head_sha: "not a sha" }),
      }),
    ).toMatchObject({ ignored: expect.any(String) });
  });

  it("reads a push's changed paths, or leaves them unknown when the payload cannot tell", () => {
    const push = (extra: object) =>
      routeEvent("push.", { ref: "refs/heads/main", repository, ...extra });
    expect(
      push({
        commits: [
          { added: ["a.py"], modified: [".github/ai-governance.yml"], removed: [] },
          { added: [], modified: ["a.py"], removed: ["b.py"] },
        ],
      }),
    ).toEqual({
      basePush: {
        owner: "acme",
        repo: "models",
        ref: "main",
        branch: true,
        paths: ["a.py", ".github/ai-governance.yml", "b.py"],
      },
      why: "push to refs/heads/main",
    });
    for (const extra of [
      {},
      { commits: [] },
      { commits: null },
      { forced: true, commits: [{ added: ["a"] }] },
    ]) {
      const routed = push(extra);
      expect("basePush" in routed && routed.basePush.ref).toBe("main");
      expect("basePush" in routed && "paths" in routed.basePush).toBe(false);
    }
  });

  it("reads what a merge verification needs: before, after, forced and the default branch", () => {
    const before = "a".repeat(40);
    const after = "b".repeat(40);
    const routed = routeEvent("push.", {
      ref: "refs/heads/main",
      before,
      after,
      forced: true,
      repository: { ...repository, default_branch: "main" },
    });
    expect(routed).toMatchObject({
      basePush: { before, after, forced: true, defaultBranch: "main" },
    });
  });

  it("reads a tag push, and drops deleted refs and refs that are neither branch nor tag", () => {
    expect(routeEvent("push.", { ref: "refs/tags/v2", repository, commits: [] })).toMatchObject({
      basePush: { ref: "v2", branch: false },
    });
    expect(routeEvent("push.", { ref: "refs/heads/main", deleted: true, repository })).toEqual({
      ignored: "a deleted branch or tag changes no open pull request",
    });
    expect(routeEvent("push.", { ref: "refs/notes/x", repository })).toMatchObject({
      ignored: expect.any(String),
    });
  });
});
