import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, parseStrictJson } from "../../../src/core/attestation/index.js";

describe("canonical JSON", () => {
  it("sorts keys by code unit at every depth and writes no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null }, _t: "x", B: true })).toBe(
      '{"B":true,"_t":"x","a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  it("drops undefined members instead of writing them", () => {
    expect(canonicalJson({ a: undefined, b: "é" })).toBe('{"b":"é"}');
  });
});

describe("strict JSON parsing", () => {
  it("accepts a document without repeated keys", () => {
    expect(parseStrictJson('{"a":"a","b":["a","a",{"a":1}],"c":{"a":2}}')).toEqual({
      ok: true,
      value: { a: "a", b: ["a", "a", { a: 1 }], c: { a: 2 } },
    });
  });

  it("rejects a repeated key at the top level", () => {
    expect(parseStrictJson('{"decision":"revoked","decision":"approved"}')).toEqual({
      ok: false,
      reason: 'duplicate JSON key "decision"',
    });
  });

  it("rejects a repeated key deep inside arrays and objects", () => {
    const result = parseStrictJson('{"a":[1,{"b":{"c":1,"d":[],"c":2}}]}');
    expect(result).toEqual({ ok: false, reason: 'duplicate JSON key "c"' });
  });

  it("compares keys after unescaping", () => {
    expect(parseStrictJson('{"login":"a","\\u006cogin":"b"}').ok).toBe(false);
  });

  it("is not confused by escaped quotes, braces and commas inside strings", () => {
    const result = parseStrictJson('{"a":"x\\",\\"a\\":{","b":"}],[{"}');
    expect(result).toEqual({ ok: true, value: { a: 'x","a":{', b: "}],[{" } });
  });

  it("says why text is not JSON", () => {
    const result = parseStrictJson('{"a":1,}');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^not valid JSON/);
  });
});

describe("strict JSON parsing, over generated documents", () => {
  it("agrees with JSON.parse on every document JSON.stringify writes", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value) ?? "null";
        expect(parseStrictJson(text)).toEqual({ ok: true, value: JSON.parse(text) });
      }),
      { numRuns: 500 },
    );
  });

  it("rejects any object in which a key is written twice, at any depth", () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.string(),
        fc.jsonValue(),
        fc.jsonValue(),
        (outer, key, first, second) => {
          const inner = `{${JSON.stringify(key)}:${JSON.stringify(first) ?? "null"},${JSON.stringify(key)}:${JSON.stringify(second) ?? "null"}}`;
          const text = `[${JSON.stringify(outer) ?? "null"},{"x":${inner}}]`;
          expect(parseStrictJson(text).ok).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});
