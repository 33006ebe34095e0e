/**
 * Which comments aigate has already answered (docs/app.md#answers). All answers on a pull
 * request are in one comment of aigate's, edited in place, each under a marker naming the
 * comment it answers; earlier versions posted one reply per comment, with a marker of its own.
 * Either way a redelivered event never answers twice. The report writes the markers; the
 * approval plan and the flow read them here.
 */
import type { CommentFacts } from "../types.js";

const REPLY_MARKER = /<!-- aigate-reply:(\d+) -->/;

/** Opens aigate's answer comment; how the comment is found again, on any replica. */
export const ANSWERS_MARKER = "<!-- aigate-answers:v1 -->";
const ANSWER_ENTRY = /<!-- aigate-answer:(\d+):([A-Za-z0-9-]+(?:\[bot\])?) -->\n/g;

/** The marker of one answer, to comment `commentId` of `login`, in the answer comment. */
export function answerMarker(commentId: number, login: string): string {
  return `<!-- aigate-answer:${commentId}:${login} -->`;
}

/** The marker a reply to comment `commentId` carries (one reply comment per command). */
export function replyMarker(commentId: number): string {
  return `<!-- aigate-reply:${commentId} -->`;
}

/** The id of the comment a reply answers, when the text carries a reply marker. */
export function replyTarget(body: string): number | undefined {
  const id = REPLY_MARKER.exec(body)?.[1];
  return id === undefined ? undefined : Number(id);
}

/** One answer in the answer comment: to the comment `commentId` of `login`. */
export interface AnswerEntry {
  commentId: number;
  login: string;
  /** The answer as shown, without its marker. */
  text: string;
}

/** Whether a comment's text is an answer comment (aigate's, when a bot wrote it). */
export function isAnswersBody(body: string): boolean {
  return body.startsWith(ANSWERS_MARKER);
}

/** aigate's answer comment among a pull request's comments: the first a bot wrote. */
export function findAnswersComment<C extends CommentFacts>(comments: readonly C[]): C | undefined {
  return comments.find((c) => c.author?.type === "Bot" && isAnswersBody(c.body));
}

/** The answers an answer comment holds, in its order; none when the text is not one. */
export function parseAnswers(body: string): AnswerEntry[] {
  if (!isAnswersBody(body)) return [];
  const marks = [...body.matchAll(ANSWER_ENTRY)];
  return marks.map((mark, i) => {
    const start = (mark.index ?? 0) + mark[0].length;
    const end = marks[i + 1]?.index ?? body.length;
    return {
      commentId: Number(mark[1]),
      login: mark[2] ?? "",
      text: body.slice(start, end).trim(),
    };
  });
}

/** The comments aigate (a bot) has already answered: in its answer comment, or in a reply. */
export function repliedCommentIds(comments: CommentFacts[]): Set<number> {
  const ids = new Set<number>();
  for (const c of comments) {
    if (c.author?.type !== "Bot") continue;
    const id = replyTarget(c.body);
    if (id !== undefined) ids.add(id);
    for (const entry of parseAnswers(c.body)) ids.add(entry.commentId);
  }
  return ids;
}
