/** The compliance door's pure parts: the AI system register, the risk register, the draft SoA. */
export {
  approvalKey,
  buildRegister,
  filesToRead,
  type RegisterOptions,
  type RepositorySnapshot,
  registerFails,
  type SnapshotFile,
} from "./build.js";
export {
  type CheckRunFact,
  checkRunCounts,
  type MergedPullGate,
  mergedPullGate,
  repositoryGateCounts,
} from "./check-runs.js";
export { REGISTER_JSON_SCHEMA, SOA_JSON_SCHEMA } from "./json-schema.js";
export {
  REGISTER_TABLES,
  type RegisterTableName,
  registerHtml,
  registerMarkdown,
  registerTableNames,
  registerTables,
  soaHtml,
  soaMarkdown,
  soaTable,
  tableCsv,
} from "./render/index.js";
export {
  ASSESSMENT_STATUSES,
  type AssessmentStatus,
  type CheckRunCounts,
  FAILING_PROBLEMS,
  FAILING_STATUSES,
  GATE_OUTCOMES,
  type GateCounts,
  type GateOutcome,
  type LastApprovedChange,
  PROBLEM_KINDS,
  type ProblemKind,
  type ProblemRepository,
  type Register,
  RegisterSchema,
  type RegisterSystem,
  type RepositoryGateCounts,
  RISK_FLAGS,
  type RiskFlag,
  type RiskRow,
} from "./schema.js";
export {
  buildSoa,
  SOA_DISCLAIMER,
  SOA_STATUSES,
  SOA_TITLE,
  type Soa,
  type SoaRow,
  SoaSchema,
  type SoaStatus,
} from "./soa.js";
