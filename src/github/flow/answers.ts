/**
 * aigate's one answer comment per pull request (docs/app.md#answers): created once, then edited
 * in place, found again by its marker on any replica (the per-pull-request lock serialises the
 * reconciles that write it). An answer is an optional write: the installation's write budget
 * may drop it (docs/deployment.md#the-write-budget), and a failed answer never turns a check
 * red — the checks and the evidence are written whatever became of it.
 */
import { MAX_COMMENT_CHARS } from "../../core/limits.js";
import type { GitHubClient, Log, PullRequestTarget } from "../client.js";
import { describeFailure, redact } from "../errors.js";
import { BUDGETED } from "../operator/telemetry.js";
import { type HeldLock, LockLostError } from "../replicas/lock.js";
import type { AdmitWrite } from "./contract.js";

export type AnswerOutcome = "created" | "edited" | "held-back" | "failed";

/** Writes the answer comment's new text: one create or one edit. Never throws but for a lost lock. */
export async function writeAnswers(
  client: GitHubClient,
  target: PullRequestTarget,
  answers: { body: string; commentId?: number },
  context: { lock: HeldLock; admit?: AdmitWrite | undefined; log: Log },
): Promise<AnswerOutcome> {
  await context.lock.assertHeld();
  if (context.admit && !(await context.admit("answer"))) return "held-back";
  const body = redact(answers.body).slice(0, MAX_COMMENT_CHARS);
  const request = { [BUDGETED]: true };
  const where = { owner: target.owner, repo: target.repo };
  try {
    if (answers.commentId !== undefined) {
      await client.rest.issues.updateComment({
        ...where,
        comment_id: answers.commentId,
        body,
        request,
      });
      return "edited";
    }
    await client.rest.issues.createComment({
      ...where,
      issue_number: target.pullNumber,
      body,
      request,
    });
    return "created";
  } catch (error) {
    if (error instanceof LockLostError) throw error;
    context.log.warn(
      `aigate: ${target.owner}/${target.repo}#${target.pullNumber}: the answer comment could not be written: ${describeFailure(error).description}`,
    );
    return "failed";
  }
}
