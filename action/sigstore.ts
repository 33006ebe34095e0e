/**
 * sigstore-js for the Action's keyless runs, bundled apart (action/dist/sigstore.js) and
 * imported only by runs that sign or verify keyless, so the others never parse it. Within it,
 * the signer's and the TUF client's HTTP stacks are split off again and loaded at the first
 * signature or online fetch, not at start (docs/action.md#the-bundle).
 */
import type { TrustedRoot } from "@sigstore/protobuf-specs";
import type { KeylessSigner } from "../src/core/attestation/index.js";
import type { KeylessOptions } from "../src/sigstore/sign.js";

export { endpointsFor, GITHUB_INSTANCE, PUBLIC_GOOD } from "../src/sigstore/endpoints.js";
export { parseTrustedRoots } from "../src/sigstore/trusted-root.js";
export { createBundleVerifier } from "../src/sigstore/verify.js";

/** The public-good trusted root through TUF; the TUF client is loaded only then. */
export async function fetchTrustedRoot(): Promise<TrustedRoot> {
  const online = await import("../src/sigstore/fetch-root.js");
  return online.fetchTrustedRoot();
}

/** The keyless signer of src/sigstore/sign.ts, loaded at its first signature. */
export function createKeylessSigner(options: KeylessOptions): KeylessSigner {
  let loaded: Promise<KeylessSigner> | undefined;
  const signer = (): Promise<KeylessSigner> => {
    loaded ??= import("../src/sigstore/sign.js").then((m) => m.createKeylessSigner(options));
    return loaded;
  };
  return {
    keyless: true,
    sign: async (statement) => (await signer()).sign(statement),
    signPayload: async (payload) => (await signer()).signPayload(payload),
  };
}
