/**
 * Where keyless verification's trust comes from: a `trusted_root.json` file given offline, or
 * Sigstore's TUF repository when online (fetch-root.ts) (docs/attestation.md#keyless-bundles).
 */
import { TrustedRoot } from "@sigstore/protobuf-specs";

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

/**
 * Parses one trusted root, or several as JSON Lines (what `gh attestation trusted-root` writes:
 * the public-good root and GitHub's), merged into one: a bundle verifies against any of them.
 */
export function parseTrustedRoots(text: string, file: string): TrustedRoot {
  const trimmed = text.trim();
  let documents: string[];
  try {
    JSON.parse(trimmed);
    documents = [trimmed];
  } catch {
    documents = trimmed.split(/\r?\n/).filter((line) => line.trim() !== "");
  }
  const roots = documents.map((doc, i) =>
    parseTrustedRoot(doc, documents.length > 1 ? `${file} line ${i + 1}` : file),
  );
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
