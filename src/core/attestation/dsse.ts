import { createHash } from "node:crypto";
import * as z from "zod";
import { canonicalJson } from "./json.js";

/**
 * DSSE v1 envelopes (https://github.com/secure-systems-lab/dsse): the signature covers the
 * pre-authentication encoding of the payload type and the exact payload bytes.
 */

export const PAYLOAD_TYPE = "application/vnd.in-toto+json";

export const EnvelopeSchema = z.strictObject({
  payloadType: z.string(),
  payload: z.string(),
  signatures: z.array(z.strictObject({ keyid: z.string().optional(), sig: z.string() })),
});

export type Envelope = z.infer<typeof EnvelopeSchema>;

/** PAE(type, body) = "DSSEv1" SP len(type) SP type SP len(body) SP body, lengths in bytes. */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, "ascii"),
    type,
    Buffer.from(` ${payload.length} `, "ascii"),
    payload,
  ]);
}

const KEY_ID = /^[A-Za-z0-9_-]{43}$/;
const STANDARD = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_SAFE = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Decodes standard or URL-safe base64 (padding optional, alphabets not mixed) and rejects
 * anything else, including non-zero trailing bits, so one byte string has few spellings.
 * Returns undefined for invalid input.
 */
export function decodeBase64(text: string): Buffer | undefined {
  const urlSafe = !STANDARD.test(text);
  if (urlSafe && !URL_SAFE.test(text)) return undefined;
  const unpadded = text.replace(/=+$/, "");
  if (unpadded.length % 4 === 1) return undefined;
  if (text.length !== unpadded.length && text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(unpadded, urlSafe ? "base64url" : "base64");
  const again = bytes.toString(urlSafe ? "base64url" : "base64").replace(/=+$/, "");
  return again === unpadded ? bytes : undefined;
}

/**
 * The canonical JSON of an envelope: keys sorted (payload, payloadType, signatures; keyid, sig),
 * no whitespace, payload and signatures in standard padded base64. This is the text the
 * comment marker carries and the text the attestation digest is taken over.
 */
export function canonicalEnvelopeJson(envelope: {
  payloadType: string;
  payload: Uint8Array;
  signatures: Array<{ keyid?: string | undefined; sig: Uint8Array }>;
}): string {
  return canonicalJson({
    payload: Buffer.from(envelope.payload).toString("base64"),
    payloadType: envelope.payloadType,
    signatures: envelope.signatures.map((s) => ({
      keyid: s.keyid,
      sig: Buffer.from(s.sig).toString("base64"),
    })),
  });
}

/** `sha256:` + lowercase hex SHA-256 of the UTF-8 bytes of the canonical envelope JSON. */
export function digestOfCanonicalEnvelope(json: string): string {
  return `sha256:${createHash("sha256").update(json, "utf8").digest("hex")}`;
}

/** An envelope whose base64 fields decode; the bytes a verifier works on. */
export interface DecodedEnvelope {
  payloadType: string;
  payload: Buffer;
  signatures: Array<{ keyid?: string | undefined; sig: Buffer }>;
  /** Canonical envelope JSON (see `canonicalEnvelopeJson`). */
  canonical: string;
  /** `sha256:` digest of `canonical`. */
  digest: string;
}

export type DecodeResult = { ok: true; envelope: DecodedEnvelope } | { ok: false; reason: string };

/** Checks an envelope's shape and decodes its base64 fields. Never throws. */
export function decodeEnvelope(input: unknown): DecodeResult {
  const parsed = EnvelopeSchema.safeParse(input);
  if (!parsed.success)
    return { ok: false, reason: "not a DSSE envelope (payloadType, payload, signatures)" };
  const payload = decodeBase64(parsed.data.payload);
  if (!payload) return { ok: false, reason: "envelope payload is not valid base64" };
  if (parsed.data.signatures.length !== 1) {
    return {
      ok: false,
      reason: `expected exactly one signature, found ${parsed.data.signatures.length}`,
    };
  }
  const signatures: DecodedEnvelope["signatures"] = [];
  for (const signature of parsed.data.signatures) {
    if (signature.keyid !== undefined && !KEY_ID.test(signature.keyid)) {
      return { ok: false, reason: "signature keyid is not an RFC 7638 key id" };
    }
    const sig = decodeBase64(signature.sig);
    if (!sig) return { ok: false, reason: "envelope signature is not valid base64" };
    signatures.push({ keyid: signature.keyid, sig });
  }
  const canonical = canonicalEnvelopeJson({
    payloadType: parsed.data.payloadType,
    payload,
    signatures,
  });
  return {
    ok: true,
    envelope: {
      payloadType: parsed.data.payloadType,
      payload,
      signatures,
      canonical,
      digest: digestOfCanonicalEnvelope(canonical),
    },
  };
}
