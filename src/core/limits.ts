/**
 * GitHub's limits that shape what aigate reads and writes, in one place: every door and
 * every renderer imports them from here (docs/policy.md#githubs-limits).
 */

/** A check run's `output.summary`, in characters. */
export const MAX_CHECK_SUMMARY_CHARS = 65_535;
/** A check run's `output.text`, in characters. */
export const MAX_CHECK_TEXT_CHARS = 65_535;
/**
 * A check run's `output.title`, in characters. GitHub documents no limit for it; the one
 * title limit the checks API documents is an annotation's (255), and check titles are held
 * to it too: a title is read on one line beside the check's name.
 */
export const MAX_CHECK_TITLE_CHARS = 255;
/** Annotations in one create or update request of a check run. */
export const MAX_ANNOTATIONS_PER_REQUEST = 50;
/** An annotation's `title`, in characters. */
export const MAX_ANNOTATION_TITLE_CHARS = 255;
/** An annotation's `message` ("64 KB"), in characters. */
export const MAX_ANNOTATION_MESSAGE_CHARS = 64_000;
/** An issue or pull-request comment's body, in characters. */
export const MAX_COMMENT_CHARS = 65_536;
/** Files the pull-request files API lists; a larger pull request is only partly visible. */
export const MAX_PULL_REQUEST_FILES = 3000;
/** Commits the pull-request commits API lists. */
export const MAX_PULL_REQUEST_COMMITS = 250;
/** Files a compare of two commits lists in one response. */
export const MAX_COMPARE_FILES = 300;
/**
 * Users and teams GitHub lets a pull request have requested for review; aigate's requests
 * stay within it with those already requested (docs/policy.md#review-requests).
 */
export const MAX_REVIEW_REQUESTS = 15;
