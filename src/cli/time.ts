import { UsageError } from "./context.js";

/** The evaluation time: now, or AIGATE_NOW (an ISO date) for reproducible runs. */
export function evaluationTime(env: NodeJS.ProcessEnv): Date {
  const fixed = env.AIGATE_NOW;
  if (!fixed) return new Date();
  const time = new Date(fixed);
  if (Number.isNaN(time.getTime()))
    throw new UsageError(`AIGATE_NOW=${fixed} is not a date (e.g. 2026-11-27)`);
  return time;
}
