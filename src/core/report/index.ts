/** Check-run reports: a Decision rendered for people (docs/policy.md#titles-and-conclusions). */

export {
  ANSWERS_MARKER,
  type AnswerEntry,
  findAnswersComment,
  parseAnswers,
} from "../policy/replied.js";
export { type CheckAnnotation, MAX_ANNOTATIONS } from "./annotations.js";
export {
  MERGE_VERIFICATION_CHECK_NAME,
  type MergeVerificationOutput,
  renderMergeVerification,
} from "./merge-verification.js";
export {
  ASSESSMENT_CHECK_NAME,
  CHECK_NAMES,
  type CheckOutput,
  OVERSIGHT_CHECK_NAME,
  renderCheck,
} from "./render.js";
export {
  answerText,
  mergeAnswers,
  type RecordedCommand,
  renderAnswers,
  renderReply,
} from "./replies.js";
export { type RequestAnswer, renderRequestAnswer } from "./review-requests.js";
