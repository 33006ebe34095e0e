import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  closestMatch,
  describeValue,
  formatField,
  locate,
  MAX_ALIAS_COUNT,
  MAX_REPORTED_ERRORS,
  MAX_YAML_CHARS,
  parseYaml,
  validateYaml,
} from "../../src/core/yaml.js";

const FILE = "config.yml";

const Schema = z.strictObject({
  name: z.string().min(1),
  size: z.enum(["small", "large"]),
  nested: z.strictObject({ count: z.int().min(0), labels: z.array(z.string()).optional() }),
  custom: z
    .string()
    .refine((s) => s !== "bad", { message: "custom says no" })
    .optional(),
});

function errorsOf(text: string) {
  const result = validateYaml(text, FILE, Schema);
  if (result.ok) throw new Error("expected errors");
  return result.errors;
}

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

describe("validateYaml: zod issues become located errors a person can act on", () => {
  it("points a wrong value at the value itself", () => {
    expect(errorsOf("name: n\nsize: medium\nnested: { count: 1 }\n")).toEqual([
      {
        file: FILE,
        line: 2,
        column: 7,
        field: "size",
        message: 'expected one of small, large, got "medium"',
      },
    ]);
  });

  it("points a missing key at the mapping that should hold it", () => {
    expect(errorsOf("name: n\nsize: small\nnested:\n  labels: []\n")).toEqual([
      {
        file: FILE,
        line: 4,
        column: 3,
        field: "nested.count",
        message: 'missing required key "count"',
      },
    ]);
  });

  it("points each unknown key at the key, suggesting the closest allowed key", () => {
    expect(errorsOf("name: n\nsize: small\nnested:\n  count: 1\n  lables: []\n  zzz: 1\n")).toEqual(
      [
        {
          file: FILE,
          line: 5,
          column: 3,
          field: "nested.lables",
          message: 'unknown key "lables" — did you mean "labels"?',
        },
        {
          file: FILE,
          line: 6,
          column: 3,
          field: "nested.zzz",
          message: 'unknown key "zzz"; allowed keys are count, labels',
        },
      ],
    );
  });

  it("points a key with no value at the key", () => {
    expect(errorsOf("name:\nsize: small\nnested: { count: 1 }\n")).toEqual([
      {
        file: FILE,
        line: 1,
        column: 1,
        field: "name",
        message: "expected text, got an empty value",
      },
    ]);
  });

  it("locates list items by index", () => {
    expect(
      errorsOf("name: n\nsize: small\nnested:\n  count: 1\n  labels:\n    - a\n    - 7\n"),
    ).toEqual([
      {
        file: FILE,
        line: 7,
        column: 7,
        field: "nested.labels[1]",
        message: "expected text, got 7",
      },
    ]);
  });

  it("keeps a message the schema wrote itself", () => {
    expect(errorsOf("name: n\nsize: small\nnested: { count: 1 }\ncustom: bad\n")).toEqual([
      { file: FILE, line: 4, column: 9, field: "custom", message: "custom says no" },
    ]);
  });

  it("says what a number must be, and what it got", () => {
    expect(errorsOf("name: n\nsize: small\nnested: { count: -2 }\n")[0]?.message).toBe(
      "must be at least 0, got -2",
    );
    expect(errorsOf("name: n\nsize: small\nnested: { count: 1.5 }\n")[0]?.message).toBe(
      "expected a whole number, got 1.5",
    );
  });

  it("says so when the document is empty", () => {
    expect(errorsOf("")).toEqual([
      {
        file: FILE,
        line: 1,
        column: 1,
        field: "",
        message: "the file is empty: expected a mapping (key: value)",
      },
    ]);
  });

  it(`reports at most ${MAX_REPORTED_ERRORS} errors, then how many more there are`, () => {
    const extra = Array.from({ length: 250 }, (_, i) => `extra${i}: 1`);
    const errors = errorsOf(
      ["name: n", "size: small", "nested: { count: 1 }", ...extra].join("\n"),
    );
    expect(errors).toHaveLength(MAX_REPORTED_ERRORS + 1);
    expect(errors[0]).toMatchObject({ line: 4, field: "extra0" });
    expect(errors[MAX_REPORTED_ERRORS]).toEqual({
      file: FILE,
      line: 0,
      column: 0,
      field: "",
      message: "150 more errors not shown: fix the ones above first",
    });
  });

  it("returns the schema's output when valid", () => {
    const result = validateYaml("name: n\nsize: large\nnested: { count: 0 }\n", FILE, Schema);
    expect(result.ok && result.value).toEqual({ name: "n", size: "large", nested: { count: 0 } });
  });
});

describe("locate", () => {
  const parsed = parseYaml("a:\n  b:\n    - x\n    - { c: 1 }\n", FILE);
  if (!parsed.ok) throw new Error("fixture must parse");
  const { source } = parsed;

  it("finds nested values and keys", () => {
    expect(locate(source, ["a", "b", 1, "c"])).toEqual({ line: 4, column: 12 });
    expect(locate(source, ["a", "b", 1, "c"], "key")).toEqual({ line: 4, column: 9 });
    expect(locate(source, ["a", "b", 0])).toEqual({ line: 3, column: 7 });
  });

  it("falls back to the nearest existing parent", () => {
    expect(locate(source, ["a", "b", 1, "missing"])).toEqual({ line: 4, column: 7 });
    expect(locate(source, ["a", "b", 9])).toEqual({ line: 3, column: 5 });
    expect(locate(source, ["nope", "deeper"])).toEqual({ line: 1, column: 1 });
  });
});

describe("helpers", () => {
  it("formats a path as a dotted field with indexes", () => {
    expect(formatField(["systems", 0, "approvers", "teams", 2])).toBe(
      "systems[0].approvers.teams[2]",
    );
    expect(formatField([])).toBe("");
  });

  it("suggests the closest candidate for typos, transpositions and truncations only", () => {
    expect(closestMatch("aprovals", ["approvals", "approvers"])).toBe("approvals");
    expect(closestMatch("hihg", ["minimal", "limited", "high", "prohibited"])).toBe("high");
    expect(closestMatch("prod", ["development", "production"])).toBe("production");
    expect(closestMatch("Tier", ["tier"])).toBe("tier");
    expect(closestMatch("critical", ["minimal", "limited", "high", "prohibited"])).toBeUndefined();
    expect(closestMatch("x", [])).toBeUndefined();
  });

  it("describes values as they read in YAML", () => {
    expect(describeValue(null)).toBe("an empty value");
    expect(describeValue("x")).toBe('"x"');
    expect(describeValue([1])).toBe("a list");
    expect(describeValue({ a: 1 })).toBe("a mapping");
    expect(describeValue(true)).toBe("true");
    expect(describeValue("y".repeat(100))).toHaveLength(62);
  });
});
