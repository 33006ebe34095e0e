import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { MAX_ALIAS_COUNT, MAX_YAML_CHARS, parseYaml } from "../../../src/core/yaml/index.js";
import { PARSER_WORDING } from "./parser-wording.js";

const FILE = "config.yml";

describe("parseYaml", () => {
  it("returns the plain value of a YAML 1.2 document", () => {
    const result = parseYaml("a: 1\nb: [x, 'y']\nc: 2026-10-01\nd: yes\n", FILE);
    expect(result.ok && result.value).toEqual({ a: 1, b: ["x", "y"], c: "2026-10-01", d: "yes" });
  });

  it("locates a syntax error at its line and column: a quote left open, where it opens", () => {
    const result = parseYaml("a: 1\nb: 'unclosed\n", FILE);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      {
        file: FILE,
        line: 2,
        column: 4,
        field: "",
        message: "the `'` opened on line 2 is never closed: end the quoted text with `'`",
      },
    ]);
  });

  it("reports every duplicate key, each at the repeated key", () => {
    const result = parseYaml("a: 1\nb: 2\na: 3\nc:\n  d: 1\n  d: 2\n", FILE);
    if (result.ok) throw new Error("expected errors");
    expect(result.errors.map((e) => [e.line, e.column, e.message])).toEqual([
      [3, 1, 'duplicate key "a": a key may appear only once in a mapping'],
      [6, 3, 'duplicate key "d": a key may appear only once in a mapping'],
    ]);
  });

  it('treats keys that read the same as one key, like 1 and "1"', () => {
    const result = parseYaml('1: a\n"1": b\n', FILE);
    if (result.ok) throw new Error("expected errors");
    expect(result.errors.map((e) => [e.line, e.column])).toEqual([[2, 1]]);
  });

  it("finds duplicate keys in a mapping of any size", () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`);
    const result = parseYaml([...keys, "k7: again"].join("\n"), FILE);
    if (result.ok) throw new Error("expected errors");
    expect(result.errors).toEqual([
      expect.objectContaining({
        line: 20_001,
        column: 1,
        message: expect.stringContaining('"k7"'),
      }),
    ]);
  });

  it("reports only the first of a cascade of syntax errors", () => {
    const result = parseYaml("a:\n\tb: 1\n\tc: 2\n\td: 3\n", FILE);
    if (result.ok) throw new Error("expected errors");
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ line: 2, column: 1 });
  });

  it("reports nesting too deep to read as an error, not a crash", () => {
    const result = parseYaml(`a: ${"[".repeat(20_000)}`, FILE);
    expect(result.ok).toBe(false);
  });

  it("reads a __proto__ key as an ordinary key, without touching any prototype", () => {
    const result = parseYaml("__proto__: { polluted: true }\n", FILE);
    if (!result.ok) throw new Error("expected the document to parse");
    expect(Object.keys(result.value as object)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("names a quoted duplicate key without its quotes", () => {
    const result = parseYaml('"a b": 1\n"a b": 2\n', FILE);
    if (result.ok) throw new Error("expected errors");
    expect(result.errors[0]?.message).toContain('duplicate key "a b"');
  });

  it(`stops an alias bomb at ${MAX_ALIAS_COUNT} alias expansions, at the first alias`, () => {
    let text = 'a0: &a0 ["x"]\n';
    for (let i = 1; i < 8; i++) {
      text += `a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(", ")}]\n`;
    }
    const result = parseYaml(text, FILE);
    if (result.ok) throw new Error("expected errors");
    expect(result.errors).toEqual([
      {
        file: FILE,
        line: 2,
        column: 10,
        field: "",
        message: expect.stringContaining("aliases expand to too many nodes"),
      },
    ]);
  });

  it("allows a few ordinary aliases", () => {
    const result = parseYaml("base: &b [x, y]\ncopy: *b\n", FILE);
    expect(result.ok && result.value).toEqual({ base: ["x", "y"], copy: ["x", "y"] });
  });

  it("refuses text over the size limit as a whole-file error", () => {
    const result = parseYaml("x".repeat(MAX_YAML_CHARS + 1), FILE);
    if (result.ok) throw new Error("expected errors");
    expect(result.errors).toEqual([
      { file: FILE, line: 0, column: 0, field: "", message: expect.stringContaining("limit") },
    ]);
  });

  it("refuses a %YAML 1.1 directive, under which yes/no and dates change meaning", () => {
    const result = parseYaml("%YAML 1.1\n---\nd: 2026-01-01\n", FILE);
    if (result.ok) throw new Error("expected errors");
    expect(result.errors[0]).toMatchObject({
      line: 1,
      column: 1,
      message: expect.stringContaining("YAML 1.2"),
    });
  });

  it("never throws, whatever the text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (text) => {
        const result = parseYaml(text, FILE);
        if (!result.ok) {
          for (const error of result.errors) {
            expect(error.file).toBe(FILE);
            expect(error.line).toBeGreaterThanOrEqual(0);
            expect(error.message).not.toBe("");
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

function errorsOf(text: string) {
  const result = parseYaml(text, FILE);
  if (result.ok) throw new Error("expected errors");
  return result.errors.map((e) => ({ line: e.line, column: e.column, message: e.message }));
}

/** Twelve valid lines, so that what follows starts on line 13. */
const TWELVE_LINES = Array.from({ length: 12 }, (_, i) => `key${i + 1}: value`).join("\n");

describe("parseYaml: a bracket or quote left open is reported where it opens, in plain words", () => {
  it("reports an unclosed [ on line 13 at line 13, not where the parser gave up", () => {
    const text = `${TWELVE_LINES}\nteams: [acme/model-risk, acme/credit-ml\nowner: alice\n`;
    expect(errorsOf(text)).toEqual([
      {
        line: 13,
        column: 8,
        message: "the `[` opened on line 13 is never closed: end the list with `]`",
      },
    ]);
  });

  it("reports an unclosed { and an unclosed quote where they open", () => {
    expect(errorsOf(`${TWELVE_LINES}\nowners: {teams: [a/b]\nx: 1\n`)).toEqual([
      {
        line: 13,
        column: 9,
        message: "the `{` opened on line 13 is never closed: end the mapping with `}`",
      },
    ]);
    expect(errorsOf(`${TWELVE_LINES}\npurpose: "Rank credit\nx: 1\ny: 2\n`)).toEqual([
      {
        line: 13,
        column: 10,
        message: 'the `"` opened on line 13 is never closed: end the quoted text with `"`',
      },
    ]);
  });

  it("reports brackets left open inside one another once, at the outermost, counting the rest", () => {
    expect(errorsOf("a: [x, {b: 1, c: [2\n")).toEqual([
      {
        line: 1,
        column: 4,
        message:
          "the `[` opened on line 1 is never closed: end the list with `]` (2 more opened after it are not closed either)",
      },
    ]);
  });

  it("tells a bracket whose next lines are not indented enough from one that is never closed", () => {
    expect(errorsOf("a:\n  b: [x,\n  y]\nc: 1\n")).toEqual([
      {
        line: 2,
        column: 6,
        message:
          "the `[` opened on line 2 goes on to line 3, which must be indented further than line 2: indent the lines inside the brackets, or close the list with `]` on line 2",
      },
    ]);
  });

  it("reports a mistake before an open bracket first: it is a mistake of its own", () => {
    expect(errorsOf("a:\n\tb: 1\nc: [x\nd: 1\n")[0]).toMatchObject({ line: 2, column: 1 });
  });

  it("reports a bracket nested too deep to count as one error, without a crash", () => {
    const errors = errorsOf(`a: ${"[".repeat(20_000)}`);
    expect(errors).toEqual([
      {
        line: 1,
        column: 4,
        message: expect.stringContaining("(19999 more opened after it are not closed either)"),
      },
    ]);
  });
});

describe("parseYaml: other syntax errors in words a person can act on", () => {
  /** text → line, column and a fragment of the message. */
  const cases: [string, string, number, number, string][] = [
    [
      "a value with ': ' in it",
      "name: Credit: scoring\n",
      1,
      7,
      "quote the value when its `:` belongs to it",
    ],
    [
      "a list item without '- '",
      "teams:\n  - a\n  b\n",
      3,
      1,
      "a list item needs `- ` in front of it",
    ],
    [
      "a list item out of line",
      "a:\n  - x\n - y\n",
      3,
      1,
      "a list (`- item`) cannot be used as a key",
    ],
    ["a key without ': '", "key value\nb: 1\n", 1, 1, "followed by `: ` (a colon and a space)"],
    [
      "a value starting with '@'",
      "a: @x\n",
      1,
      4,
      "a value cannot start with `@` unless it is quoted",
    ],
    ["an unknown escape", 'a: "\\q"\n', 1, 5, "`\\q` is not an escape YAML knows in double quotes"],
    [
      "'- item' inside brackets",
      "a: [x, - y]\n",
      1,
      8,
      "inside `[ ]` or `{ }`, items are separated by commas",
    ],
    ["a list after a mapping", "a: 1\n- b\n", 2, 1, "unexpected `-` here"],
    ["a closing bracket with no opening", "a: [x, y]]\n", 1, 10, "`]` closes nothing here"],
    ["two commas in a row", "a: [x,,y]\n", 1, 7, "an empty item between two commas"],
    [
      "an alias with no anchor",
      "a: &x 1\nb: *y\n",
      2,
      4,
      "the alias `*y` refers to no anchor `&y` before it",
    ],
    [
      "an alias before its anchor",
      "a: *x\nb: &x 1\n",
      1,
      4,
      "the alias `*x` refers to no anchor `&x` before it",
    ],
    [
      "brackets nested too deep",
      `a: ${"[".repeat(3000)}${"]".repeat(3000)}`,
      1,
      0,
      "nested too deeply",
    ],
  ];

  it.each(cases)("%s", (_name, text, line, column, fragment) => {
    const [error, ...more] = errorsOf(text);
    expect(more).toEqual([]);
    expect(error?.message).toContain(fragment);
    expect(error?.line).toBe(line);
    if (column > 0) expect(error?.column).toBe(column);
  });

  it("never shows the parser's own wording, whatever the text", () => {
    const yamlish = fc
      .array(
        fc.constantFrom(..."[]{}:,-#&*!?|>%@`'\"\\\t\n ab".split(""), "  ", "- ", ": ", "\n  "),
        { maxLength: 40 },
      )
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(yamlish, (text) => {
        const result = parseYaml(text, FILE);
        if (result.ok) return;
        const said = parseDocument(text, { strict: true, uniqueKeys: false }).errors.map((e) =>
          e.message.toLowerCase(),
        );
        for (const error of result.errors) {
          expect(error.message).not.toMatch(PARSER_WORDING);
          for (const raw of said) expect(error.message.toLowerCase()).not.toContain(raw);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
