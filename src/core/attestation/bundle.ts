/**
 * Sigstore bundles as attestation carriers (docs/attestation.md#keyless-bundles): a bundle v0.3
 * whose content is a DSSE envelope. The core reads only its shape and its envelope; the
 * certificate, log entry and timestamps are checked by a `BundleVerifier` the door injects
 * (sigstore-js), so the core stays free of X.509 and network code.
 */
import * as z from "zod";
import { type DecodeResult, decodeEnvelope } from "./dsse.js";
import type { SignerIdentity } from "./signer-identity.js";

/** The one bundle media type accepted: v0.3 (certificate, not chain; DSSE content). */
export const BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

const BundleShapeSchema = z.looseObject({
  mediaType: z.string(),
  verificationMaterial: z.looseObject({}),
  dsseEnvelope: z.strictObject({
    payload: z.string(),
    payloadType: z.string(),
    signatures: z.array(z.strictObject({ sig: z.string(), keyid: z.string().optional() })),
  }),
});

/** Whether a parsed marker document is a Sigstore bundle (it says so by its mediaType). */
export function isBundle(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as { mediaType?: unknown }).mediaType === "string" &&
    (value as { mediaType: string }).mediaType.startsWith("application/vnd.dev.sigstore.bundle")
  );
}

/**
 * The DSSE envelope a bundle carries, decoded as a keyed envelope is (exactly one signature).
 * The bundle's empty `keyid` is dropped: the attestation digest is that of the envelope
 * without it. Never throws.
 */
export function envelopeOfBundle(value: unknown): DecodeResult {
  const parsed = BundleShapeSchema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, reason: "not a Sigstore bundle with DSSE content (dsseEnvelope)" };
  }
  if (parsed.data.mediaType !== BUNDLE_MEDIA_TYPE) {
    return {
      ok: false,
      reason: `bundle mediaType is ${JSON.stringify(parsed.data.mediaType)}, expected ${BUNDLE_MEDIA_TYPE}`,
    };
  }
  const { payload, payloadType, signatures } = parsed.data.dsseEnvelope;
  return decodeEnvelope({
    payload,
    payloadType,
    signatures: signatures.map((s) => ({ sig: s.sig })),
  });
}

/** What a bundle verifier found: the signed payload and the signer's identity, or why not. */
export type BundleCheck =
  | {
      ok: true;
      /** The certificate's subject alternative name, e.g. `https://github.com/O/R/.github/workflows/x.yml@refs/heads/main`. */
      identity: string;
      /** The payload type and bytes whose signature was verified. */
      payloadType: string;
      payload: Buffer;
    }
  | { ok: false; verdict: "bad_signature" | "untrusted_identity"; reason: string };

/**
 * Verifies a bundle against a trusted root and an identity policy: chain, log entry or
 * timestamp, signature, and the signer's identity and issuer, compared exactly.
 */
export interface BundleVerifier {
  verify(bundle: unknown): BundleCheck;
}

/**
 * How a door gives the verifier for the signers a manifest allows: at once, or after loading
 * Sigstore's libraries. Asked only once a comment carries a bundle or an event posts evidence
 * (docs/action.md#the-bundle); undefined when no signer is allowed.
 */
export type BundlesFor = (
  signers: readonly SignerIdentity[],
) => BundleVerifier | undefined | Promise<BundleVerifier | undefined>;
