import { describe, expect, it } from "vitest";
import {
  canonicalEnvelopeJson,
  decodeBase64,
  decodeEnvelope,
  pae,
} from "../../../src/core/attestation/index.js";

describe("DSSE pre-authentication encoding", () => {
  it("matches the DSSE specification's example", () => {
    const encoded = pae("http://example.com/HelloWorld", Buffer.from("hello world"));
    expect(encoded.toString("utf8")).toBe("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  });

  it("counts lengths in bytes, not characters", () => {
    const encoded = pae("t", Buffer.from("✓é", "utf8"));
    expect(encoded.toString("utf8")).toBe("DSSEv1 1 t 5 ✓é");
  });

  it("encodes an empty payload", () => {
    expect(pae("t", Buffer.alloc(0)).toString("utf8")).toBe("DSSEv1 1 t 0 ");
  });
});

describe("base64 in envelopes", () => {
  const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x01]);

  it("accepts standard base64 with or without padding", () => {
    expect(decodeBase64("+/+/AQ==")).toEqual(bytes);
    expect(decodeBase64("+/+/AQ")).toEqual(bytes);
  });

  it("accepts URL-safe base64 with or without padding", () => {
    expect(decodeBase64("-_-_AQ")).toEqual(bytes);
    expect(decodeBase64("-_-_AQ==")).toEqual(bytes);
  });

  it("rejects mixed alphabets, stray characters, bad padding and non-zero trailing bits", () => {
    for (const bad of [
      "+_-/AQ==",
      "+/+/AQ=",
      "+/+/ AQ==",
      "+/+/A",
      "+/+/AR==",
      "AQ==AQ==",
      "=AQ=",
    ]) {
      expect(decodeBase64(bad), bad).toBeUndefined();
    }
  });
});

describe("envelope decoding", () => {
  const envelope = {
    payloadType: "application/vnd.in-toto+json",
    payload: "e30",
    signatures: [{ keyid: "mYr6mS4GYVXIMxBOzRW2h3klRG8pb47PRI7WfVCiaQE", sig: "AA" }],
  };

  it("canonicalises the envelope to standard padded base64 with sorted keys", () => {
    const decoded = decodeEnvelope(envelope);
    expect(decoded.ok && decoded.envelope.canonical).toBe(
      '{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{"keyid":"mYr6mS4GYVXIMxBOzRW2h3klRG8pb47PRI7WfVCiaQE","sig":"AA=="}]}',
    );
    expect(decoded.ok && decoded.envelope.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("gives the same digest for the URL-safe and the standard spelling", () => {
    const a = decodeEnvelope({ ...envelope, payload: "-_-_AQ" });
    const b = decodeEnvelope({ ...envelope, payload: "+/+/AQ==" });
    expect(a.ok && b.ok && a.envelope.digest === b.envelope.digest).toBe(true);
  });

  it("omits an absent keyid from the canonical form", () => {
    const json = canonicalEnvelopeJson({
      payloadType: "t",
      payload: Buffer.from("x"),
      signatures: [{ sig: Buffer.from("s") }],
    });
    expect(json).toBe('{"payload":"eA==","payloadType":"t","signatures":[{"sig":"cw=="}]}');
  });

  it.each([
    ["an unknown member", { ...envelope, extra: 1 }, "not a DSSE envelope"],
    ["no signature", { ...envelope, signatures: [] }, "exactly one signature"],
    [
      "two signatures",
      { ...envelope, signatures: [envelope.signatures[0], envelope.signatures[0]] },
      "exactly one signature",
    ],
    [
      "a keyid that is not a key id",
      { ...envelope, signatures: [{ keyid: "<b>", sig: "AA" }] },
      "keyid",
    ],
    [
      "a payload that is not base64",
      { ...envelope, payload: "e30*" },
      "payload is not valid base64",
    ],
    [
      "a signature that is not base64",
      { ...envelope, signatures: [{ sig: "A" }] },
      "signature is not valid base64",
    ],
    ["a string", "envelope", "not a DSSE envelope"],
  ])("rejects an envelope with %s", (_case, input, reason) => {
    const decoded = decodeEnvelope(input);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.reason).toContain(reason);
  });
});
