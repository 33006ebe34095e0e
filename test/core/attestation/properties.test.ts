import { sign } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  PAYLOAD_TYPE,
  pae,
  VERDICTS,
  verifyAttestations,
} from "../../../src/core/attestation/index.js";
import { found, issue, issuer, issuerKey, markerBody, PR, REPO, trusted } from "./helpers.js";

/**
 * Properties over many generated cases (13 000 in all): tampering is always caught and no
 * input, however hostile, makes verification throw.
 */

const issued = issue({ note: 'Geprüft ✓ — 5 € "quoted" \\ backslash' });
const original = JSON.parse(issued.envelopeJson) as {
  payload: string;
  payloadType: string;
  signatures: Array<{ keyid: string; sig: string }>;
};
const payload = Buffer.from(original.payload, "base64");
const signature = Buffer.from(original.signatures[0]?.sig ?? "", "base64");

function verdictFor(envelope: unknown): string | undefined {
  return verifyAttestations([found(markerBody(JSON.stringify(envelope)))], trusted).statements[0]
    ?.verdict;
}

function withPayload(bytes: Buffer) {
  return { ...original, payload: bytes.toString("base64") };
}

function withSignature(bytes: Buffer) {
  return { ...original, signatures: [{ keyid: issuer.keyId, sig: bytes.toString("base64") }] };
}

/** A small deterministic PRNG, so a failing case replays from fast-check's seed alone. */
function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** Writes the same JSON value differently: shuffled keys, whitespace, \u escapes. */
function reencode(
  value: unknown,
  random: () => number,
  indent: string,
  escapeRate: number,
): string {
  const ws = (depth: number) => (indent ? `\n${indent.repeat(depth)}` : random() < 0.3 ? " " : "");
  const str = (s: string) =>
    `"${[...s]
      .map((ch) => {
        const plain = JSON.stringify(ch).slice(1, -1);
        return random() < escapeRate
          ? [...ch]
              .map((c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`)
              .join("")
          : plain;
      })
      .join("")}"`;
  const write = (v: unknown, depth: number): string => {
    if (typeof v === "string") return str(v);
    if (Array.isArray(v))
      return `[${v.map((x) => ws(depth + 1) + write(x, depth + 1)).join(",")}${ws(depth)}]`;
    if (v !== null && typeof v === "object") {
      const keys = Object.keys(v).sort(() => random() - 0.5);
      const members = keys.map(
        (k) =>
          `${ws(depth + 1)}${str(k)}:${ws(0)}${write((v as Record<string, unknown>)[k], depth + 1)}`,
      );
      return `{${members.join(",")}${ws(depth)}}`;
    }
    return JSON.stringify(v);
  };
  return write(value, 0);
}

describe("tampering with a signed attestation", () => {
  it("is the untampered one valid (the baseline of the properties below)", () => {
    expect(verdictFor(original)).toBe("valid");
  });

  it("rejects any single-byte change of the payload as a bad signature", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: payload.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, delta) => {
          const bytes = Buffer.from(payload);
          bytes[at] = ((bytes[at] ?? 0) + delta) % 256;
          expect(verdictFor(withPayload(bytes))).toBe("bad_signature");
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("rejects any single-byte change of the signature as a bad signature", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: signature.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, delta) => {
          const bytes = Buffer.from(signature);
          bytes[at] = ((bytes[at] ?? 0) + delta) % 256;
          expect(verdictFor(withSignature(bytes))).toBe("bad_signature");
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("rejects any re-encoding of the payload (whitespace, key order, unicode escapes)", () => {
    const statement: unknown = JSON.parse(payload.toString("utf8"));
    fc.assert(
      fc.property(
        fc.integer(),
        fc.constantFrom("", " ", "  ", "\t"),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (seed, indent, escapeRate) => {
          const text = reencode(statement, prng(seed), indent, escapeRate);
          fc.pre(text !== payload.toString("utf8"));
          expect(JSON.parse(text)).toEqual(statement);
          expect(verdictFor(withPayload(Buffer.from(text, "utf8")))).toBe("bad_signature");
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("verification of hostile input", () => {
  const verdicts = new Set<string>(VERDICTS);
  const where = { repository: REPO, pullRequest: PR, commentId: 1 };

  function verdictsOf(items: unknown[]): string[] {
    return verifyAttestations(items, trusted).statements.map((s) => s.verdict);
  }

  it("never throws on arbitrary comment text, with or without a marker prefix", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), fc.boolean(), (text, prefixed) => {
        const body = prefixed ? `<!-- aigate-attestation:v1 ${text}` : text;
        const [verdict] = verdictsOf([{ ...where, body }]);
        expect(verdict).toBe("malformed");
      }),
      { numRuns: 1000 },
    );
  });

  it("never throws on arbitrary base64 in the marker", () => {
    fc.assert(
      fc.property(fc.base64String({ maxLength: 400 }), (b64) => {
        const [verdict] = verdictsOf([{ ...where, body: `<!-- aigate-attestation:v1 ${b64} -->` }]);
        expect(verdict).toBe("malformed");
      }),
      { numRuns: 1000 },
    );
  });

  it("never throws on arbitrary JSON as the envelope, given directly or in the marker", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value) ?? "null";
        const [direct, marked] = verdictsOf([
          { ...where, envelope: value },
          { ...where, body: markerBody(text) },
        ]);
        expect(direct).toBe("malformed");
        expect(marked).toBe("malformed");
      }),
      { numRuns: 1000 },
    );
  });

  it("never throws on arbitrary envelope-shaped objects", () => {
    fc.assert(
      fc.property(
        fc.record({
          payloadType: fc.oneof(fc.constant(PAYLOAD_TYPE), fc.string()),
          payload: fc.oneof(fc.base64String(), fc.string()),
          signatures: fc.array(
            fc.record({
              keyid: fc.oneof(fc.constant(issuer.keyId), fc.string()),
              sig: fc.base64String(),
            }),
            { maxLength: 2 },
          ),
        }),
        (envelope) => {
          const [verdict] = verdictsOf([{ ...where, envelope }]);
          expect(verdicts.has(verdict ?? "")).toBe(true);
          expect(verdict).not.toBe("valid");
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("never throws on arbitrary JSON signed by the trusted key, and never calls it valid", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const bytes = Buffer.from(JSON.stringify(value) ?? "null", "utf8");
        const sig = sign(null, pae(PAYLOAD_TYPE, bytes), issuerKey.privateKeyPem);
        const envelope = {
          payload: bytes.toString("base64"),
          payloadType: PAYLOAD_TYPE,
          signatures: [{ keyid: issuer.keyId, sig: sig.toString("base64") }],
        };
        const [verdict] = verdictsOf([{ ...where, envelope }]);
        expect(["malformed", "wrong_predicate_type"]).toContain(verdict);
      }),
      { numRuns: 1000 },
    );
  });

  it("never throws on arbitrary values as found items", () => {
    fc.assert(
      fc.property(fc.array(fc.anything(), { maxLength: 5 }), (items) => {
        const statements = verdictsOf(items);
        expect(statements).toHaveLength(items.length);
        for (const verdict of statements) expect(verdict).toBe("malformed");
      }),
      { numRuns: 1000 },
    );
  });

  it("gives no verdict for a found list that is not an array, instead of throwing", () => {
    expect(verifyAttestations("not a list" as unknown as unknown[], trusted).summary.total).toBe(0);
  });
});
