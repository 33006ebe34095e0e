import { describe, expect, it } from "vitest";
import { targetOf } from "../../src/github/events.js";

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
    for (const action of ["closed", "labeled", "assigned", "review_requested"]) {
      expect(targetOf(`pull_request.${action}`, { action, repository, pull_request })).toBeNull();
    }
  });

  it("reconciles approvals, requests for changes and dismissals, but not plain review comments", () => {
    const review = (state: string, body = "") => ({ state, body });
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
      comment: { body },
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

  it("drops a payload of the wrong shape instead of trusting it", () => {
    expect(targetOf("pull_request.opened", { action: "opened", repository })).toBeNull();
    expect(targetOf("pull_request.opened", null)).toBeNull();
    expect(
      targetOf("issue_comment.created", { action: "created", comment: { body: "/approve" } }),
    ).toBeNull();
  });
});
