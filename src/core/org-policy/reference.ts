/**
 * The manifest's `extends: OWNER/REPO:PATH@REF`: which organisation policy a repository
 * builds on (docs/policy.md#organisation-policies). Parsed here once, for the manifest
 * schema, the App and the CLI.
 */

/** Where an organisation policy lives. */
export interface PolicyReference {
  owner: string;
  repo: string;
  /** Path of the policy file in that repository, e.g. `ai-governance/policy.yml`. */
  path: string;
  /** A full commit SHA, or a branch or tag. */
  ref: string;
  /** True when REF is a full commit SHA, so the policy cannot change under the repository. */
  pinned: boolean;
}

export type PolicyReferenceResult =
  | { ok: true; reference: PolicyReference }
  | { ok: false; message: string };

const FORM =
  "extends is written OWNER/REPO:PATH@REF, e.g. acme/.github:ai-governance/policy.yml@3f786850e387550fdab836ed7e6dc881de23001b";
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
const REF = /^[A-Za-z0-9._/-]{1,255}$/;
const YAML_FILE = /\.ya?ml$/;
const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The pattern the JSON Schema gives editors. `parsePolicyReference` is the authority (its
 * messages say what is wrong); this pattern accepts the same strings (tested).
 */
export const POLICY_REFERENCE_PATTERN =
  "^[A-Za-z0-9][A-Za-z0-9-]{0,38}/(?!\\.\\.?:)[A-Za-z0-9._-]{1,100}:(?![/-])(?!(?:[^@]*/)?\\.\\.(?:/|@))[^@\\\\\\x00-\\x1f]*\\.ya?ml@(?![/.-])(?!.*\\.\\.)(?!.*(?:/|\\.lock)$)[A-Za-z0-9._/-]{1,255}$";

/** Parses `OWNER/REPO:PATH@REF`, or says in one sentence what is wrong with it. */
export function parsePolicyReference(text: string): PolicyReferenceResult {
  const fail = (message: string): PolicyReferenceResult => ({ ok: false, message });
  const colon = text.indexOf(":");
  if (colon < 0) return fail(`${FORM}: the ':' between the repository and the path is missing`);
  const repository = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  const slash = repository.indexOf("/");
  const owner = slash < 0 ? repository : repository.slice(0, slash);
  const repo = slash < 0 ? "" : repository.slice(slash + 1);
  if (!OWNER.test(owner) || !REPO.test(repo) || repo === "." || repo === "..") {
    return fail(`${FORM}: ${JSON.stringify(repository)} is not OWNER/REPO`);
  }
  const at = rest.indexOf("@");
  if (at < 0) {
    return fail(
      `${FORM}: add @REF after the path, a full commit SHA (or a branch or tag, which is not pinned)`,
    );
  }
  const path = rest.slice(0, at);
  const ref = rest.slice(at + 1);
  if (path === "") return fail(`${FORM}: the path of the policy file is missing`);
  const unprintable = [...path].some((c) => c.charCodeAt(0) < 0x20);
  if (path.startsWith("/") || path.startsWith("-") || path.includes("\\") || unprintable) {
    return fail(`${FORM}: the path is relative to the policy repository's root, with '/'`);
  }
  if (path.split("/").includes("..")) {
    return fail(`${FORM}: the path must stay inside the policy repository, without '..'`);
  }
  if (!YAML_FILE.test(path)) {
    return fail(
      `the organisation policy ${JSON.stringify(path)} is not a YAML file (.yml or .yaml)`,
    );
  }
  if (
    !REF.test(ref) ||
    /^[/.-]/.test(ref) ||
    ref.includes("..") ||
    ref.endsWith("/") ||
    ref.endsWith(".lock")
  ) {
    return fail(`${FORM}: ${JSON.stringify(ref)} is not a commit SHA, branch or tag name`);
  }
  return { ok: true, reference: { owner, repo, path, ref, pinned: FULL_SHA.test(ref) } };
}

/** `acme/.github:ai-governance/policy.yml`: how errors in the policy file name it. */
export function policyFileName(reference: PolicyReference): string {
  return `${reference.owner}/${reference.repo}:${reference.path}`;
}

/** The reference as the manifest writes it. */
export function formatPolicyReference(reference: PolicyReference): string {
  return `${policyFileName(reference)}@${reference.ref}`;
}

/** Whether two references name the same file (GitHub owners and repositories ignore case). */
export function sameFile(a: PolicyReference, b: PolicyReference): boolean {
  return (
    a.owner.toLowerCase() === b.owner.toLowerCase() &&
    a.repo.toLowerCase() === b.repo.toLowerCase() &&
    a.path === b.path
  );
}
