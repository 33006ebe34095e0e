import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_ALIAS_COUNT, MAX_YAML_CHARS, parseYaml } from "../../../src/core/yaml/index.js";

const FILE = "config.yml";

describe("parseYaml", () => {
  it("returns the plain value of a YAML 1.2 document", () => {
    const result = parseYaml("a: 1\nb: [x, 'y']\nc: 2026-10-01\nd: yes\n", FILE);
    expect(result.ok && result.value).toEqual({ a: 1, b: ["x", "y"], c: "2026-10-01", d: "yes" });
  });

  it("locates a syntax error at its line and column", () => {
    const result = parseYaml("a: 1\nb: 'unclosed\n", FILE);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      {
        file: FILE,
        line: 3,
        column: 1,
        field: "",
        message: expect.stringContaining("invalid YAML: missing closing 'quote"),
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
