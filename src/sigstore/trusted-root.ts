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
 * the public-good root and GitHub's), merged into one: a bundle verifies against any of them.
 */
export function parseTrustedRoots(text: string, file: string): TrustedRoot {
  const roots = trustedRootDocuments(text, file).map(convert);
  const [first] = roots;
  if (!first) throw new Error(`${file}: empty`);
  return {
    ...first,
    tlogs: roots.flatMap((r) => r.tlogs),
    certificateAuthorities: roots.flatMap((r) => r.certificateAuthorities),
    ctlogs: roots.flatMap((r) => r.ctlogs),
    timestampAuthorities: roots.flatMap((r) => r.timestampAuthorities),
  };
}
