import { describe, expect, it } from "vitest";
import {
  AUTHOR_ASSOCIATIONS,
  answersTo,
  commandRights,
  mayAskForWork,
} from "../../src/core/command-rights.js";
import { parseCommands } from "../../src/core/commands.js";

/**
 * Every `author_association` GitHub documents, with what the account may ask: work (recheck,
 * request) and whether a refusal is answered. The pull request's author may always do both.
 */
const TABLE: Record<(typeof AUTHOR_ASSOCIATIONS)[number], { work: boolean; answered: boolean }> = {
  COLLABORATOR: { work: true, answered: true },
  CONTRIBUTOR: { work: false, answered: true },
  FIRST_TIMER: { work: false, answered: false },
  FIRST_TIME_CONTRIBUTOR: { work: false, answered: false },
  MANNEQUIN: { work: false, answered: false },
  MEMBER: { work: true, answered: true },
  NONE: { work: false, answered: false },
  OWNER: { work: true, answered: true },
};

describe("who may command what", () => {
  it("the table covers every association GitHub documents", () => {
    expect(Object.keys(TABLE).sort()).toEqual([...AUTHOR_ASSOCIATIONS].sort());
  });

  describe.each(AUTHOR_ASSOCIATIONS)("an account whose association is %s", (association) => {
    const expected = TABLE[association];
    const stranger = { login: "mallory", association };

    it(`may ${expected.work ? "" : "not "}ask for work`, () => {
      expect(mayAskForWork(stranger, "dave")).toBe(expected.work);
      const rights = commandRights(parseCommands("/aigate recheck"), stranger, "dave");
      expect(rights).toEqual({
        work: expected.work ? ["recheck"] : [],
        dropped: expected.work ? [] : ["recheck"],
        answer: expected.answered,
        evaluate: expected.work,
      });
    });

    it(`has its /approve evaluated, and a refusal ${expected.answered ? "answered" : "not answered"}`, () => {
      expect(answersTo(stranger, "dave")).toBe(expected.answered);
      const rights = commandRights(parseCommands("/approve credit-scoring"), stranger, "dave");
      expect(rights.evaluate).toBe(true);
      expect(rights.answer).toBe(expected.answered);
    });

    it(`with /approve and /aigate recheck in one comment: the approval evaluated, the recheck ${expected.work ? "honoured" : "dropped"}`, () => {
      const both = parseCommands("/approve credit-scoring\n/aigate recheck");
      const rights = commandRights(both, stranger, "dave");
      expect(rights.evaluate).toBe(true);
      expect(rights.work).toEqual(expected.work ? ["recheck"] : []);
    });

    it(`has unreadable lines ${expected.answered ? "answered" : "dropped before any request"}`, () => {
      const rights = commandRights(parseCommands("/aigate rechek"), stranger, "dave");
      expect(rights.evaluate).toBe(expected.answered);
    });

    it("may do both on its own pull request (the author, in any letter case)", () => {
      const author = { login: "Mallory", association };
      expect(mayAskForWork(author, "mallory")).toBe(true);
      expect(answersTo(author, "mallory")).toBe(true);
      expect(commandRights(parseCommands("/aigate recheck"), author, "mallory").work).toEqual([
        "recheck",
      ]);
    });
  });

  it("an association GitHub does not document is treated as none", () => {
    const odd = { login: "mallory", association: "SPONSOR" };
    expect(mayAskForWork(odd, "dave")).toBe(false);
    expect(answersTo(odd, "dave")).toBe(false);
  });

  it("a door that does not know the association asks no work of strangers but answers as before", () => {
    const unknown = { login: "mallory" };
    expect(mayAskForWork(unknown, "dave")).toBe(false);
    expect(answersTo(unknown, "dave")).toBe(true);
  });

  it("a comment with no command needs no reconcile", () => {
    const rights = commandRights(parseCommands("looks good"), { login: "a", association: "OWNER" });
    expect(rights).toEqual({ work: [], dropped: [], answer: true, evaluate: false });
  });

  it("`request` counts as work once the parser knows it", () => {
    const parsed = { ...parseCommands(""), request: true };
    expect(commandRights(parsed, { login: "m", association: "NONE" }, "dave").dropped).toEqual([
      "request",
    ]);
    expect(commandRights(parsed, { login: "m", association: "MEMBER" }, "dave").work).toEqual([
      "request",
    ]);
  });
});
