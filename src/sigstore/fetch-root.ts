/**
 * The public-good trusted root online, through Sigstore's TUF repository
 * (docs/attestation.md#keyless-bundles); apart from parsing a root, so that reading one from a
 * file loads no TUF client.
 */
import type { TrustedRoot } from "@sigstore/protobuf-specs";
import { getTrustedRoot } from "@sigstore/tuf";

/** The public-good trusted root, fetched and checked through Sigstore's TUF repository. */
export async function fetchTrustedRoot(cachePath?: string): Promise<TrustedRoot> {
  return getTrustedRoot(cachePath ? { cachePath } : {});
}
