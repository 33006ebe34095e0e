/** The auditor's population of landed governed changes and the status of each merge verification. */
export { type AuditFormat, type AuditReport, renderAudit } from "./render.js";
export {
  AUDIT_STATUSES,
  type AuditRow,
  type AuditStatus,
  type AuditTotals,
  auditRow,
  auditTotals,
  type FoundCheckRun,
  type PopulationCommit,
} from "./status.js";
