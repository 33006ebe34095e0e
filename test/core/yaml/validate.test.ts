import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MAX_REPORTED_ERRORS, validateYaml } from "../../../src/core/yaml/index.js";

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

  it("says why a date written YYYY-MM-DD is not a real date", () => {
    const dated = z.strictObject({ review_by: z.iso.date() });
    const messageFor = (date: string) => {
      const result = validateYaml(`review_by: ${date}\n`, FILE, dated);
      return result.ok ? "valid" : result.errors[0]?.message;
    };
    expect(messageFor("2027-02-30")).toBe(
      "2027-02-30 is not a real date: February 2027 has 28 days",
    );
    expect(messageFor("2028-02-30")).toBe(
      "2028-02-30 is not a real date: February 2028 has 29 days",
    );
    expect(messageFor("1900-02-29")).toBe(
      "1900-02-29 is not a real date: February 1900 has 28 days",
    );
    expect(messageFor("2000-02-29")).toBe("valid");
    expect(messageFor("2026-09-31")).toBe(
      "2026-09-31 is not a real date: September 2026 has 30 days",
    );
    expect(messageFor("2026-00-10")).toBe(
      "2026-00-10 is not a real date: the month is written 01 to 12",
    );
    expect(messageFor("2026-04-00")).toBe(
      "2026-04-00 is not a real date: the day is written 01 to 30",
    );
    expect(messageFor("01/04/2026")).toBe("a date is written YYYY-MM-DD, e.g. 2026-10-01");
  });

  it("returns the schema's output when valid", () => {
    const result = validateYaml("name: n\nsize: large\nnested: { count: 0 }\n", FILE, Schema);
    expect(result.ok && result.value).toEqual({ name: "n", size: "large", nested: { count: 0 } });
  });
});
