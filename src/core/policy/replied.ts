/**
 * Which comments aigate has already answered: a reply carries a marker naming the comment it
 * answers, so a redelivered event never answers twice. The report writes the marker; the
 * approval plan reads it.
 */
import type { CommentFacts } from "../types.js";

const REPLY_MARKER = /<!-- aigate-reply:(\d+) -->/;

/** The marker a reply to comment `commentId` carries. */
export function replyMarker(commentId: number): string {
  return `<!-- aigate-reply:${commentId} -->`;
}

/** The id of the comment a reply answers, when the text carries a reply marker. */
export function replyTarget(body: string): number | undefined {
  const id = REPLY_MARKER.exec(body)?.[1];
  return id === undefined ? undefined : Number(id);
}

/** The comments aigate (a bot) has already answered. */
export function repliedCommentIds(comments: CommentFacts[]): Set<number> {
  const ids = new Set<number>();
  for (const c of comments) {
    const id = replyTarget(c.body);
    if (id !== undefined && c.author?.type === "Bot") ids.add(id);
  }
  return ids;
}
