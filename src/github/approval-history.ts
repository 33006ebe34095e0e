/**
 * The last approved change of each AI system (`aigate register --with-approvals`): the newest
 * merged pull request whose verified attestations approve the system. Reads the repository's
 * most recently updated closed pull requests (one page) and the comments of the merged ones,
 * newest merge first, until every system has its change.
 */
import { type FoundAttestation, verifyAttestations } from "../core/attestation/index.js";
import type { LastApprovedChange } from "../core/register/index.js";
import type { GitHubClient } from "./client.js";
import { readComments } from "./facts.js";

/** How many recently closed pull requests are looked at, per repository. */
const APPROVAL_HISTORY_PULLS = 50;

/** Verdicts of a statement that counted on the pull request's final head. */
const COUNTING = new Set(["valid", "fork"]);

/**
 * The last approved change of each of `systems` in one repository (null when none of the
 * recent merged pull requests approved it). Statements are verified against `jwks`; only an
 * approval on the merged head counts.
 */
export async function readLastApprovedChanges(
  client: GitHubClient,
  repo: { owner: string; name: string; fullName: string },
  systems: readonly string[],
  jwks: unknown,
): Promise<Map<string, LastApprovedChange | null>> {
  const changes = new Map<string, LastApprovedChange | null>(systems.map((s) => [s, null]));
  if (systems.length === 0) return changes;
  const { data } = await client.rest.pulls.list({
    owner: repo.owner,
    repo: repo.name,
    state: "closed",
    sort: "updated",
    direction: "desc",
    per_page: APPROVAL_HISTORY_PULLS,
  });
  const merged = data
    .filter((pr): pr is typeof pr & { merged_at: string } => typeof pr.merged_at === "string")
    .sort((a, b) => b.merged_at.localeCompare(a.merged_at));
  for (const pr of merged) {
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
      head: pr.head.sha,
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
        url: pr.html_url,
        merged_at: pr.merged_at,
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
