/** The pure policy engine: facts in, Decision out (DESIGN §2–§5). */

export {
  approverEligibilities,
  eligibility,
  governanceEligibility,
  isOwnerEligibility,
  manifestPseudoSystem,
  resolveApprovalSystems,
  systemFor,
} from "./eligibility.js";
export { evaluate, MAX_CHANGED_FILES } from "./evaluate.js";
export { planReads, type ReadPlan } from "./plan.js";
