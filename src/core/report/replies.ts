/**
 * The answers aigate posts to an `/approve` comment it cannot record: one per comment, found
 * again by its marker so a redelivered event never answers twice.
 */
import { type Reply, type ReplyReason, teamsUnreadable } from "../policy/approval-plan.js";
import { describeIneligibility, shortSha } from "../policy/eligibility.js";
import { replyMarker } from "../policy/replied.js";

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

/** The comment that answers an `/approve` which was not recorded, or lines that were ignored. */
export function renderReply(reply: Reply): string {
  const marker = replyMarker(reply.commentId);
  const ignored = reply.problems.map((p) => `- ${p}`).join("\n");
  if (reply.reason.kind === "command_problems") {
    return `${marker}\n@${reply.login} aigate ignored part of your comment:\n\n${ignored}`;
  }
  const answer = `${marker}\n@${reply.login} your \`/approve\` was not recorded: ${reasonText(reply.reason)}.`;
  return ignored ? `${answer}\n\nAlso ignored:\n\n${ignored}` : answer;
}
