import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MAX_COMMAND_LINE_CHARS,
  MAX_NOTE_CHARS,
  parseCommands,
  unknownSystems,
} from "../../src/core/commands.js";
import { MAX_COMMENT_CHARS } from "../../src/core/limits.js";

describe("comment commands", () => {
  it("reads /approve with no systems as an approval of every system the approver may approve", () => {
    expect(parseCommands("/approve").decision).toEqual({ kind: "approve", systems: [], line: 1 });
  });

  it("reads the systems and the note after --", () => {
    const parsed = parseCommands(
      "Looks fine.\n/approve credit-scoring fraud-check -- checked the eval report",
    );
    expect(parsed.decision).toEqual({
      kind: "approve",
      systems: ["credit-scoring", "fraud-check"],
      note: "checked the eval report",
      line: 2,
    });
    expect(parsed.problems).toEqual([]);
  });

  it("accepts the manifest pseudo-system by its id", () => {
    expect(parseCommands("/approve aigate:manifest").decision).toMatchObject({
      systems: ["aigate:manifest"],
    });
  });

  it("reads /revoke with and without systems", () => {
    expect(parseCommands("/revoke").decision).toEqual({ kind: "revoke", systems: [], line: 1 });
    expect(parseCommands("/revoke credit-scoring").decision).toEqual({
      kind: "revoke",
      systems: ["credit-scoring"],
      line: 1,
    });
  });

  it("reads /aigate recheck anywhere a line starts with it", () => {
    expect(parseCommands("please\n/aigate recheck").recheck).toBe(true);
    expect(parseCommands("/aigate recheck now").recheck).toBe(false);
  });

  it("reads /aigate request, alone on its line, apart from /aigate recheck", () => {
    expect(parseCommands("please\n/aigate request")).toMatchObject({
      request: true,
      recheck: false,
      problems: [],
    });
    expect(parseCommands("/aigate request  ").request).toBe(true);
    expect(parseCommands("/aigate request alice").request).toBe(false);
    expect(parseCommands("> /aigate request").request).toBe(false);
    expect(parseCommands("```\n/aigate request\n```").request).toBe(false);
    expect(parseCommands("/aigate recheck").request).toBe(false);
  });

  it("counts a command only at the very start of a line", () => {
    for (const body of [
      " /approve",
      "> /approve",
      "text /approve",
      "`/approve`",
      "/approved",
      "/approve-all",
    ]) {
      expect(parseCommands(body).decision, body).toBeUndefined();
    }
  });

  it("ignores commands inside fenced code blocks", () => {
    const body = ["To approve, write:", "```", "/approve credit-scoring", "```"].join("\n");
    expect(parseCommands(body).decision).toBeUndefined();
    expect(parseCommands("~~~\n/approve\n~~~\n/revoke").decision).toMatchObject({
      kind: "revoke",
      line: 4,
    });
  });

  it("reports tokens that are not system ids and records nothing for that line", () => {
    const parsed = parseCommands("/approve Credit_Scoring <script>");
    expect(parsed.decision).toBeUndefined();
    expect(parsed.problems).toEqual([
      expect.stringContaining('"Credit_Scoring", "<script>" are not a system id'),
    ]);
  });

  it("counts only the first /approve or /revoke of a comment and says so", () => {
    const parsed = parseCommands("/approve\n/revoke");
    expect(parsed.decision).toMatchObject({ kind: "approve" });
    expect(parsed.problems).toEqual([expect.stringContaining("Line 2: only the first")]);
  });

  it("bounds the command line, the note and the comment", () => {
    const longLine = `/approve ${"a".repeat(MAX_COMMAND_LINE_CHARS)}`;
    expect(parseCommands(longLine).decision).toBeUndefined();
    expect(parseCommands(longLine).problems[0]).toContain("at most");
    const longNote = `/approve -- ${"n".repeat(MAX_NOTE_CHARS + 1)}`;
    expect(parseCommands(longNote).decision).toBeUndefined();
    expect(parseCommands(`/approve\n${"x".repeat(MAX_COMMENT_CHARS)}`).decision).toBeUndefined();
  });

  it("rejects a note on /revoke and unknown /aigate commands", () => {
    expect(parseCommands("/revoke -- why").decision).toBeUndefined();
    expect(parseCommands("/aigate approve").problems[0]).toContain(
      'the commands are "/aigate recheck" and "/aigate request"',
    );
  });

  it("never throws on hostile text", () => {
    for (const body of [
      null,
      undefined,
      "",
      "/",
      "/approve --",
      "/approve\u0000",
      "\r\n/approve\r\n",
      "/approve -- --",
    ]) {
      expect(() => parseCommands(body)).not.toThrow();
    }
    expect(parseCommands("/approve -- --").decision).toMatchObject({ note: "--" });
  });

  it("names the systems the manifest does not know", () => {
    expect(unknownSystems(["credit-scoring", "typo"], ["credit-scoring"])).toEqual(["typo"]);
  });
});

describe("comment commands under arbitrary input", () => {
  it("never throws, and only ever records system ids the grammar allows", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.string({ maxLength: 60 }), (noise, tail) => {
        const parsed = parseCommands(`${noise}\n/approve ${tail}\n${noise}`);
        for (const id of parsed.decision?.systems ?? []) {
          expect(id).toMatch(/^(?:[a-z0-9][a-z0-9-]{0,99}|aigate:manifest)$/);
        }
      }),
    );
  });

  it("never finds a command in a line that does not start with one", () => {
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 1, maxLength: 40 })
          .filter((s) => !s.includes("\n") && !s.startsWith("/")),
        fc.constantFrom("/approve", "/revoke", "/aigate recheck", "/aigate request"),
        (prefix, command) => {
          const parsed = parseCommands(`${prefix}${command}`);
          expect(parsed.decision).toBeUndefined();
          expect(parsed.recheck).toBe(false);
          expect(parsed.request).toBe(false);
        },
      ),
    );
  });
});
