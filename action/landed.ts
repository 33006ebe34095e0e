/** The Action on `push`: the merge verification of what the push landed, written as check runs and output as a file (docs/action.md#merge-verification). */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BundlesFor, Jwks, KeylessSigner, Signer } from "../src/core/attestation/index.js";
import { AIGATE_VERSION } from "../src/core/version.js";
import { describeFailure, redact } from "../src/github/errors.js";
import type { BasePushTarget } from "../src/github/events/base-push.js";
import { routeEvent } from "../src/github/events/router.js";
import { recordTrackingBypass } from "../src/github/flow/tracking-issue.js";
import { landedPushFrom } from "../src/github/landed/push.js";
import { verifyLandedPush } from "../src/github/landed/verify-push.js";
import { createAdapterCache } from "../src/github/reads/cache.js";
import { inProcessSerialiser } from "../src/github/replicas/serialise.js";
import type { ActionRuntime } from "./runtime.js";

/** The push to verify, or why the event is not one. */
export function landedPushOf(payload: Record<string, unknown>): BasePushTarget | string {
  const routed = routeEvent("push.", payload);
  if ("ignored" in routed) return routed.ignored;
  if (!("basePush" in routed) || !routed.basePush.branch) return "a push to a tag lands nothing";
  return routed.basePush;
}

/**
 * Verifies a push with the workflow's token, signing with the key or keyless as approvals are
 * (docs/action.md#keyless-merge-verifications): one check run per governed commit, and the
 * records in a JSON file (output `merge-verifications`); each FAILED record is
 * added to the tracking issue that `mode: register` keeps (docs/action.md#bypasses-in-the-tracking-issue). The job fails when a
 * record says FAILED, unless fail-on is never.
 */
export async function runLanded(
  runtime: ActionRuntime,
  push: BasePushTarget,
  settings: { token: string; manifestPath: string; failOn: string },
  signer: Signer | KeylessSigner,
  jwks: Jwks,
  bundles?: BundlesFor,
): Promise<void> {
  const target = landedPushFrom(push);
  if (!target) {
    runtime.log.notice("aigate: the push event names no head or default branch: nothing to verify");
    return;
  }
  const web = (runtime.env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, "");
  const workflow = (runtime.env.GITHUB_WORKFLOW_REF ?? "").split("@")[0];
  const verifier = workflow ? `${web}/${workflow}` : `${web}/${push.owner}/${push.repo}/actions`;
  try {
    const outcome = await verifyLandedPush(runtime.client(settings.token), target, {
      signer,
      jwks,
      bundles,
      appId: undefined,
      verifier: { id: verifier, version: AIGATE_VERSION },
      web,
      manifestPath: settings.manifestPath,
      cache: createAdapterCache(),
      serialiser: inProcessSerialiser(),
      log: runtime.log,
      now: () => runtime.now(),
      // The Action adds bypasses to the register's tracking issue, not the App's issue.
      recordBypass: recordTrackingBypass,
    });
    const file = join(
      runtime.env.RUNNER_TEMP || tmpdir(),
      `aigate-merge-verifications-${push.after}.json`,
    );
    writeFileSync(
      file,
      `${JSON.stringify(
        // A keyless record is its Sigstore bundle (docs/action.md#merge-verification).
        outcome.written.map((w) =>
          w.bundle === undefined
            ? { commit: w.sha, result: w.result, envelope: JSON.parse(w.envelope) }
            : { commit: w.sha, result: w.result, bundle: w.bundle },
        ),
        null,
        2,
      )}\n`,
    );
    runtime.setOutput("merge-verifications", file);
    if (outcome.dropped) runtime.log.notice(`aigate: ${outcome.dropped}`);
    const failed = outcome.written.filter((w) => w.result === "FAILED");
    if (failed.length > 0 && settings.failOn !== "never") {
      runtime.setFailed(
        `aigate: ${failed.length} landed commit(s) bypassed the gates: ${failed.map((f) => f.sha.slice(0, 7)).join(", ")}`,
      );
    }
  } catch (error) {
    // Keyless signing says which permission or Sigstore service failed; no record was written.
    const reason =
      error instanceof Error && error.name === "KeylessSigningError"
        ? `the merge verification could not be signed keyless: ${redact(error.message)}`
        : describeFailure(error).description;
    runtime.setFailed(`aigate could not verify the push: ${reason}`);
  }
}
