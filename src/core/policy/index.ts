/** The pure policy engine: facts in, Decision out (docs/policy.md), and approval planning. */
export {
  type ApprovalPlan,
  type ApprovalPlanInput,
  attestedSources,
  newestDigest,
  type PlannedStatement,
  planApprovals,
  type Reply,
  type ReplyReason,
  type TeamsLookup,
  type TeamsOf,
} from "./approval-plan.js";
export {
  approverEligibilities,
  eligibility,
  governanceEligibility,
  resolveApprovalSystems,
  systemFor,
} from "./eligibility.js";
export { evaluate, type PreparedChange } from "./evaluate.js";
export { planReads, type ReadPlan } from "./plan.js";
export {
  type AskedAt,
  needsTimeline,
  type RequestMemory,
  rememberRequests,
  reviewRequestReport,
} from "./request-memory.js";
export {
  type MembersLookup,
  planReviewRequests,
  type Reviewer,
  type ReviewRequestEvent,
  type ReviewRequestInput,
  type ReviewRequestPlan,
  type ReviewRequestTrigger,
  type SystemRequests,
} from "./review-requests.js";
