import { type CompiledMatcher, compileMatcher } from "../match.js";
import type { LocatedError } from "../types.js";
import { parseManifest } from "./parse.js";
import type { Manifest } from "./schema.js";

/** A valid manifest with its globs compiled: what matching and evaluation work from. */
export interface PreparedManifest {
  manifest: Manifest;
  compiled: CompiledMatcher;
}

export type ManifestPreparation =
  | ({ ok: true } & PreparedManifest)
  | { ok: false; errors: LocatedError[] };

/**
 * Parses and validates a manifest and compiles its globs. Done once per manifest content:
 * the App caches it by digest, and `evaluate` takes it rather than parsing again.
 */
export function prepareManifest(text: string, path: string): ManifestPreparation {
  const parsed = parseManifest(text, path);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  return { ok: true, manifest: parsed.manifest, compiled: compileMatcher(parsed.manifest, path) };
}
