import { verify as verifySignature } from "node:crypto";
import { decodeUtf8 } from "../attestation/comment.js";
import {
  type DecodedEnvelope,
  decodeBase64,
  decodeEnvelope,
  PAYLOAD_TYPE,
  pae,
} from "../attestation/dsse.js";
import { canonicalJson, parseStrictJson } from "../attestation/json.js";
import type { SignedAttestation, Signer, TrustedKey } from "../attestation/keys.js";
import { describeIssues, STATEMENT_TYPE } from "../attestation/statement.js";
import { keyValidity } from "../attestation/verify.js";
import { VSA_PREDICATE_TYPE, type VsaStatement, VsaStatementSchema } from "./statement.js";

/**
 * The merge verification as a signed record: a DSSE envelope over the VSA statement, carried by
 * one marker `<!-- aigate-verification:v1 BASE64 -->` in the check run's text, and verified
 * offline step by step (docs/attestation.md#verifying-a-merge-verification).
 */

export const VERIFICATION_MARKER_NAME = "aigate-verification";
const MARKER_PREFIX = `${VERIFICATION_MARKER_NAME}:`;
const MARKER = /<!-- aigate-verification:v1 ([A-Za-z0-9+/=]+) -->/;
/** Limit on the envelope JSON a marker carries, in bytes (a record names at most a few hundred inputs). */
export const MAX_VERIFICATION_BYTES = 48 * 1024;

/** Signs a VSA statement with the approvals' key; throws when it is not a valid statement. */
export function signVerification(statement: VsaStatement, signer: Signer): SignedAttestation {
  const checked = VsaStatementSchema.safeParse(statement);
  if (!checked.success) {
    throw new Error(`refusing to sign an invalid verification: ${describeIssues(checked.error)}`);
  }
  return signer.signPayload(Buffer.from(canonicalJson(checked.data), "utf8"));
}

/** The marker line for a signed record (standard base64 of its canonical envelope JSON). */
export function verificationMarker(signed: SignedAttestation): string {
  return `<!-- ${MARKER_PREFIX}v1 ${Buffer.from(signed.envelopeJson, "utf8").toString("base64")} -->`;
}

export type ExtractedVerification =
  | { ok: true; envelope: DecodedEnvelope }
  | { ok: false; reason: string };

/** Finds the one verification marker in a check run's text and decodes its envelope. Never throws. */
export function extractVerification(text: unknown): ExtractedVerification {
  if (typeof text !== "string") return { ok: false, reason: "the check run has no text" };
  const count = text.split(MARKER_PREFIX).length - 1;
  if (count === 0) return { ok: false, reason: "no verification marker" };
  if (count > 1)
    return { ok: false, reason: `${count} verification markers; exactly one is allowed` };
  const encoded = MARKER.exec(text)?.[1];
  if (encoded === undefined) {
    return { ok: false, reason: "the marker is not `<!-- aigate-verification:v1 BASE64 -->`" };
  }
  if (encoded.length > Math.ceil(MAX_VERIFICATION_BYTES / 3) * 4) {
    return { ok: false, reason: `the record is larger than ${MAX_VERIFICATION_BYTES} bytes` };
  }
  const bytes = decodeBase64(encoded);
  if (!bytes) return { ok: false, reason: "the marker is not valid base64" };
  return envelopeFromText(decodeUtf8(bytes));
}

/** Decodes an envelope given as JSON text (a `.json` file, an export line's field). Never throws. */
export function envelopeFromText(text: string | undefined): ExtractedVerification {
  if (text === undefined) return { ok: false, reason: "the record is not valid UTF-8" };
  const json = parseStrictJson(text);
  if (!json.ok) return { ok: false, reason: `the record: ${json.reason}` };
  const envelope = decodeEnvelope(json.value);
  return envelope.ok ? envelope : { ok: false, reason: envelope.reason };
}

/** What a verifier expects of a record, besides a trusted signature. */
export interface VerificationExpectation {
  /** The commit the record must be about. */
  commit?: string;
  /** The repository it must be about, `git+https://HOST/OWNER/REPO`. */
  resourceUri?: string;
}

export type RecordCheck =
  | {
      ok: true;
      statement: VsaStatement;
      /** `sha256:` digest of the canonical envelope. */
      digest: string;
      keyId: string;
    }
  | { ok: false; reason: string; statement?: VsaStatement };

/**
 * Verifies a record offline, in the order the SLSA VSA verification procedure gives: the
 * signature with a trusted key valid at `timeVerified`, the statement and predicate type, the
 * subject's commit, the resource URI. The verification result is reported, not judged here.
 */
export function verifyVerification(
  envelope: DecodedEnvelope,
  keys: TrustedKey[],
  expect: VerificationExpectation = {},
): RecordCheck {
  if (envelope.payloadType !== PAYLOAD_TYPE) {
    return { ok: false, reason: `payloadType is ${JSON.stringify(envelope.payloadType)}` };
  }
  const signature = envelope.signatures[0];
  if (!signature) return { ok: false, reason: "the envelope has no signature" };
  const message = pae(envelope.payloadType, envelope.payload);
  const hinted = keys.find((k) => k.keyId === signature.keyid);
  const key = (hinted ? [hinted] : keys).find(
    (k) => signature.sig.length === 64 && verifySignature(null, message, k.key, signature.sig),
  );
  if (!key) {
    return {
      ok: false,
      reason: hinted
        ? `the signature does not verify with key ${hinted.keyId}`
        : `not signed by any trusted key (keyid ${signature.keyid ?? "absent"})`,
    };
  }
  const text = decodeUtf8(envelope.payload);
  const json = text === undefined ? undefined : parseStrictJson(text);
  if (!json?.ok) return { ok: false, reason: "the payload is not valid JSON" };
  const value = json.value as Record<string, unknown>;
  if (value._type !== STATEMENT_TYPE) {
    return { ok: false, reason: "the payload is not an in-toto Statement v1" };
  }
  if (value.predicateType !== VSA_PREDICATE_TYPE) {
    return {
      ok: false,
      reason: `predicateType is ${JSON.stringify(value.predicateType) ?? "absent"}, expected ${VSA_PREDICATE_TYPE}`,
    };
  }
  const parsed = VsaStatementSchema.safeParse(json.value);
  if (!parsed.success) return { ok: false, reason: `statement: ${describeIssues(parsed.error)}` };
  const statement = parsed.data;
  const validity = keyValidity(key, Date.parse(statement.predicate.timeVerified), undefined);
  if (!validity.ok) return { ok: false, reason: validity.reason, statement };
  const commit = statement.subject[0]?.digest.gitCommit;
  if (expect.commit !== undefined && commit !== expect.commit.toLowerCase()) {
    return {
      ok: false,
      reason: `the subject is commit ${commit}, not ${expect.commit}`,
      statement,
    };
  }
  const resourceUri = statement.predicate.resourceUri;
  if (
    expect.resourceUri !== undefined &&
    resourceUri.toLowerCase() !== expect.resourceUri.toLowerCase()
  ) {
    return {
      ok: false,
      reason: `resourceUri is ${resourceUri}, not ${expect.resourceUri}`,
      statement,
    };
  }
  return { ok: true, statement, digest: envelope.digest, keyId: key.keyId };
}
