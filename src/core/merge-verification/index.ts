/** Merge verifications: which landed commits are governed, the verdict on each, its signed SLSA VSA. */

export {
  BYPASS_ISSUE_TITLE,
  BYPASS_LABEL,
  BYPASS_MARKER,
  BYPASS_TABLE_HEADER,
  type Bypass,
  type BypassIssuePlan,
  bypassRowsWith,
  type ExistingIssue,
  MAX_BYPASS_ROWS,
  planBypassIssue,
} from "./bypass-issue.js";
export {
  type ChainCommit,
  firstParentChain,
  type GovernedCommit,
  governedChange,
  isGovernedBranch,
  judgePush,
  MAX_JUDGED_COMMITS,
  type ManifestAtParent,
  type PushJudgement,
  type Unjudged,
} from "./governed.js";
export {
  type MergeRecord,
  mergeRecord,
  mergeRecordKeyless,
  type RecordContext,
} from "./issue.js";
export {
  type ExtractedVerification,
  envelopeFromText,
  envelopeFromValue,
  extractVerification,
  type KeylessRecord,
  MAX_VERIFICATION_BYTES,
  type RecordCheck,
  signVerification,
  signVerificationKeyless,
  VERIFICATION_MARKER_NAME,
  type VerificationExpectation,
  verificationMarker,
  verifyVerification,
} from "./record.js";
export {
  type RepositoryAddress,
  resourceUriOf,
  SLSA_VERSION,
  VERIFICATION_RESULTS,
  VERIFIED_LEVELS,
  type VerificationResult,
  type VerifiedLevel,
  VSA_PREDICATE_TYPE,
  type VsaInput,
  type VsaPredicate,
  type VsaStatement,
  VsaStatementSchema,
  vsaStatement,
} from "./statement.js";
export {
  type CheckState,
  type FileComparison,
  type InputAttestation,
  judgeMerge,
  type LandedPullRequest,
  type MergeFacts,
  type MergeVerdict,
  type Reason,
  type ReasonKind,
  unjudgedMessage,
} from "./verdict.js";
