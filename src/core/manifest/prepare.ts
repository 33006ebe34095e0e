import type { LocatedError } from "../errors.js";
import { type CompiledMatcher, compileMatcher } from "../match.js";
import type { OrgPolicyRead } from "../org-policy/parse.js";
import { type ManifestParseOptions, parseManifest } from "./parse.js";
import type { Manifest } from "./schema.js";

/** A valid manifest with its globs compiled: what matching and evaluation work from. */
export interface PreparedManifest {
  manifest: Manifest;
  compiled: CompiledMatcher;
}

export type ManifestPreparation =
  | ({ ok: true } & PreparedManifest)
  | {
      ok: false;
      errors: LocatedError[];
      /**
       * The organisation policy the manifest extends, when it could not be read, and why (naming
       * the call): the manifest itself may be fine, but nothing can be decided without it.
       */
      unreadablePolicy?: { policy: string; problem: string };
    };

/**
 * Parses and validates a manifest, under the organisation policy it extends as the caller read
 * it, and compiles its globs. Done once per manifest and policy: the App caches it by digest,
 * and `evaluate` takes it rather than parsing again.
 */
export function prepareManifest(
  text: string,
  path: string,
  orgPolicy?: OrgPolicyRead,
): ManifestPreparation {
  const parsed = parseManifest(text, path, policyOptions(orgPolicy));
  if (!parsed.ok) {
    const unreadable = orgPolicy && !orgPolicy.ok ? orgPolicy : undefined;
    return unreadable && parsed.errors.some((e) => e.message === unreadable.problem)
      ? {
          ok: false,
          errors: parsed.errors,
          unreadablePolicy: { policy: unreadable.policy, problem: unreadable.problem },
        }
      : { ok: false, errors: parsed.errors };
  }
  return { ok: true, manifest: parsed.manifest, compiled: compileMatcher(parsed.manifest, path) };
}

/** How `parseManifest` is told about the policy a caller read, or failed to read. */
export function policyOptions(orgPolicy: OrgPolicyRead | undefined): ManifestParseOptions {
  if (orgPolicy === undefined) return {};
  return orgPolicy.ok ? { orgPolicy: orgPolicy.policy } : { policyProblem: orgPolicy.problem };
}
