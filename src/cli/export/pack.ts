import type { BundleVerifier, WitnessFinding } from "../../core/attestation/index.js";
import type { GitHubClient } from "../../github/client.js";
import { collectPullEvidence, readRepository, selectPullRequests } from "./collect.js";
import type { ExportSettings } from "./options.js";
import type { EvidenceRecord, SummaryRecord, VerificationRecord } from "./records.js";
import { verificationSummary, verifyPull } from "./verification.js";

/**
 * Builds the evidence pack's records, in order: for each pull request (most recently updated
 * first) its `pull_request`, `check_run`, `review`, `attestation_comment`, `comment_edit` and,
 * with a JWKS, `verification` records; then one final `summary`.
 */
export async function buildEvidencePack(
  client: GitHubClient,
  settings: ExportSettings,
  options: { jwks?: unknown; bundles?: BundleVerifier; now: Date },
): Promise<EvidenceRecord[]> {
  const repository = await readRepository(client, settings.owner, settings.repo);
  const pulls = await selectPullRequests(client, repository, settings.selection, settings.sinceMs);
  const records: EvidenceRecord[] = [];
  const verifications: VerificationRecord[] = [];
  const deleted: WitnessFinding[] = [];
  for (const pull of pulls) {
    const evidence = await collectPullEvidence(client, repository, settings.apiUrl, pull);
    records.push(
      evidence.pull,
      ...evidence.checkRuns,
      ...evidence.reviews,
      ...evidence.attestations,
      ...evidence.edits,
      ...evidence.mergeVerifications,
    );
    if (options.jwks !== undefined) {
      const verified = verifyPull(evidence, options.jwks, options.bundles);
      verifications.push(...verified.records);
      deleted.push(...verified.deleted);
      records.push(...verified.records);
    }
  }
  const counts: Record<string, number> = {};
  for (const r of records) counts[r.type] = (counts[r.type] ?? 0) + 1;
  const summary: SummaryRecord = {
    type: "summary",
    repository: repository.fullName,
    generated_at: options.now.toISOString(),
    api_url: settings.apiUrl,
    selection: settings.selection,
    pull_requests: pulls.map((p) => p.number),
    records: counts,
    verification: options.jwks !== undefined ? verificationSummary(verifications, deleted) : null,
  };
  records.push(summary);
  return records;
}
