/**
 * GitHub's attestation store (docs/action.md#who-approved-this-file-gh-attestation-verify):
 * each keyless bundle is also stored with `POST /repos/{owner}/{repo}/attestations`, so that
 * `gh attestation verify FILE` finds the approvals of a file. The comment stays the evidence:
 * a refusal is said in one line and the run goes on.
 */
import type { GitHubClient, Log, PullRequestTarget } from "../client.js";
import { describeFailure } from "../errors.js";

/** A Sigstore bundle as the attestation store takes it. */
export interface StoredBundle {
  mediaType?: string;
  verificationMaterial?: Record<string, unknown>;
  dsseEnvelope?: Record<string, unknown>;
}

/** Stores one bundle; true when GitHub took it. Never throws. */
export async function storeAttestation(
  client: GitHubClient,
  target: PullRequestTarget,
  bundle: StoredBundle,
  log: Log,
): Promise<boolean> {
  try {
    await client.request("POST /repos/{owner}/{repo}/attestations", {
      owner: target.owner,
      repo: target.repo,
      bundle,
    });
    return true;
  } catch (error) {
    log.warn(
      `aigate: GitHub's attestation store did not take the bundle (${describeFailure(error).description}); the comment remains the evidence (grant attestations: write; private repositories need a plan with artifact attestations)`,
    );
    return false;
  }
}
