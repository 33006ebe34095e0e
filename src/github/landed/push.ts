/** A push as the merge verification reads it, from the push the event router read (docs/app.md#merge-verification). */
import type { BasePushTarget } from "../events/base-push.js";

/** A push to a branch, as the event router read it. */
export interface LandedPush {
  owner: string;
  repo: string;
  branch: string;
  defaultBranch: string;
  /** The branch's head before the push; undefined for a new branch. */
  before?: string;
  after: string;
  forced: boolean;
  /** Every path the payload's commits changed; undefined when the payload cannot tell. */
  paths?: string[];
}

/** The push to verify, or undefined when it is to a tag or names no head or default branch. */
export function landedPushFrom(push: BasePushTarget): LandedPush | undefined {
  if (!push.branch || push.after === undefined || push.defaultBranch === undefined) {
    return undefined;
  }
  const target: LandedPush = {
    owner: push.owner,
    repo: push.repo,
    branch: push.ref,
    defaultBranch: push.defaultBranch,
    after: push.after,
    forced: push.forced === true,
  };
  if (push.before !== undefined) target.before = push.before;
  if (push.paths !== undefined) target.paths = push.paths;
  return target;
}
