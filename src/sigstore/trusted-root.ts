/**
 * Where keyless verification's trust comes from: a `trusted_root.json` file given offline, or
 * Sigstore's TUF repository when online (fetch-root.ts) (docs/attestation.md#keyless-bundles).
 */
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { type RootDocument, trustedRootDocuments } from "./root-documents.js";

/** Converts one checked document; throws a message that names the file. */
function convert({ json, label }: RootDocument): TrustedRoot {
  try {
    const root = TrustedRoot.fromJSON(json);
    if (root.certificateAuthorities.length === 0)
      throw new Error("it lists no certificate authority");
    return root;
  } catch (error) {
    throw new Error(`${label}: not a usable trusted root (${(error as Error).message})`);
  }
}

/**
 * Parses one trusted root, or several as JSON Lines (what `gh attestation trusted-root` writes:
 * the public-good root and GitHub's). They are kept apart: each verifies with its own rules
 * (the public-good root's certificates carry a CT log's timestamp, GitHub's do not), and a
 * bundle counts when one of them verifies it (verify.ts).
 */
export function parseTrustedRoots(text: string, file: string): TrustedRoot[] {
  return trustedRootDocuments(text, file).map(convert);
}
