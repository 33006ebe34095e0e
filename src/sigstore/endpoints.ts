/**
 * The Sigstore instances keyless signing uses (docs/action.md#keyless-signing), apart from the
 * signer so that choosing one loads no HTTP client.
 */

/** Where a bundle is made: a Fulcio CA, and a Rekor log or a timestamp authority (or both). */
export interface SigstoreEndpoints {
  fulcioURL: string;
  rekorURL?: string;
  tsaURL?: string;
}

/** Sigstore's public-good instance: certificates and a public transparency log. */
export const PUBLIC_GOOD: SigstoreEndpoints = {
  fulcioURL: "https://fulcio.sigstore.dev",
  rekorURL: "https://rekor.sigstore.dev",
};

/** GitHub's own Sigstore instance for private repositories: no public log, a timestamp instead. */
export const GITHUB_INSTANCE: SigstoreEndpoints = {
  fulcioURL: "https://fulcio.githubapp.com",
  tsaURL: "https://timestamp.githubapp.com",
};

/** The instance for a repository: public repositories log publicly, the others do not. */
export function endpointsFor(visibility: string | undefined): SigstoreEndpoints {
  return visibility === "public" ? PUBLIC_GOOD : GITHUB_INSTANCE;
}
