import { describe, expect, it } from "vitest";
import { run, targetOf } from "../../action/run.js";
import type { ActionRuntime } from "../../action/runtime.js";

/** The parts of a webhook payload GitHub always sends. */
const repository = { name: "models", full_name: "acme/models", owner: { login: "acme" } };
const pr = (number: number, extra: Record<string, unknown> = {}) => ({
  number,
  head: { sha: "b".repeat(40), repo: { full_name: "acme/models" } },
  ...extra,
});

function runtime(overrides: Partial<ActionRuntime>): ActionRuntime & { failed: string[] } {
  const failed: string[] = [];
  return {
    failed,
    getInput: (name) => (name === "token" ? "t" : ""),
    setOutput: () => {},
    setFailed: (message) => failed.push(message),
    log: { info: () => {}, warn: () => {}, error: () => {}, notice: () => {} },
    writeSummary: async () => {},
    context: {
      eventName: "pull_request_target",
      payload: { action: "opened", pull_request: pr(7), repository },
      repo: { owner: "acme", repo: "models" },
    },
    client: () => {
      throw new Error("unexpected");
    },
    env: {},
    now: () => new Date("2026-11-27T12:00:00Z"),
    ...overrides,
  };
}

describe("the Action's run()", () => {
  it("fails the job with an internal error, never a crash, when something of ours throws", async () => {
    const rt = runtime({
      client: () => {
        throw new Error("boom -----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----");
      },
    });
    await expect(run(rt)).resolves.toBeUndefined();
    expect(rt.failed).toEqual(["aigate: internal error: boom [redacted key]"]);
  });
});

describe("which pull request an event is about", () => {
  it.each([
    [
      "pull_request_target",
      { action: "synchronize", pull_request: pr(3), repository },
      { pullNumber: 3 },
    ],
    [
      "pull_request_review",
      { action: "dismissed", pull_request: pr(4), review: { state: "dismissed" }, repository },
      { pullNumber: 4 },
    ],
    [
      "issue_comment",
      {
        action: "created",
        issue: { number: 5, pull_request: {} },
        comment: { id: 50, body: "/approve" },
        repository,
      },
      { pullNumber: 5 },
    ],
  ])("%s → the pull request it names", (event, payload, expected) => {
    expect(targetOf(event, payload)).toEqual(expected);
  });

  it("carries a deleted attestation comment, so it can be posted again", () => {
    const body = "approved\n<!-- aigate-attestation:v1 e30= -->";
    const target = targetOf("issue_comment", {
      action: "deleted",
      issue: { number: 8, pull_request: {} },
      comment: { id: 99, body },
      sender: { login: "mallory" },
      repository,
    });
    expect(target).toEqual({ pullNumber: 8, deleted: { commentId: 99, body, by: "mallory" } });
  });

  it("drops a stranger's /aigate recheck, and evaluates a stranger's /approve (docs/app.md#who-may-command-what)", () => {
    const said = (body: string, association: string) =>
      targetOf("issue_comment", {
        action: "created",
        issue: { number: 5, pull_request: {}, user: { login: "dave" } },
        comment: { id: 51, body, user: { login: "mallory" }, author_association: association },
        repository,
      });
    expect(said("/aigate recheck", "NONE")).toContain(
      "@mallory (association NONE) may not ask for /aigate recheck",
    );
    expect(said("/aigate recheck", "MEMBER")).toMatchObject({ pullNumber: 5 });
    expect(said("/approve credit-scoring", "NONE")).toMatchObject({ pullNumber: 5 });
  });

  it("marks a fork's pull_request event read-only", () => {
    const target = targetOf("pull_request", {
      action: "opened",
      pull_request: pr(6, { head: { sha: "b".repeat(40), repo: { full_name: "mallory/models" } } }),
      repository,
    });
    expect(target).toMatchObject({ pullNumber: 6, readOnly: expect.stringContaining("fork") });
  });

  it("ignores a closed pull request and events without one", () => {
    expect(
      targetOf("pull_request_target", { action: "closed", pull_request: pr(1), repository }),
    ).toContain("cannot change the gates");
    expect(targetOf("pull_request_review", {})).toBe("the event names no pull request");
    expect(targetOf("workflow_dispatch", {})).toContain("workflow_dispatch is ignored");
  });
});
