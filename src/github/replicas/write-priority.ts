/**
 * Which GitHub writes go ahead of the others an installation has queued: evidence. The App's
 * clients pace an installation's writes a second apart, comments three (Octokit's throttling,
 * docs/deployment.md#evidence-first); under a burst, a signed attestation would otherwise wait
 * behind check-run writes of other pull requests that it does not depend on. A write made
 * inside `asEvidence` is queued ahead of those (src/github/replicas/paced-writes.ts reads the mark);
 * outside the App (the Action, the CLI) nothing reads it and it changes nothing.
 */
import { AsyncLocalStorage } from "node:async_hooks";

const evidence = new AsyncLocalStorage<true>();

/** Runs `write` as an evidence write: its requests go ahead of the installation's queue. */
export function asEvidence<T>(write: () => Promise<T>): Promise<T> {
  return evidence.run(true, write);
}

/** Whether the request being made now is an evidence write. */
export function isEvidenceWrite(): boolean {
  return evidence.getStore() === true;
}
