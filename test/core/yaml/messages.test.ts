import { describe, expect, it } from "vitest";
import { closestMatch, describeValue } from "../../../src/core/yaml/index.js";

describe("closestMatch", () => {
  it("suggests the closest candidate for typos, transpositions and truncations only", () => {
    expect(closestMatch("aprovals", ["approvals", "approvers"])).toBe("approvals");
    expect(closestMatch("hihg", ["minimal", "limited", "high", "prohibited"])).toBe("high");
    expect(closestMatch("prod", ["development", "production"])).toBe("production");
    expect(closestMatch("Tier", ["tier"])).toBe("tier");
    expect(closestMatch("critical", ["minimal", "limited", "high", "prohibited"])).toBeUndefined();
    expect(closestMatch("x", [])).toBeUndefined();
  });
});

describe("describeValue", () => {
  it("describes values as they read in YAML", () => {
    expect(describeValue(null)).toBe("an empty value");
    expect(describeValue("x")).toBe('"x"');
    expect(describeValue([1])).toBe("a list");
    expect(describeValue({ a: 1 })).toBe("a mapping");
    expect(describeValue(true)).toBe("true");
    expect(describeValue("y".repeat(100))).toHaveLength(62);
  });
});
