import { MAX_COMMENT_CHARS } from "../limits.js";
import { type BundlesFor, type BundleVerifier, envelopeOfBundle, isBundle } from "./bundle.js";
import { type DecodedEnvelope, decodeBase64, decodeEnvelope, type Envelope } from "./dsse.js";
import { canonicalJson, parseStrictJson } from "./json.js";
import type { SignerIdentity } from "./signer-identity.js";
import { type ApprovalStatement, StatementSchema } from "./statement.js";

/**
 * Attestation comments: text for people, rendered from the signed payload, and one marker
 * `<!-- aigate-attestation:v1 BASE64 -->` for machines. Only the marker is ever trusted. The
 * marker carries a DSSE envelope, or a Sigstore bundle told apart by its `mediaType`
 * (docs/attestation.md#keyless-bundles).
 */

/** The marker's name: any comment carrying it is (or pretends to be) an attestation. */
export const MARKER_NAME = "aigate-attestation";
export const MARKER_PREFIX = `${MARKER_NAME}:`;
const MARKER_VERSION = "v1";

/** A longer text cannot be a comment. */
export { MAX_COMMENT_CHARS };
/** Limit on the envelope JSON carried by a marker, in bytes. */
export const MAX_ENVELOPE_BYTES = 32 * 1024;
/** Limit on the bundle JSON carried by a marker, in bytes: its base64 and the text fit a comment. */
export const MAX_BUNDLE_BYTES = 44 * 1024;
const MAX_MARKER_BASE64 = Math.ceil(MAX_BUNDLE_BYTES / 3) * 4;

const MARKER = new RegExp(`<!-- ${MARKER_PREFIX}${MARKER_VERSION} ([A-Za-z0-9+/_=-]+) -->`);

/** Keeps a value from the payload inert in Markdown: no HTML, no tables broken, no new lines. */
function inert(text: string): string {
  return (
    text
      .replace(/[\r\n\t]+/g, " ")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/\|/g, "&#124;")
      .replace(/`/g, "&#96;")
      // The marker prefix may appear only once in a comment: in the marker itself.
      .replaceAll(MARKER_PREFIX, `${MARKER_NAME}&#58;`)
  );
}

/**
 * The comment body for a signed attestation. Everything shown is read back from the
 * envelope's payload; throws if `statement` is not exactly what the envelope signs.
 */
export function renderAttestationComment(
  envelope: Envelope,
  statement: ApprovalStatement,
  bundle?: unknown,
): string {
  const decoded = decodeEnvelope(envelope);
  if (!decoded.ok) throw new Error(`cannot render an invalid envelope: ${decoded.reason}`);
  const { payload, digest } = decoded.envelope;
  if (!payload.equals(Buffer.from(canonicalJson(statement), "utf8"))) {
    throw new Error("the statement is not the one the envelope signs");
  }
  const parsed = parseStrictJson(payload.toString("utf8"));
  const checked = parsed.ok ? StatementSchema.safeParse(parsed.value) : undefined;
  if (!checked?.success) throw new Error("the envelope's payload is not an approval statement");
  if (bundle !== undefined) {
    const carried = envelopeOfBundle(bundle);
    if (!carried.ok || carried.envelope.digest !== digest) {
      throw new Error("the bundle does not carry this envelope");
    }
  }
  const p = checked.data.predicate;
  const signature = decoded.envelope.signatures[0];
  const revoked = p.decision === "revoked";
  const lines = [
    revoked
      ? `### aigate: approval revoked by @${inert(p.approver.login)}`
      : `### aigate: approval by @${inert(p.approver.login)}`,
    "",
    "| system | why eligible |",
    "|---|---|",
    ...p.systems.map((s) => `| ${inert(s.id)} | ${inert(s.reason)} |`),
    "",
    `- Commit: \`${p.source.commit}\` (head \`${p.pull_request.head_sha}\`)`,
    `- Source: ${p.source.kind} ${p.source.id} at ${p.source.at}`,
    `- Approver id: ${p.approver.id}`,
  ];
  if (revoked && p.revokes) lines.push(`- Revokes: \`${p.revokes}\``);
  if (p.note !== undefined) lines.push(`- Note: ${inert(p.note)}`);
  const files = p.files;
  if (files) {
    const named = checked.data.subject.length - 1;
    const cut = named < files.count ? ` (the first ${named} named)` : "";
    const gone = files.deleted_count > 0 ? `; ${files.deleted_count} deleted` : "";
    lines.push(`- Files: ${files.count} governed file(s) at the head${cut}${gone}`);
  }
  const signedBy =
    "key_id" in p.issuer
      ? `key \`${signature?.keyid ?? p.issuer.key_id}\``
      : "keyless (Sigstore certificate of its workflow)";
  const verifyWith =
    "key_id" in p.issuer
      ? "`aigate verify --evidence comments.jsonl --jwks jwks.json`"
      : "`aigate verify --evidence comments.jsonl --signer-workflow OWNER/REPO/.github/workflows/FILE.yml`";
  lines.push(
    `- Issued: ${p.issued_at} by the aigate ${p.issuer.kind}, ${signedBy}`,
    `- Previous: ${p.prev ? `\`${p.prev}\`` : "none"}`,
    `- Digest: \`${digest}\``,
    "",
    `Verify offline: export this pull request's comments as JSON Lines and run ${verifyWith} (see docs/attestation.md).`,
    "",
    bundle === undefined ? attestationMarker(envelope) : bundleMarker(bundle),
  );
  return `${lines.join("\n")}\n`;
}

export type ExtractFailure =
  | "not_text"
  | "comment_too_large"
  | "no_marker"
  | "multiple_markers"
  | "bad_marker"
  | "envelope_too_large"
  | "bad_base64"
  | "bad_utf8"
  | "bad_json"
  | "bad_envelope";

export type ExtractResult =
  | {
      ok: true;
      envelope: DecodedEnvelope;
      /** The Sigstore bundle the marker carried, when it carried one instead of an envelope. */
      bundle?: unknown;
    }
  | { ok: false; failure: ExtractFailure; reason: string };

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 strictly (invalid sequences rejected, a BOM kept as a character). */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Finds the one attestation marker in a comment body and decodes its envelope.
 * Strict: size limits, exactly one marker, valid base64, UTF-8 and JSON without duplicate
 * keys, a DSSE envelope. Nothing outside the marker is read. Never throws.
 */
export function extractAttestation(body: unknown): ExtractResult {
  const fail = (failure: ExtractFailure, reason: string): ExtractResult => ({
    ok: false,
    failure,
    reason,
  });
  if (typeof body !== "string") return fail("not_text", "comment body is not text");
  if (body.length > MAX_COMMENT_CHARS) {
    return fail("comment_too_large", `comment is longer than ${MAX_COMMENT_CHARS} characters`);
  }
  const markers = body.split(MARKER_PREFIX).length - 1;
  if (markers === 0) return fail("no_marker", "no attestation marker");
  if (markers > 1)
    return fail("multiple_markers", `${markers} attestation markers; exactly one is allowed`);
  const match = MARKER.exec(body);
  const encoded = match?.[1];
  if (encoded === undefined) {
    return fail("bad_marker", "attestation marker is not `<!-- aigate-attestation:v1 BASE64 -->`");
  }
  if (encoded.length > MAX_MARKER_BASE64) {
    return fail("envelope_too_large", `envelope is larger than ${MAX_ENVELOPE_BYTES} bytes`);
  }
  const bytes = decodeBase64(encoded);
  if (!bytes) return fail("bad_base64", "attestation marker is not valid base64");
  if (bytes.length > MAX_BUNDLE_BYTES) {
    return fail("envelope_too_large", `attestation is larger than ${MAX_BUNDLE_BYTES} bytes`);
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) return fail("bad_utf8", "envelope is not valid UTF-8");
  const json = parseStrictJson(text);
  if (!json.ok) return fail("bad_json", `envelope: ${json.reason}`);
  if (isBundle(json.value)) {
    const carried = envelopeOfBundle(json.value);
    if (!carried.ok) return fail("bad_envelope", carried.reason);
    return { ok: true, envelope: carried.envelope, bundle: json.value };
  }
  if (bytes.length > MAX_ENVELOPE_BYTES) {
    return fail("envelope_too_large", `envelope is larger than ${MAX_ENVELOPE_BYTES} bytes`);
  }
  const envelope = decodeEnvelope(json.value);
  if (!envelope.ok) return fail("bad_envelope", envelope.reason);
  return { ok: true, envelope: envelope.envelope };
}

/**
 * Whether a comment carries a keyless Sigstore bundle: what makes a door load Sigstore's
 * verifier (docs/action.md#the-bundle). Never throws.
 */
export function carriesBundle(body: unknown): boolean {
  const extracted = extractAttestation(body);
  return extracted.ok && extracted.bundle !== undefined;
}

/**
 * The keyless verifier for the signers a manifest allows, asked of the door only when one of
 * the bodies carries a Sigstore bundle (or, without bodies, always): the Action loads
 * Sigstore's libraries then (docs/action.md#the-bundle).
 */
export async function verifierFor(
  bundles: BundlesFor | undefined,
  signers: readonly SignerIdentity[],
  bodies?: readonly unknown[],
): Promise<BundleVerifier | undefined> {
  if (!bundles || signers.length === 0) return undefined;
  if (bodies && !bodies.some(carriesBundle)) return undefined;
  return bundles(signers);
}

/**
 * The marker line for a Sigstore bundle: standard base64 of its JSON as sigstore-js serialises
 * it (the bundle is not re-canonicalised: its own bytes are what `gh attestation` reads).
 */
export function bundleMarker(bundle: unknown): string {
  const carried = envelopeOfBundle(bundle);
  if (!carried.ok) throw new Error(`invalid bundle: ${carried.reason}`);
  return `<!-- ${MARKER_PREFIX}${MARKER_VERSION} ${Buffer.from(JSON.stringify(bundle), "utf8").toString("base64")} -->`;
}

/** The marker line for an envelope (standard base64 of its canonical JSON). */
export function attestationMarker(envelope: Envelope): string {
  const decoded = decodeEnvelope(envelope);
  if (!decoded.ok) throw new Error(`invalid envelope: ${decoded.reason}`);
  return `<!-- ${MARKER_PREFIX}${MARKER_VERSION} ${Buffer.from(decoded.envelope.canonical, "utf8").toString("base64")} -->`;
}
