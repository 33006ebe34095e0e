/**
 * Who may sign keyless evidence, without its schema (docs/attestation.md#keyless-bundles): the
 * issuer and the certificate's subject alternative name for a workflow at a ref. Apart from
 * identity.ts so that the Action's keyless verifier loads no zod of its own.
 */

/** The OIDC issuer of GitHub Actions, the one issuer a keyless approval may name. */
export const GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";

/** A GitHub Actions workflow file at a ref, whose keyless approvals count. */
export interface SignerIdentity {
  /** `OWNER/REPO/.github/workflows/FILE.yml`. */
  workflow: string;
  /** A full ref, e.g. `refs/heads/main`. */
  ref: string;
}

/** The certificate's subject alternative name for a workflow at a ref. */
export function subjectAlternativeName(signer: SignerIdentity): string {
  return `https://github.com/${signer.workflow}@${signer.ref}`;
}
