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

/** The name a root's failures are given: its certificate authority's host. */
function rootName(root: TrustedRoot, index: number): string {
  const uri = root.certificateAuthorities[0]?.uri;
  try {
    return uri ? new URL(uri).host : `trusted root ${index + 1}`;
  } catch {
    return `trusted root ${index + 1}`;
  }
}

/** Sigstore's verifier for one root, with that root's rules. */
function rootVerifier(root: TrustedRoot): Verifier {
  // A private repository's bundle has a timestamp and no log entry; a public one's, a log entry
  // (whose integrated time is its timestamp). Either way one verified timestamp is required,
  // and every log entry present must verify.
  return new Verifier(toTrustMaterial(root), {
    tlogThreshold: 0,
    // Certificates are logged where the root has a certificate log (public-good Sigstore);
    // GitHub's instance has none, and its certificates carry no such timestamp.
    ctlogThreshold: root.ctlogs.length > 0 ? 1 : 0,
    timestampThreshold: 1,
  });
}

/**
 * A verifier for the given trusted roots that accepts only the given workflow identities. Each
 * root verifies with its own rules, as `gh attestation verify` does with the public-good root
 * and GitHub's; a bundle counts when one of them verifies it.
 */
export function createBundleVerifier(
  trustedRoots: TrustedRoot | readonly TrustedRoot[],
  signers: readonly SignerIdentity[],
): BundleVerifier {
  const roots = Array.isArray(trustedRoots) ? trustedRoots : [trustedRoots as TrustedRoot];
  const verifiers = roots.map((root, i) => ({
    name: rootName(root, i),
    verifier: rootVerifier(root),
  }));
  const verifySigned = (entity: ReturnType<typeof toSignedEntity>) => {
    const failures: string[] = [];
    for (const { name, verifier } of verifiers) {
      try {
        return { identity: verifier.verify(entity).identity };
      } catch (error) {
        failures.push(verifiers.length > 1 ? `${name}: ${message(error)}` : message(error));
      }
    }
    return { failure: failures.length > 0 ? failures.join("; ") : "no trusted root" };
  };
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
      let entity: ReturnType<typeof toSignedEntity>;
      try {
        entity = toSignedEntity(bundle);
      } catch (error) {
        return {
          ok: false,
          verdict: "bad_signature",
          reason: `Sigstore verification failed: ${message(error)}`,
        };
      }
      const checked = verifySigned(entity);
      if ("failure" in checked) {
        return {
          ok: false,
          verdict: "bad_signature",
          reason: `Sigstore verification failed: ${checked.failure}`,
        };
      }
      const identity:
        | { subjectAlternativeName?: string; extensions?: { issuer?: string } }
        | undefined = checked.identity;
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
