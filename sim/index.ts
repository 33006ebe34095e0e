/** A simulated GitHub for end-to-end tests, the demo and benchmarks. See README.md. */
export { blobSha } from "./git.js";
export { GRAPHQL_OPERATION, GRAPHQL_PATH, GRAPHQL_TEXT_LIMIT } from "./graphql.js";
export {
  COMMENT_BODY_LIMIT,
  COMPARE_FILES_CAP,
  PULL_COMMITS_CAP,
  PULL_FILES_CAP,
} from "./handlers.js";
export {
  buildHistory,
  HISTORY_MANIFEST,
  type History,
  type HistoryOptions,
  type RecordKind,
} from "./history.js";
export {
  assessmentOf,
  type GovernedRepoOptions,
  governedRepository,
  manifestOf,
  systemId,
} from "./organisation.js";
export { enqueue, mergeGroupEvent, pushEvent, type SimMergeGroup } from "./queue.js";
export {
  type FailureMatcher,
  type FailureOptions,
  type FaultKind,
  type FaultOptions,
  type GitHubSim,
  isWriteRequest,
  type RequestRecord,
  type SimOptions,
  startGitHubSimulator,
} from "./server.js";
export {
  type CheckRunsAtSha,
  type CommitInput,
  GITHUB_ACTIONS_APP,
  type ReviewState,
  type SimApp,
  type SimCheckRun,
  type SimComment,
  SimError,
  type SimIssue,
  type SimPullRequest,
  type SimRepo,
  type SimReview,
  SimState,
  type SimUser,
} from "./state.js";
export {
  checkRunRerequestedEvent,
  type DeliverOptions,
  deliver,
  issueCommentEvent,
  pullRequestEvent,
  pullRequestReviewEvent,
  WEBHOOK_PATH,
  type WebhookPayload,
} from "./webhooks.js";
