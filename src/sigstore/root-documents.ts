/**
 * The documents of a `trusted_root.json` file, checked without Sigstore's libraries: JSON, one
 * document or JSON Lines, each a Sigstore trusted root by its mediaType. The Action checks its
 * `trusted-root` input this way at start and converts it (trusted-root.ts) only once a bundle
 * is to be verified (docs/action.md#the-bundle).
 */

/** A document of the file, with the name its errors give (the file, or the file and line). */
export interface RootDocument {
  json: unknown;
  label: string;
}

/** Parses one document and checks its mediaType; throws a message that names the file. */
function rootDocument(text: string, label: string): RootDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${label}: not valid JSON (${(error as Error).message})`);
  }
  const mediaType = (json as { mediaType?: unknown } | null)?.mediaType;
  if (
    typeof mediaType !== "string" ||
    !mediaType.startsWith("application/vnd.dev.sigstore.trustedroot")
  ) {
    throw new Error(
      `${label}: not a Sigstore trusted root (mediaType application/vnd.dev.sigstore.trustedroot…)`,
    );
  }
  return { json, label };
}

/**
 * The trusted roots a file holds: one JSON document, or several as JSON Lines (what
 * `gh attestation trusted-root` writes: the public-good root and GitHub's). Throws when the
 * file is empty, not JSON, or holds anything but trusted roots.
 */
export function trustedRootDocuments(text: string, file: string): RootDocument[] {
  const trimmed = text.trim();
  let documents: string[];
  try {
    JSON.parse(trimmed);
    documents = [trimmed];
  } catch {
    documents = trimmed.split(/\r?\n/).filter((line) => line.trim() !== "");
  }
  if (documents.length === 0) throw new Error(`${file}: empty`);
  return documents.map((doc, i) =>
    rootDocument(doc, documents.length > 1 ? `${file} line ${i + 1}` : file),
  );
}
