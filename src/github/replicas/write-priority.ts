/**
 * Which GitHub writes go ahead of the others an installation has queued: evidence; and which go
 * behind them: optional writes such as review requests, which notify people but decide nothing. The App's
 * clients pace an installation's writes a second apart, comments three (Octokit's throttling,
 * docs/deployment.md#evidence-first); under a burst, a signed attestation would otherwise wait
 * behind check-run writes of other pull requests that it does not depend on. A write made
 * inside `asEvidence` is queued ahead of those, a write inside `asOptional` behind every write
 * without a mark (src/github/replicas/paced-writes.ts reads the marks);
 * outside the App (the Action, the CLI) nothing reads it and it changes nothing.
 */
import { AsyncLocalStorage } from "node:async_hooks";

type Mark = "evidence" | "optional";

const mark = new AsyncLocalStorage<Mark>();

/** Runs `write` as an evidence write: its requests go ahead of the installation's queue. */
export function asEvidence<T>(write: () => Promise<T>): Promise<T> {
  return mark.run("evidence", write);
}

/**
 * Runs `write` as an optional write (a review request): its requests wait behind the
 * attestation comments and the check runs the installation has queued.
 */
export function asOptional<T>(write: () => Promise<T>): Promise<T> {
  return mark.run("optional", write);
}

/** Whether the request being made now is an evidence write. */
export function isEvidenceWrite(): boolean {
  return mark.getStore() === "evidence";
}

/** Whether the request being made now is an optional write. */
export function isOptionalWrite(): boolean {
  return mark.getStore() === "optional";
}
