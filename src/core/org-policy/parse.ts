import type { LocatedError } from "../errors.js";
import { errorAt, parseYaml, validateYaml, type YamlSource } from "../yaml/index.js";
import {
  formatPolicyReference,
  type PolicyReference,
  parsePolicyReference,
  sameFile,
} from "./reference.js";
import { type OrgPolicyDocument, OrgPolicySchema } from "./schema.js";

/** An organisation policy as the adapter or the CLI read it, for a manifest that extends it. */
export interface OrgPolicyInput {
  /** How errors in it name it: `acme/.github:ai-governance/policy.yml`, or the local file given. */
  file: string;
  text: string;
  /** SHA-256 of the file. */
  sha256: string;
  /** The commit it was read at, when it was read from GitHub. */
  commit?: string;
}

/**
 * The organisation policy as a caller tried to read it: the file, or why it could not be read
 * (`policy` names it as `extends` does, `problem` also names the call that failed).
 */
export type OrgPolicyRead =
  | { ok: true; policy: OrgPolicyInput }
  | { ok: false; policy: string; problem: string };

/** A parsed organisation policy, with what is needed to point at its lines. */
export interface ParsedOrgPolicy {
  document: OrgPolicyDocument;
  source: YamlSource;
}

export type OrgPolicyParseResult =
  | { ok: true; policy: ParsedOrgPolicy }
  | { ok: false; errors: LocatedError[] };

/**
 * Parses and validates an organisation policy: YAML, then its schema. `self` is where the
 * policy was read from, so that a policy extending itself is told so. Never throws.
 */
export function parseOrgPolicy(
  text: string,
  file: string,
  self?: PolicyReference,
): OrgPolicyParseResult {
  const validated = validateYaml(text, file, OrgPolicySchema);
  if (validated.ok) {
    return { ok: true, policy: { document: validated.value, source: validated.source } };
  }
  if (self === undefined) return validated;
  return { ok: false, errors: validated.errors.map((e) => selfExtension(e, text, file, self)) };
}

/** The `extends` error, reworded when the policy names itself (the schema cannot know where it lives). */
function selfExtension(
  error: LocatedError,
  text: string,
  file: string,
  self: PolicyReference,
): LocatedError {
  if (error.field !== "extends") return error;
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return error;
  const value = (parsed.value as { extends?: unknown }).extends;
  if (typeof value !== "string") return error;
  const target = parsePolicyReference(value);
  if (!target.ok || !sameFile(target.reference, self)) return error;
  return errorAt(
    parsed.source,
    ["extends"],
    `this policy extends itself (${formatPolicyReference(target.reference)}): an organisation policy cannot extend any policy; remove extends`,
  );
}
