/**
 * sigstore-js for the Action's keyless runs, bundled apart (action/dist/sigstore.js) and
 * imported only once a run signs keyless or verifies a bundle, so the others never parse it.
 * Within it, the signer's and the TUF client's HTTP stacks are split off again and loaded at
 * the first signature or online fetch (docs/action.md#the-bundle).
 */
import type { TrustedRoot } from "@sigstore/protobuf-specs";
import type { KeylessSigner } from "../src/core/attestation/index.js";
import type { KeylessOptions } from "../src/sigstore/sign.js";

export { parseTrustedRoots } from "../src/sigstore/trusted-root.js";
export { createBundleVerifier } from "../src/sigstore/verify.js";

/** The public-good trusted root through TUF; the TUF client is loaded only then. */
export async function fetchTrustedRoot(): Promise<TrustedRoot> {
  const online = await import("../src/sigstore/fetch-root.js");
  return online.fetchTrustedRoot();
}

/** The keyless signer of src/sigstore/sign.ts, with its HTTP stack loaded now. */
export async function keylessSigner(options: KeylessOptions): Promise<KeylessSigner> {
  const sign = await import("../src/sigstore/sign.js");
  return sign.createKeylessSigner(options);
}
