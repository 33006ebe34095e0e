/**
 * How the Action signs and which keyless evidence it counts (docs/action.md#keyless-signing):
 * its Ed25519 key, or Sigstore with the job's OIDC token, or nothing and why; and the trusted
 * root that verifies keyless approvals, from the `trusted-root` input or Sigstore's TUF
 * repository.
 */
import { readFileSync } from "node:fs";
import {
  type BundleVerifier,
  createSigner,
  type KeylessSigner,
  type Signer,
  type SignerIdentity,
} from "../src/core/attestation/index.js";
import { signingMode } from "../src/sigstore/signing-mode.js";
import type { ActionSettings } from "./inputs.js";
import type { ActionRuntime } from "./runtime.js";

export interface ActionSigning {
  signer?: Signer;
  keylessSigner?: KeylessSigner;
  /** Why nothing is signed this run, when nothing is. */
  unsignedReason?: string;
  bundles?: (signers: readonly SignerIdentity[]) => BundleVerifier | undefined;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/** The signing of this run, or the message the job fails with. */
export async function actionSigning(
  runtime: ActionRuntime,
  settings: ActionSettings,
  forkPullRequest: boolean,
): Promise<ActionSigning | { error: string }> {
  const env = runtime.env;
  const mode = signingMode({
    requested: settings.signing,
    hasKey: settings.signingKeyPem !== undefined,
    hasOidc: Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN),
    forkPullRequest,
  });
  if (mode.mode === "error") return { error: `aigate: ${mode.reason}` };
  const signing: ActionSigning = {};
  if (mode.mode === "none") signing.unsignedReason = mode.reason;
  if (mode.mode === "key" && settings.signingKeyPem) {
    signing.signer = createSigner(settings.signingKeyPem);
  }
  if (mode.mode !== "keyless" && !settings.trustedRootPath) return signing;
  // sigstore-js is loaded only by runs that sign or verify keyless: the others start faster.
  const {
    createKeylessSigner,
    endpointsFor,
    GITHUB_INSTANCE,
    PUBLIC_GOOD,
    fetchTrustedRoot,
    parseTrustedRoots,
    createBundleVerifier,
  } = await import("./sigstore.js");
  const choice = settings.sigstore;
  const visibility = record(runtime.context.payload.repository).visibility;
  const endpoints =
    choice.instance === "custom"
      ? choice
      : choice.instance === "public-good"
        ? PUBLIC_GOOD
        : choice.instance === "github"
          ? GITHUB_INSTANCE
          : endpointsFor(typeof visibility === "string" ? visibility : undefined);
  if (mode.mode === "keyless") {
    signing.keylessSigner = createKeylessSigner({
      endpoints,
      getToken: () => runtime.idToken("sigstore"),
      ...(choice.instance === "custom" && choice.entryType ? { entryType: choice.entryType } : {}),
    });
  }
  // Keyless approvals already on the pull request count once verified against a trusted root.
  try {
    const root = settings.trustedRootPath
      ? parseTrustedRoots(readFileSync(settings.trustedRootPath, "utf8"), settings.trustedRootPath)
      : mode.mode === "keyless" && endpoints.rekorURL === PUBLIC_GOOD.rekorURL
        ? await fetchTrustedRoot()
        : undefined;
    if (root) {
      signing.bundles = (signers) =>
        signers.length > 0 ? createBundleVerifier(root, signers) : undefined;
    } else if (mode.mode === "keyless") {
      return {
        error:
          "aigate: keyless approvals need a trusted root to be counted: give the trusted-root input (a step running `gh attestation trusted-root > trusted_root.json`)",
      };
    }
  } catch (error) {
    return {
      error: `aigate: the Sigstore trusted root could not be read: ${(error as Error).message}`,
    };
  }
  return signing;
}
