/**
 * How the Action signs and which keyless evidence it counts (docs/action.md#keyless-signing):
 * its Ed25519 key, or Sigstore with the job's OIDC token, or nothing and why; and the trusted
 * root that verifies keyless approvals, from the `trusted-root` input or Sigstore's TUF
 * repository.
 */
import { readFileSync } from "node:fs";
import type { TrustedRoot } from "@sigstore/protobuf-specs";
import {
  type BundlesFor,
  createSigner,
  type KeylessSigner,
  type Signer,
} from "../src/core/attestation/index.js";
import {
  endpointsFor,
  GITHUB_INSTANCE,
  PUBLIC_GOOD,
  type SigstoreEndpoints,
} from "../src/sigstore/endpoints.js";
import { trustedRootDocuments } from "../src/sigstore/root-documents.js";
import { signingMode } from "../src/sigstore/signing-mode.js";
import type { ActionSettings } from "./inputs.js";
import type { ActionRuntime } from "./runtime.js";

export interface ActionSigning {
  signer?: Signer;
  keylessSigner?: KeylessSigner;
  /** Why nothing is signed this run, when nothing is. */
  unsignedReason?: string;
  /** The keyless verifier, made when first asked: Sigstore's libraries load then. */
  bundles?: BundlesFor;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/** action/dist/sigstore.js, loaded once, by the first signature or verification that needs it. */
let sigstore: Promise<typeof import("./sigstore.js")> | undefined;
const loadSigstore = () => {
  sigstore ??= import("./sigstore.js");
  return sigstore;
};

/** A keyless signer that loads Sigstore's signer at its first signature. */
function lazyKeylessSigner(
  options: Parameters<typeof import("./sigstore.js")["keylessSigner"]>[0],
): KeylessSigner {
  let loaded: Promise<KeylessSigner> | undefined;
  const signer = (): Promise<KeylessSigner> => {
    loaded ??= loadSigstore().then((m) => m.keylessSigner(options));
    return loaded;
  };
  return {
    keyless: true,
    sign: async (statement) => (await signer()).sign(statement),
    signPayload: async (payload) => (await signer()).signPayload(payload),
  };
}

/** The instance this run signs with: the `sigstore` input, or the repository's visibility. */
function endpointsOf(runtime: ActionRuntime, settings: ActionSettings): SigstoreEndpoints {
  const choice = settings.sigstore;
  if (choice.instance === "custom") return choice;
  if (choice.instance === "public-good") return PUBLIC_GOOD;
  if (choice.instance === "github") return GITHUB_INSTANCE;
  const visibility = record(runtime.context.payload.repository).visibility;
  return endpointsFor(typeof visibility === "string" ? visibility : undefined);
}

/**
 * The signing of this run, or the message the job fails with. Nothing of Sigstore is loaded
 * here: the signer loads at its first signature, the verifier when a bundle is first to be
 * verified (docs/action.md#the-bundle). The `trusted-root` file is read and checked now, so a
 * wrong file fails the job before anything is evaluated.
 */
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
  const endpoints = endpointsOf(runtime, settings);
  const choice = settings.sigstore;
  if (mode.mode === "keyless") {
    signing.keylessSigner = lazyKeylessSigner({
      endpoints,
      getToken: () => runtime.idToken("sigstore"),
      ...(choice.instance === "custom" && choice.entryType ? { entryType: choice.entryType } : {}),
    });
  }
  // Keyless approvals already on the pull request count once verified against a trusted root:
  // the file given, or the public-good root from Sigstore's TUF repository.
  const file = settings.trustedRootPath;
  let text: string | undefined;
  if (file) {
    try {
      text = readFileSync(file, "utf8");
      trustedRootDocuments(text, file);
    } catch (error) {
      return {
        error: `aigate: the Sigstore trusted root could not be read: ${(error as Error).message}`,
      };
    }
  } else if (endpoints.rekorURL !== PUBLIC_GOOD.rekorURL) {
    return {
      error:
        "aigate: keyless approvals need a trusted root to be counted: give the trusted-root input (a step running `gh attestation trusted-root > trusted_root.json`)",
    };
  }
  let roots: Promise<TrustedRoot[]> | undefined;
  const loadRoots = () => {
    roots ??= loadSigstore().then(async (m) =>
      text !== undefined && file ? m.parseTrustedRoots(text, file) : [await m.fetchTrustedRoot()],
    );
    return roots;
  };
  signing.bundles = async (signers) => {
    if (signers.length === 0) return undefined;
    const m = await loadSigstore();
    try {
      return m.createBundleVerifier(await loadRoots(), signers);
    } catch (error) {
      throw new Error(`the Sigstore trusted root could not be read: ${(error as Error).message}`);
    }
  };
  return signing;
}
