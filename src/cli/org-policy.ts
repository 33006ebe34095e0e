import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { OrgPolicyInput } from "../core/org-policy/parse.js";
import { formatPolicyReference, type PolicyReference } from "../core/org-policy/reference.js";
import { sha256 } from "../facts/reader.js";
import { createAdapterCache } from "../github/reads/cache.js";
import { readOrgPolicy } from "../github/reads/org-policy.js";
import { type CliContext, UsageError } from "./context.js";
import { createExportClient } from "./export/client.js";
import { githubAccess } from "./export/options.js";

/**
 * The organisation policy a manifest extends, for `validate` and `check`: from `--policy-file`,
 * else through the GitHub API when GITHUB_TOKEN (or GH_TOKEN) is set. Without either, or when
 * the policy cannot be read, a usage error (exit 2) that says what is missing: the CLI never
 * evaluates a manifest without the policy it extends.
 */
export async function orgPolicyFor(
  reference: PolicyReference,
  policyFile: string | undefined,
  ctx: CliContext,
): Promise<OrgPolicyInput> {
  const named = formatPolicyReference(reference);
  if (policyFile !== undefined) {
    const bytes = await readFile(resolve(ctx.cwd, policyFile)).catch(() => {
      throw new UsageError(`--policy-file ${policyFile} cannot be read: pass the policy's path`);
    });
    return { file: policyFile, text: bytes.toString("utf8"), sha256: sha256(bytes) };
  }
  if (!(ctx.env.GITHUB_TOKEN ?? "").trim() && !(ctx.env.GH_TOKEN ?? "").trim()) {
    throw new UsageError(
      `the manifest extends the organisation policy ${named}: pass a copy with --policy-file FILE, or set GITHUB_TOKEN to a token that can read ${reference.owner}/${reference.repo}`,
    );
  }
  const { token, apiUrl } = githubAccess(
    ctx.env,
    `a token that can read ${reference.owner}/${reference.repo}`,
  );
  const client = await createExportClient({
    token,
    apiUrl,
    notice: (message) => ctx.stderr(`aigate: ${message}\n`),
  });
  const read = await readOrgPolicy(client, createAdapterCache(), reference);
  if (!read.ok) {
    throw new UsageError(
      `${read.problem}; check that GITHUB_TOKEN can read ${reference.owner}/${reference.repo}, or pass a copy with --policy-file FILE`,
    );
  }
  return read.policy;
}
