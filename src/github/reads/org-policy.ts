/**
 * The organisation policy a manifest extends, read at its reference through the contents API.
 */
import type { OrgPolicyRead } from "../../core/org-policy/parse.js";
import {
  formatPolicyReference,
  type PolicyReference,
  policyFileName,
} from "../../core/org-policy/reference.js";
import type { GitHubClient } from "../client.js";
import { describeFailure } from "../errors.js";
import type { AdapterCache } from "./cache.js";
import { readFileAt } from "./change.js";

/**
 * Reads the organisation policy a manifest extends, at its REF, with the client the manifest
 * was read with (docs/policy.md#where-the-policy-is-read). A branch or tag is resolved to its
 * commit first, so the policy is recorded at the commit it was read at; the file itself is
 * cached by commit and blob SHA. Anything that keeps it from being read (404, 403, a REF that
 * does not exist, a folder where the file should be) is a problem naming the policy and the
 * call: the caller fails closed.
 */
export async function readOrgPolicy(
  client: GitHubClient,
  cache: AdapterCache,
  reference: PolicyReference,
): Promise<OrgPolicyRead> {
  const named = formatPolicyReference(reference);
  const repo = { owner: reference.owner, repo: reference.repo };
  const fail = (why: string): OrgPolicyRead => ({
    ok: false,
    policy: named,
    problem: `the organisation policy ${named} could not be read: ${why}`,
  });
  let commit = reference.ref;
  if (!reference.pinned) {
    try {
      const { data } = await client.rest.repos.getCommit({ ...repo, ref: reference.ref });
      commit = data.sha;
    } catch (error) {
      return fail(describeFailure(error).description);
    }
  }
  try {
    const file = await readFileAt(client, cache, repo, commit, reference.path);
    if (file === null) {
      return fail(
        `GitHub 404 on GET /repos/${reference.owner}/${reference.repo}/contents/${reference.path} at ${commit}: no such file, or the commit does not exist`,
      );
    }
    return {
      ok: true,
      policy: { file: policyFileName(reference), text: file.text, sha256: file.sha256, commit },
    };
  } catch (error) {
    return fail(describeFailure(error).description);
  }
}
