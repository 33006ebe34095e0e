/**
 * sigstore-js for the Action's keyless runs, bundled apart (action/dist/sigstore.js) and
 * imported only by runs that sign or verify keyless, so the others never parse it.
 */
export {
  createKeylessSigner,
  endpointsFor,
  GITHUB_INSTANCE,
  PUBLIC_GOOD,
} from "../src/sigstore/sign.js";
export { fetchTrustedRoot, parseTrustedRoots } from "../src/sigstore/trusted-root.js";
export { createBundleVerifier } from "../src/sigstore/verify.js";
