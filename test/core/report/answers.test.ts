import { describe, expect, it } from "vitest";
import { MAX_COMMENT_CHARS } from "../../../src/core/limits.js";
import type { Reply } from "../../../src/core/policy/approval-plan.js";
import {
  ANSWERS_MARKER,
  answerText,
  findAnswersComment,
  mergeAnswers,
  parseAnswers,
  renderAnswers,
} from "../../../src/core/report/index.js";
import type { CommentFacts } from "../../../src/core/types.js";

const notApprover = (commentId: number, login: string): Reply => ({
  commentId,
  login,
  reason: { kind: "not_an_approver", systems: ["credit-scoring"] },
  problems: [],
});
const unreadable = (commentId: number, login: string): Reply => ({
  commentId,
  login,
  reason: { kind: "command_problems" },
  problems: ['Line 1: unknown command "/aigate rechek"; the only one is "/aigate recheck".'],
});

describe("the answer comment: one per pull request, edited in place", () => {
  it("reads as a person sees it", () => {
    const { entries } = mergeAnswers(
      [],
      [notApprover(101, "bob"), unreadable(102, "carol"), { ...notApprover(103, "dave") }],
    );
    expect(renderAnswers(entries)).toMatchSnapshot();
  });

  it("parses back what it rendered", () => {
    const { entries } = mergeAnswers(
      [],
      [notApprover(101, "bob"), unreadable(102, "renovate[bot]")],
    );
    expect(parseAnswers(renderAnswers(entries))).toEqual(entries);
  });

  it("keeps the answer to the newest command of each account, newest first", () => {
    const first = mergeAnswers([], [notApprover(101, "bob"), notApprover(102, "carol")]);
    const second = mergeAnswers(parseAnswers(renderAnswers(first.entries)), [
      unreadable(110, "Bob"),
      notApprover(100, "carol"),
    ]);
    expect(second.changed).toBe(true);
    expect(second.entries.map((e) => [e.commentId, e.login])).toEqual([
      [110, "Bob"],
      [102, "carol"],
    ]);
  });

  it("has nothing new to say when the replies are already answered or older", () => {
    const first = mergeAnswers([], [notApprover(101, "bob"), notApprover(102, "carol")]);
    const held = parseAnswers(renderAnswers(first.entries));
    expect(mergeAnswers(held, [notApprover(101, "bob"), notApprover(99, "carol")]).changed).toBe(
      false,
    );
    expect(mergeAnswers(held, []).changed).toBe(false);
  });

  it("stays within GitHub's comment limit, saying how many older answers were left out", () => {
    const replies = Array.from({ length: 400 }, (_, i) => ({
      ...unreadable(1000 + i, `user-${i}`),
      problems: [`Line 1: ${"x".repeat(300)}`],
    }));
    const { entries } = mergeAnswers([], replies);
    const text = renderAnswers(entries);
    expect(text.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    const shown = parseAnswers(text);
    expect(shown[0]?.commentId).toBe(1399);
    expect(text).toContain(`_${400 - shown.length} older answers were left out`);
  });

  it("is found among the comments only when a bot wrote it", () => {
    const body = renderAnswers([
      { commentId: 1, login: "bob", text: answerText(notApprover(1, "bob")) },
    ]);
    const comment = (login: string, type: "User" | "Bot"): CommentFacts => ({
      id: login.length,
      author: { id: 1, login, type },
      body,
      createdAt: "2026-12-01T00:00:00Z",
      updatedAt: "2026-12-01T00:00:00Z",
    });
    expect(findAnswersComment([comment("mallory", "User")])).toBeUndefined();
    expect(
      findAnswersComment([comment("mallory", "User"), comment("aigate[bot]", "Bot")])?.author
        ?.login,
    ).toBe("aigate[bot]");
    expect(body.startsWith(ANSWERS_MARKER)).toBe(true);
  });

  it("a text that is not an answer comment holds no answers", () => {
    expect(parseAnswers("<!-- aigate-answer:1:bob -->\n@bob hi")).toEqual([]);
  });
});

describe("the answer comment and hostile command text", () => {
  it("quoted text cannot open an answer of its own", () => {
    const hostile: Reply = {
      ...unreadable(5, "mallory"),
      problems: ['Line 1: unknown command "/aigate x\n<!-- aigate-answer:9:alice -->\n@alice ok"'],
    };
    const text = renderAnswers(mergeAnswers([], [hostile]).entries);
    expect(parseAnswers(text).map((e) => e.login)).toEqual(["mallory"]);
  });
});

describe("the answer comment and what was recorded", () => {
  const recorded = (commentId: number, login: string) => ({
    commentId,
    login,
    decision: "approved" as const,
    systems: ["credit-scoring"],
  });

  it("replaces an account's earlier refusal with what was recorded", () => {
    const held = mergeAnswers([], [notApprover(101, "erin"), notApprover(102, "bob")]).entries;
    const after = mergeAnswers(held, [], [recorded(110, "erin")]);
    expect(after.changed).toBe(true);
    expect(after.entries.map((e) => [e.commentId, e.login])).toEqual([
      [110, "erin"],
      [102, "bob"],
    ]);
    expect(after.entries[0]?.text).toContain(
      "@erin your `/approve` was recorded for credit-scoring",
    );
  });

  it("says nothing of what was recorded to an account it never answered: the attestation is the answer", () => {
    const held = mergeAnswers([], [notApprover(101, "bob")]).entries;
    expect(mergeAnswers(held, [], [recorded(110, "erin")]).changed).toBe(false);
    expect(mergeAnswers([], [], [recorded(110, "erin")]).entries).toEqual([]);
  });
});
