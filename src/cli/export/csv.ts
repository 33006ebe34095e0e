import { extractAttestation } from "../../core/attestation/index.js";
import { csvDocument } from "../../core/report/csv.js";
import type { EvidenceRecord } from "./records.js";

/** The fixed columns, one row per record. */
export const CSV_COLUMNS = [
  "type",
  "repository",
  "pull_request",
  "id",
  "actor",
  "time",
  "commit",
  "state",
  "name",
  "title",
  "detail",
] as const;

type Row = Record<(typeof CSV_COLUMNS)[number], string | number | null>;

/** The attestation digest of a comment, read from its marker (not a verdict: see `verification`). */
function markerDigest(body: string): string {
  const extracted = extractAttestation(body);
  return extracted.ok ? extracted.envelope.digest : `unreadable marker: ${extracted.reason}`;
}

function row(record: EvidenceRecord): Row {
  const base = { type: record.type, repository: record.repository };
  const empty = {
    id: null,
    actor: null,
    time: null,
    commit: null,
    state: null,
    name: null,
    title: null,
  };
  switch (record.type) {
    case "pull_request":
      return {
        ...base,
        ...empty,
        pull_request: record.pull_request,
        id: record.number,
        actor: record.author?.login ?? null,
        time: record.updated_at,
        commit: record.head_sha,
        state: record.merged_at ? "merged" : record.state,
        name: `${record.head_ref} -> ${record.base_ref}`,
        title: record.title,
        detail: record.html_url,
      };
    case "check_run":
      return {
        ...base,
        pull_request: record.pull_request,
        id: record.id,
        actor: record.app,
        time: record.completed_at ?? record.started_at,
        commit: record.head_sha,
        state: record.conclusion ?? record.status,
        name: record.name,
        title: record.title,
        detail: record.html_url,
      };
    case "review":
      return {
        ...base,
        ...empty,
        pull_request: record.pull_request,
        id: record.id,
        actor: record.user?.login ?? null,
        time: record.submitted_at,
        commit: record.commit_id,
        state: record.state,
        detail: record.body,
      };
    case "attestation_comment":
      return {
        ...base,
        ...empty,
        pull_request: record.pull_request,
        id: record.comment.id,
        actor: record.comment.user?.login ?? null,
        time: record.comment.created_at,
        state: record.comment.updated_at === record.comment.created_at ? "posted" : "edited",
        title: record.comment.html_url,
        detail: markerDigest(record.comment.body),
      };
    case "comment_edit":
      return {
        ...base,
        ...empty,
        pull_request: record.pull_request,
        id: record.comment_id,
        actor: record.user?.login ?? null,
        time: record.updated_at,
        state: "edited",
        name: record.attestation ? "attestation" : "comment",
        title: `created ${record.created_at}`,
        detail: record.note,
      };
    case "merge_verification":
      return {
        ...base,
        ...empty,
        pull_request: record.pull_request,
        id: record.id,
        commit: record.commit,
        state: record.conclusion,
        name: "merge verification",
        title: record.title,
        detail: record.html_url,
      };
    case "verification":
      return {
        ...base,
        pull_request: record.pull_request,
        id: record.comment_id,
        actor: record.approver?.login ?? null,
        time: record.issued_at,
        commit: record.head_sha,
        state: record.verdict,
        name: record.decision,
        title: record.systems.join(" "),
        detail: [record.digest, record.reason].filter((x) => x !== null).join(" "),
      };
    case "summary":
      return {
        ...base,
        ...empty,
        pull_request: null,
        time: record.generated_at,
        state:
          record.verification === null
            ? "not verified"
            : record.verification.ok
              ? "valid"
              : "invalid",
        name: "pull requests",
        title: record.pull_requests.join(" "),
        detail: Object.entries(record.records)
          .map(([type, n]) => `${type}=${n}`)
          .join(" "),
      };
  }
}

/** The records as CSV (RFC 4180: CRLF line ends, a header row). */
export function toCsv(records: readonly EvidenceRecord[]): string {
  return csvDocument(
    CSV_COLUMNS,
    records.map((record) => {
      const r = row(record);
      return CSV_COLUMNS.map((column) => r[column]);
    }),
  );
}
