/**
 * Verifying keyless evidence with sigstore-js (docs/attestation.md#keyless-bundles): the
 * certificate chains to the trusted root, a log entry or a timestamp verifies, the DSSE
 * signature verifies, and the certificate names an allowed workflow at an allowed ref, issued by
 * GitHub Actions. Identities are compared as whole strings, never as patterns (sigstore-js
 * reads a policy's SAN as a regular expression, so none is handed to it).
 */
import { bundleFromJSON } from "@sigstore/bundle";
import type { TrustedRoot } from "@sigstore/protobuf-specs";
import { toSignedEntity, toTrustMaterial, Verifier } from "@sigstore/verify";
import type { BundleCheck, BundleVerifier } from "../core/attestation/bundle.js";
import {
  GITHUB_ACTIONS_ISSUER,
  type SignerIdentity,
  subjectAlternativeName,
} from "../core/attestation/signer-identity.js";

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A verifier for the given trusted root that accepts only the given workflow identities. */
export function createBundleVerifier(
  trustedRoot: TrustedRoot,
  signers: readonly SignerIdentity[],
): BundleVerifier {
  // A private repository's bundle has a timestamp and no log entry; a public one's, a log entry
  // (whose integrated time is its timestamp). Either way one verified timestamp is required,
  // and every log entry present must verify.
  const verifier = new Verifier(toTrustMaterial(trustedRoot), {
    tlogThreshold: 0,
    // Certificates are logged where the root has a certificate log (public-good Sigstore).
    ctlogThreshold: trustedRoot.ctlogs.length > 0 ? 1 : 0,
    timestampThreshold: 1,
  });
  const allowed = new Set(signers.map(subjectAlternativeName));
  return {
    verify(json: unknown): BundleCheck {
      let bundle: ReturnType<typeof bundleFromJSON>;
      try {
        bundle = bundleFromJSON(json);
      } catch (error) {
        return {
          ok: false,
          verdict: "bad_signature",
          reason: `not a valid bundle: ${message(error)}`,
        };
      }
      if (bundle.content.$case !== "dsseEnvelope") {
        return {
          ok: false,
          verdict: "bad_signature",
          reason: "the bundle's content is not a DSSE envelope",
        };
      }
      let identity:
        | { subjectAlternativeName?: string; extensions?: { issuer?: string } }
        | undefined;
      try {
        identity = verifier.verify(toSignedEntity(bundle)).identity;
      } catch (error) {
        return {
          ok: false,
          verdict: "bad_signature",
          reason: `Sigstore verification failed: ${message(error)}`,
        };
      }
      const san = identity?.subjectAlternativeName;
      const issuer = identity?.extensions?.issuer;
      if (issuer !== GITHUB_ACTIONS_ISSUER) {
        return {
          ok: false,
          verdict: "untrusted_identity",
          reason: `certificate issued for ${issuer ?? "no issuer"}, not GitHub Actions (${GITHUB_ACTIONS_ISSUER})`,
        };
      }
      if (san === undefined || !allowed.has(san)) {
        return {
          ok: false,
          verdict: "untrusted_identity",
          reason: `signed by ${san ?? "no identity"}, which is not an allowed signer`,
        };
      }
      const envelope = bundle.content.dsseEnvelope;
      return {
        ok: true,
        identity: san,
        payloadType: envelope.payloadType,
        payload: Buffer.from(envelope.payload),
      };
    },
  };
}
