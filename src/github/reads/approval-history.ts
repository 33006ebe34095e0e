/**
 * The last approved change of each AI system (`aigate register --with-approvals`): the newest
 * merged pull request whose verified attestations approve the system. Reads the comments of the
 * merged pull requests among the repository's most recently updated closed ones
 * (`readRecentPulls`), newest merge first, until every system has its change.
 */
import {
  type BundleVerifier,
  type FoundAttestation,
  verifyAttestations,
} from "../../core/attestation/index.js";
import type { LastApprovedChange } from "../../core/register/index.js";
import type { GitHubClient } from "../client.js";
import { readComments } from "./conversation.js";
import type { RecentPulls, RepositoryRef } from "./pull-history.js";

/** Verdicts of a statement that counted on the pull request's final head. */
const COUNTING = new Set(["valid", "fork"]);

/**
 * The last approved change of each of `systems` in one repository (null when none of the
 * recent merged pull requests approved it). Statements are verified against `jwks`, keyless
 * bundles with `bundles` (docs/attestation.md#keyless-bundles; without it they count for
 * nothing); only an approval on the merged head counts.
 */
export async function readLastApprovedChanges(
  client: GitHubClient,
  repo: RepositoryRef,
  pulls: RecentPulls,
  systems: readonly string[],
  jwks: unknown,
  bundles?: BundleVerifier,
): Promise<Map<string, LastApprovedChange | null>> {
  const changes = new Map<string, LastApprovedChange | null>(systems.map((s) => [s, null]));
  for (const pr of pulls.merged) {
    if ([...changes.values()].every((c) => c !== null)) break;
    const comments = await readComments(client, {
      owner: repo.owner,
      repo: repo.name,
      pullNumber: pr.number,
    });
    const found: FoundAttestation[] = comments
      .filter((c) => c.body.includes("aigate-attestation"))
      .map((c) => ({
        body: c.body,
        repository: repo.fullName,
        pullRequest: pr.number,
        commentId: c.id,
        createdAt: c.createdAt,
        updatedAt: c.updatedAt,
        ...(c.author ? { commentAuthor: c.author.login } : {}),
      }));
    if (found.length === 0) continue;
    const report = verifyAttestations(found, jwks, {
      repo: repo.fullName,
      pr: pr.number,
      head: pr.headSha,
      ...(bundles ? { bundles } : {}),
    });
    for (const system of systems) {
      if (changes.get(system)) continue;
      const approving = report.statements.filter(
        (s) =>
          COUNTING.has(s.verdict) &&
          s.statement?.predicate.decision === "approved" &&
          s.statement.predicate.systems.some((x) => x.id === system),
      );
      if (approving.length === 0) continue;
      changes.set(system, {
        pull_request: pr.number,
        title: pr.title,
        url: pr.url,
        merged_at: pr.mergedAt,
        approvers: approving.flatMap((s) =>
          s.statement
            ? [
                {
                  login: s.statement.predicate.approver.login,
                  id: s.statement.predicate.approver.id,
                },
              ]
            : [],
        ),
        attestations: approving.flatMap((s) => (s.digest ? [s.digest] : [])),
      });
    }
  }
  return changes;
}
