/**
 * Where keyless verification's trust comes from: a `trusted_root.json` file given offline, or
 * Sigstore's TUF repository when online (docs/attestation.md#keyless-bundles).
 */
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { getTrustedRoot } from "@sigstore/tuf";

/** Parses the text of a `trusted_root.json`; throws a message that names the file. */
export function parseTrustedRoot(text: string, file: string): TrustedRoot {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const mediaType = (json as { mediaType?: unknown } | null)?.mediaType;
  if (
    typeof mediaType !== "string" ||
    !mediaType.startsWith("application/vnd.dev.sigstore.trustedroot")
  ) {
    throw new Error(
      `${file}: not a Sigstore trusted root (mediaType application/vnd.dev.sigstore.trustedroot…)`,
    );
  }
  try {
    const root = TrustedRoot.fromJSON(json);
    if (root.certificateAuthorities.length === 0)
      throw new Error("it lists no certificate authority");
    return root;
  } catch (error) {
    throw new Error(`${file}: not a usable trusted root (${(error as Error).message})`);
  }
}

/** The public-good trusted root, fetched and checked through Sigstore's TUF repository. */
export async function fetchTrustedRoot(cachePath?: string): Promise<TrustedRoot> {
  return getTrustedRoot(cachePath ? { cachePath } : {});
}
