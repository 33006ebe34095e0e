/**
 * The Action: inputs → reconcile → outputs and job summary. The only place that fails
 * the job (`setFailed`), per the `fail-on` input.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Jwks } from "../src/core/attestation/index.js";
import { CHECK_NAMES, renderCheck } from "../src/core/report/index.js";
import { decisionFindings, toSarif } from "../src/core/sarif.js";
import type { Decision } from "../src/core/types.js";
import { redact } from "../src/github/errors.js";
import { type MergeGroupTarget, reconcileMergeGroup } from "../src/github/events/merge-group.js";
import { routeEvent } from "../src/github/events/router.js";
import type { ReconcileResult } from "../src/github/flow/contract.js";
import { reconcile } from "../src/github/flow/reconcile.js";
import { createAdapterCache } from "../src/github/reads/cache.js";
import { type ActionSettings, InputError, readSettings } from "./inputs.js";
import { landedPushOf, runLanded } from "./landed.js";
import { runRegisterMode } from "./register.js";
import type { ActionRuntime } from "./runtime.js";
import { actionSigning } from "./signing.js";

/** The workflow events the Action acts on, and the router event each is read as. */
const ROUTED_AS: Record<string, string> = {
  pull_request: "pull_request",
  pull_request_target: "pull_request",
  pull_request_review: "pull_request_review",
  issue_comment: "issue_comment",
  merge_group: "merge_group",
};

/** A pull request to reconcile, or a merge queue's group to check (docs/action.md#merge-queues). */
type Target =
  | PullRequestEventTarget
  | { mergeGroup: MergeGroupTarget; deleted?: never; readOnly?: never };

interface PullRequestEventTarget {
  mergeGroup?: never;
  pullNumber: number;
  /** A deleted comment that carried an attestation, to post again (see reconcile). */
  deleted?: { commentId: number; body: string; by?: string };
  /** Why checks and comments cannot be written (a fork's read-only token), if so. */
  readOnly?: string;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/**
 * The pull request an event is about, or why the event is not one aigate acts on: the App's
 * router decides, the Action adds only its own rule — a fork's pull_request token is read-only.
 */
export function targetOf(eventName: string, payload: Record<string, unknown>): Target | string {
  const routedAs = ROUTED_AS[eventName];
  if (!routedAs) {
    return `aigate runs on pull_request_target, pull_request, pull_request_review, issue_comment, merge_group and push; ${eventName} is ignored`;
  }
  const action = typeof payload.action === "string" ? payload.action : "";
  const routed = routeEvent(`${routedAs}.${action}`, payload);
  if ("ignored" in routed) return routed.ignored;
  if ("mergeGroup" in routed) return { mergeGroup: routed.mergeGroup };
  if (!("pullNumber" in routed)) return `${eventName} events cannot change the gates`;
  const target: Target = { pullNumber: routed.pullNumber };
  if (routed.deleted) target.deleted = routed.deleted;
  if (eventName === "pull_request") {
    const headRepo = record(record(record(payload.pull_request).head).repo).full_name;
    const baseRepo = record(payload.repository).full_name;
    if (headRepo !== baseRepo) {
      target.readOnly =
        "this pull_request event comes from a fork, whose token is read-only: the gates are evaluated and shown in the job summary, but no check runs or comments can be written. Run aigate on pull_request_target for the real gate.";
    }
  }
  return target;
}

function trusted(settings: ActionSettings, signerJwk: Jwks["keys"][number] | undefined): Jwks {
  const keys = [...settings.trustedKeys];
  if (signerJwk && !keys.some((k) => k.x === signerJwk.x)) keys.push(signerJwk);
  return { keys };
}

function summaryOf(decision: Decision, readOnly: string | undefined): string {
  const parts = ["# aigate", ""];
  if (readOnly) parts.push(`> ${readOnly}`, "");
  for (const gate of ["assessment", "oversight"] as const) {
    const rendered = renderCheck(decision, gate);
    parts.push(`## ${CHECK_NAMES[gate]}`);
    parts.push(`**${decision[gate].conclusion}** — ${rendered.title}`, "", rendered.summary, "");
  }
  return parts.join("\n");
}

/** Runs the Action once. Never throws: every failure ends in `setFailed` with a clear message. */
export async function run(runtime: ActionRuntime): Promise<ReconcileResult | undefined> {
  try {
    return await runOnce(runtime);
  } catch (error) {
    // reconcile never throws; anything else escaping is ours, reported without a stack of secrets.
    const message = error instanceof Error ? error.message : String(error);
    runtime.setFailed(`aigate: internal error: ${redact(message)}`);
    return undefined;
  }
}

async function runOnce(runtime: ActionRuntime): Promise<ReconcileResult | undefined> {
  let settings: ActionSettings;
  try {
    settings = readSettings((name) => runtime.getInput(name));
  } catch (error) {
    runtime.setFailed(error instanceof InputError ? error.message : `aigate: ${String(error)}`);
    return undefined;
  }

  if (settings.mode === "register") {
    await runRegisterMode(runtime, settings);
    return undefined;
  }

  if (runtime.context.eventName === "push") {
    const push = landedPushOf(runtime.context.payload);
    if (typeof push === "string") {
      runtime.log.notice(push);
      return undefined;
    }
    // Signed as approvals are: with the key, or keyless with Sigstore (docs/action.md#keyless-merge-verifications).
    const signing = await actionSigning(runtime, settings, false);
    if ("error" in signing) {
      runtime.setFailed(signing.error);
      return undefined;
    }
    const signer = signing.signer ?? signing.keylessSigner;
    if (!signer) {
      runtime.setFailed(
        `aigate: a push's merge verifications are signed records, and nothing can sign them: ${signing.unsignedReason ?? "no signer"}`,
      );
      return undefined;
    }
    // Keyless approvals count in merge verifications once a trusted root is known.
    await runLanded(
      runtime,
      push,
      settings,
      signer,
      trusted(settings, signing.signer?.publicJwk),
      signing.bundles,
    );
    return undefined;
  }

  const target = targetOf(runtime.context.eventName, runtime.context.payload);
  if (typeof target === "string") {
    runtime.log.notice(target);
    return undefined;
  }

  const signing = await actionSigning(runtime, settings, target.readOnly !== undefined);
  if ("error" in signing) {
    runtime.setFailed(signing.error);
    return undefined;
  }
  const { signer, keylessSigner } = signing;
  if (signing.unsignedReason && !target.readOnly) {
    runtime.log.warn(
      `no signing-key input: aigate evaluates from the attestations already on the pull request but cannot record new approvals (${signing.unsignedReason})`,
    );
  }
  if (target.readOnly) runtime.log.warn(target.readOnly);
  if (target.readOnly && signing.unsignedReason)
    runtime.log.info(`aigate: ${signing.unsignedReason}`);

  const client = runtime.client(settings.token);
  const deps = {
    signer,
    keylessSigner,
    unsignedReason: signing.unsignedReason,
    bundles: signing.bundles,
    storeAttestations: keylessSigner !== undefined,
    trustedJwks: trusted(settings, signer?.publicJwk),
    issuer: { kind: "action" as const },
    now: () => runtime.now(),
    log: runtime.log,
    cache: createAdapterCache(),
    manifestPath: settings.manifestPath,
    write: !target.readOnly,
  };
  const result = target.mergeGroup
    ? await reconcileMergeGroup(client, target.mergeGroup, deps)
    : await reconcile(
        client,
        {
          ...runtime.context.repo,
          pullNumber: target.pullNumber,
          ...(target.deleted ? { deleted: target.deleted } : {}),
        },
        deps,
      );

  const decision = result.decision;
  if (decision) {
    runtime.setOutput("risk-assessment", decision.assessment.conclusion);
    runtime.setOutput("human-oversight", decision.oversight.conclusion);
    runtime.setOutput(
      "affected-systems",
      JSON.stringify(decision.affected.map((s) => ({ id: s.id, tier: s.tier, kinds: s.kinds }))),
    );
    // A merge group is named by its head: its pull request may be in several groups.
    const name = target.mergeGroup ? target.mergeGroup.headSha : String(target.pullNumber);
    const report = join(runtime.env.RUNNER_TEMP || tmpdir(), `aigate-decision-${name}.json`);
    writeFileSync(report, `${JSON.stringify(decision, null, 2)}\n`);
    runtime.setOutput("report", report);
    // For github/codeql-action/upload-sarif (docs/action.md); system-level results sit at line 1.
    const sarif = join(runtime.env.RUNNER_TEMP || tmpdir(), `aigate-${name}.sarif`);
    const log = toSarif(decisionFindings(decision));
    writeFileSync(sarif, `${JSON.stringify(log, null, 2)}\n`);
    runtime.setOutput("sarif", sarif);
    await runtime.writeSummary(summaryOf(decision, target.readOnly));
  }

  if (result.skipped) {
    // A merge group aigate cannot judge has both checks red: the job says why and fails too.
    if (target.mergeGroup && settings.failOn !== "never") {
      runtime.setFailed(`aigate: ${result.skipped}`);
      return result;
    }
    runtime.log.notice(`aigate: ${result.skipped}`);
  }
  if (result.error) {
    if (settings.failOn !== "never") {
      runtime.setFailed(`aigate could not evaluate: ${result.error.description}`);
    }
    return result;
  }
  if (settings.failOn === "gates" && decision) {
    const open = (["assessment", "oversight"] as const).filter(
      (g) => decision[g].conclusion !== "success",
    );
    if (open.length > 0) {
      runtime.setFailed(
        open.map((g) => `${decision[g].conclusion}: ${decision[g].title}`).join("; "),
      );
    }
  }
  return result;
}
