/**
 * aigate's answers to commands it cannot record, or cannot read (docs/app.md#answers): all of
 * them in one comment of aigate's per pull request, edited in place, holding the answer to the
 * newest answered command of each account. Each answer carries the id of the comment it answers,
 * so a redelivered event never answers twice. (Earlier versions posted one reply comment per
 * command, with its own marker; those are still read as answered.)
 */
import { MAX_COMMENT_CHARS } from "../limits.js";
import { type Reply, type ReplyReason, teamsUnreadable } from "../policy/approval-plan.js";
import { describeIneligibility, shortSha } from "../policy/eligibility.js";
import { ANSWERS_MARKER, type AnswerEntry, answerMarker, replyMarker } from "../policy/replied.js";

const ANSWERS_HEADING = "### aigate: answers to commands on this pull request";
const ANSWERS_INTRO =
  "The answer to the newest command of each account that aigate could not record or read. This comment is edited as commands arrive; approvals that count are the signed attestation comments.";

/**
 * The answers after `replies` and `others` (answers already written as entries, such as the
 * answer to `/aigate request`): each account keeps only the answer to its newest command (comment
 * ids grow with time), newest first. `changed` is false when the comment would read the same,
 * so a reconcile with nothing new to say writes nothing.
 */
export function mergeAnswers(
  existing: readonly AnswerEntry[],
  replies: readonly Reply[],
  recorded: readonly RecordedCommand[] = [],
  others: readonly AnswerEntry[] = [],
): { entries: AnswerEntry[]; changed: boolean } {
  const byLogin = new Map<string, AnswerEntry>();
  const offer = (entry: AnswerEntry) => {
    const key = entry.login.toLowerCase();
    const held = byLogin.get(key);
    if (!held || held.commentId < entry.commentId) byLogin.set(key, entry);
  };
  for (const entry of existing) offer(entry);
  const before = renderAnswers([...byLogin.values()].sort(newestFirst));
  for (const reply of replies) {
    offer({ commentId: reply.commentId, login: reply.login, text: answerText(reply) });
  }
  for (const entry of others) offer(entry);
  // What was recorded answers only an account that holds an older answer here: otherwise the
  // signed attestation comment is the answer, and this one is not written for it.
  for (const command of recorded) {
    if (!byLogin.has(command.login.toLowerCase())) continue;
    offer({ commentId: command.commentId, login: command.login, text: recordedText(command) });
  }
  const entries = [...byLogin.values()].sort(newestFirst);
  const changed = renderAnswers(entries) !== before || existing.length !== entries.length;
  return { entries, changed };
}

function newestFirst(a: AnswerEntry, b: AnswerEntry): number {
  return b.commentId - a.commentId;
}

/**
 * The answer comment's text, within GitHub's comment limit: the newest answers first, and how
 * many older ones were left out.
 */
export function renderAnswers(entries: readonly AnswerEntry[], limit = MAX_COMMENT_CHARS): string {
  const head = `${ANSWERS_MARKER}\n${ANSWERS_HEADING}\n\n${ANSWERS_INTRO}\n`;
  const reserve = 120; // room for the note on what was left out
  let text = head;
  let shown = 0;
  for (const entry of entries) {
    // Answers quote command text: no quoted text may open a marker of its own.
    const shownText = entry.text.replaceAll("<!--", "&lt;!--");
    const block = `\n${answerMarker(entry.commentId, entry.login)}\n${shownText}\n`;
    if (text.length + block.length + reserve > limit) break;
    text += block;
    shown++;
  }
  const left = entries.length - shown;
  if (left > 0) {
    text += `\n_${left} older answer${left === 1 ? " was" : "s were"} left out to stay within GitHub's comment limit._\n`;
  }
  return text;
}

/** A reason in the second person, to the comment's author. */
function reasonText(reason: Exclude<ReplyReason, { kind: "command_problems" }>): string {
  switch (reason.kind) {
    case "unknown_systems":
      return `the governance manifest has no system ${reason.systems.map((u) => `\`${u}\``).join(", ")}`;
    case "stale":
      return `it is stale: commits were pushed after it (head is now ${shortSha(reason.headSha)}); approve again`;
    case "edited":
      return "the comment was edited after it was posted, and an edit need not be its author's; post a new `/approve` comment";
    case "unknown_account":
      return "the account is unknown";
    case "not_an_approver":
      return `you are not an approver for ${reason.systems.join(", ")} in the governance manifest`;
    case "teams_unreadable":
      return teamsUnreadable(reason.teams);
    case "ineligible": {
      const why = reason.reason;
      switch (why.kind) {
        case "author":
          return "you opened this pull request, and an author cannot approve their own change";
        case "committer":
          return `you ${why.role} ${shortSha(why.sha)} of this pull request, and authors and committers cannot approve it`;
        default:
          return describeIneligibility(why);
      }
    }
  }
}

/** An `/approve` or `/revoke` comment of which a signed statement was recorded. */
export interface RecordedCommand {
  commentId: number;
  login: string;
  decision: "approved" | "revoked";
  systems: string[];
}

function recordedText(command: RecordedCommand): string {
  const verb = command.decision === "approved" ? "/approve" : "/revoke";
  return `@${command.login} your \`${verb}\` was recorded for ${command.systems.join(", ")}: the signed attestation comment is the evidence.\n\n<sub>In answer to [this comment](#issuecomment-${command.commentId}).</sub>`;
}

/** One answer, as the answer comment shows it: to whom, why, and the comment it answers. */
export function answerText(reply: Reply): string {
  return `${replyText(reply)}\n\n<sub>In answer to [this comment](#issuecomment-${reply.commentId}).</sub>`;
}

function replyText(reply: Reply): string {
  const ignored = reply.problems.map((p) => `- ${p}`).join("\n");
  if (reply.reason.kind === "command_problems") {
    return `@${reply.login} aigate ignored part of your comment:\n\n${ignored}`;
  }
  const answer = `@${reply.login} your \`/approve\` was not recorded: ${reasonText(reply.reason)}.`;
  return ignored ? `${answer}\n\nAlso ignored:\n\n${ignored}` : answer;
}

/** The comment that answers an `/approve` which was not recorded, or lines that were ignored. */
export function renderReply(reply: Reply): string {
  return `${replyMarker(reply.commentId)}\n${replyText(reply)}`;
}
