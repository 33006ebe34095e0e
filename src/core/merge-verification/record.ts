import { verify as verifySignature } from "node:crypto";
import { type BundleVerifier, envelopeOfBundle, isBundle } from "../attestation/bundle.js";
import { decodeUtf8 } from "../attestation/comment.js";
import {
  type DecodedEnvelope,
  decodeBase64,
  decodeEnvelope,
  PAYLOAD_TYPE,
  pae,
} from "../attestation/dsse.js";
import type { KeylessSigner } from "../attestation/issue.js";
import { canonicalJson, parseStrictJson } from "../attestation/json.js";
import type { SignedAttestation, Signer, TrustedKey } from "../attestation/keys.js";
import { describeIssues, STATEMENT_TYPE } from "../attestation/statement.js";
import { keyValidity } from "../attestation/verify.js";
import { VSA_PREDICATE_TYPE, type VsaStatement, VsaStatementSchema } from "./statement.js";

/**
 * The merge verification as a signed record: a DSSE envelope over the VSA statement, carried by
 * one marker `<!-- aigate-verification:v1 BASE64 -->` in the check run's text, and verified
 * offline step by step (docs/attestation.md#verifying-a-merge-verification). Where the Action
 * signs keyless, the marker carries a Sigstore bundle v0.3 holding that envelope instead, told
 * apart by its mediaType (docs/attestation.md#keyless-merge-verifications).
 */

export const VERIFICATION_MARKER_NAME = "aigate-verification";
const MARKER_PREFIX = `${VERIFICATION_MARKER_NAME}:`;
const MARKER = /<!-- aigate-verification:v1 ([A-Za-z0-9+/=]+) -->/;
/** Limit on the envelope JSON a marker carries, in bytes (a record names at most a few hundred inputs). */
export const MAX_VERIFICATION_BYTES = 48 * 1024;

/** The canonical bytes of a valid VSA statement; throws when it is not one. */
function payloadOf(statement: VsaStatement): Buffer {
  const checked = VsaStatementSchema.safeParse(statement);
  if (!checked.success) {
    throw new Error(`refusing to sign an invalid verification: ${describeIssues(checked.error)}`);
  }
  return Buffer.from(canonicalJson(checked.data), "utf8");
}

/** Signs a VSA statement with the approvals' key; throws when it is not a valid statement. */
export function signVerification(statement: VsaStatement, signer: Signer): SignedAttestation {
  return signer.signPayload(payloadOf(statement));
}

/** Signs a VSA statement keyless into a Sigstore bundle; throws as the signer does. */
export function signVerificationKeyless(
  statement: VsaStatement,
  signer: KeylessSigner,
): Promise<SignedAttestation> {
  return signer.signPayload(payloadOf(statement));
}

/**
 * The marker line for a signed record: standard base64 of its canonical envelope JSON, or of
 * its Sigstore bundle's JSON as sigstore-js serialises it when signed keyless.
 */
export function verificationMarker(signed: SignedAttestation): string {
  const json = signed.bundle === undefined ? signed.envelopeJson : JSON.stringify(signed.bundle);
  return `<!-- ${MARKER_PREFIX}v1 ${Buffer.from(json, "utf8").toString("base64")} -->`;
}

export type ExtractedVerification =
  | {
      ok: true;
      envelope: DecodedEnvelope;
      /** The Sigstore bundle that carried the envelope, when the record was signed keyless. */
      bundle?: unknown;
    }
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

/**
 * Decodes an envelope, or a Sigstore bundle with the envelope it carries, given as JSON text (a
 * `.json` file, an export line's field). Never throws.
 */
export function envelopeFromText(text: string | undefined): ExtractedVerification {
  if (text === undefined) return { ok: false, reason: "the record is not valid UTF-8" };
  const json = parseStrictJson(text);
  if (!json.ok) return { ok: false, reason: `the record: ${json.reason}` };
  return envelopeFromValue(json.value);
}

/** Decodes a parsed envelope or Sigstore bundle (told apart by its mediaType). Never throws. */
export function envelopeFromValue(value: unknown): ExtractedVerification {
  if (isBundle(value)) {
    const carried = envelopeOfBundle(value);
    return carried.ok
      ? { ok: true, envelope: carried.envelope, bundle: value }
      : { ok: false, reason: carried.reason };
  }
  const envelope = decodeEnvelope(value);
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
      /** The trusted key that signed it; absent for a keyless record. */
      keyId?: string;
      /** The Sigstore certificate's identity (the workflow at its ref) of a keyless record. */
      signerIdentity?: string;
    }
  | { ok: false; reason: string; statement?: VsaStatement };

/** A keyless record's bundle and the verifier of its trusted root and allowed signers. */
export interface KeylessRecord {
  bundle?: unknown;
  bundles?: BundleVerifier | undefined;
}

type Signature = { ok: true; key?: TrustedKey; identity?: string } | { ok: false; reason: string };

/** The record's signature: by a trusted key, or a bundle the Sigstore verifier accepts. */
function signatureOf(
  envelope: DecodedEnvelope,
  keys: TrustedKey[],
  keyless: KeylessRecord,
): Signature {
  const signature = envelope.signatures[0];
  if (!signature) return { ok: false, reason: "the envelope has no signature" };
  if (keyless.bundle !== undefined) {
    if (!keyless.bundles) {
      return {
        ok: false,
        reason:
          "a keyless Sigstore bundle, but no trusted root and allowed workflow were given (--signer-workflow or --manifest)",
      };
    }
    const checked = keyless.bundles.verify(keyless.bundle);
    if (!checked.ok) return { ok: false, reason: checked.reason };
    // What sigstore-js verified must be the very bytes read next.
    if (checked.payloadType !== envelope.payloadType || !checked.payload.equals(envelope.payload)) {
      return { ok: false, reason: "the bundle's verified payload differs" };
    }
    return { ok: true, identity: checked.identity };
  }
  const message = pae(envelope.payloadType, envelope.payload);
  const hinted = keys.find((k) => k.keyId === signature.keyid);
  const key = (hinted ? [hinted] : keys).find(
    (k) => signature.sig.length === 64 && verifySignature(null, message, k.key, signature.sig),
  );
  if (key) return { ok: true, key };
  return {
    ok: false,
    reason: hinted
      ? `the signature does not verify with key ${hinted.keyId}`
      : `not signed by any trusted key (keyid ${signature.keyid ?? "absent"})`,
  };
}

/**
 * Verifies a record offline, in the order the SLSA VSA verification procedure gives: the
 * signature (a trusted key valid at `timeVerified`, or a Sigstore bundle from an allowed
 * workflow), the statement and predicate type, the subject's commit, the resource URI. The
 * verification result is reported, not judged here.
 */
export function verifyVerification(
  envelope: DecodedEnvelope,
  keys: TrustedKey[],
  expect: VerificationExpectation = {},
  keyless: KeylessRecord = {},
): RecordCheck {
  if (envelope.payloadType !== PAYLOAD_TYPE) {
    return { ok: false, reason: `payloadType is ${JSON.stringify(envelope.payloadType)}` };
  }
  const signed = signatureOf(envelope, keys, keyless);
  if (!signed.ok) return signed;
  const key = signed.key;
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
  // A keyless certificate's validity at the signing time was checked by the Sigstore verifier.
  if (key) {
    const validity = keyValidity(key, Date.parse(statement.predicate.timeVerified), undefined);
    if (!validity.ok) return { ok: false, reason: validity.reason, statement };
  }
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
  return {
    ok: true,
    statement,
    digest: envelope.digest,
    ...(key ? { keyId: key.keyId } : {}),
    ...(signed.identity !== undefined ? { signerIdentity: signed.identity } : {}),
  };
}
