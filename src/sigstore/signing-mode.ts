/**
 * How the Action signs the statements of one run (docs/action.md#keyless-signing): with its
 * Ed25519 key, keyless with Sigstore, or not at all, and why. Pure: the Action reads its
 * inputs and environment once and asks here; it never falls back to unsigned silently.
 */

export type SigningRequest = "key" | "keyless" | undefined;

export interface SigningSituation {
  /** The `signing` input, when given. */
  requested: SigningRequest;
  /** A `signing-key` was given. */
  hasKey: boolean;
  /** The job can request an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN are set). */
  hasOidc: boolean;
  /** A `pull_request` run for a pull request from a fork (no OIDC token, no secrets). */
  forkPullRequest: boolean;
}

export type SigningMode =
  | { mode: "key" }
  | { mode: "keyless" }
  /** Nothing is recorded this run; the run says why in one line and still evaluates. */
  | { mode: "none"; reason: string }
  /** A configuration the user must fix: the job fails with this message. */
  | { mode: "error"; reason: string };

const FORK =
  "a pull_request run for a fork gets no OIDC token and no secrets: nothing is signed (run the gate on pull_request_target)";

/** The signing mode for a run, from what was asked and what the job has. */
export function signingMode(s: SigningSituation): SigningMode {
  if (s.requested === "key") {
    return s.hasKey
      ? { mode: "key" }
      : s.forkPullRequest
        ? { mode: "none", reason: FORK }
        : { mode: "error", reason: "input 'signing' is key, but no 'signing-key' was given" };
  }
  if (s.requested === "keyless") {
    if (s.hasOidc) return { mode: "keyless" };
    if (s.forkPullRequest) return { mode: "none", reason: FORK };
    return {
      mode: "error",
      reason:
        "input 'signing' is keyless, but the job has no OIDC token: grant `permissions: id-token: write`",
    };
  }
  if (s.hasKey) return { mode: "key" };
  if (s.hasOidc) return { mode: "keyless" };
  if (s.forkPullRequest) return { mode: "none", reason: FORK };
  return {
    mode: "none",
    reason:
      "no signing key and no OIDC token: grant `permissions: id-token: write` (keyless) or give 'signing-key'",
  };
}
