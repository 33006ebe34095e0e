import { describe, expect, it } from "vitest";
import { formatField, locate, parseYaml } from "../../../src/core/yaml/index.js";

const FILE = "config.yml";

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

describe("formatField", () => {
  it("formats a path as a dotted field with indexes", () => {
    expect(formatField(["systems", 0, "approvers", "teams", 2])).toBe(
      "systems[0].approvers.teams[2]",
    );
    expect(formatField([])).toBe("");
  });
});
