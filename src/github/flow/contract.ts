/**
 * What one reconcile is given and gives back (docs/architecture.md#one-webhook): the pull request
 * it is for, with what the event itself tells; the signer, keys, caches and lock it works with;
 * and what it wrote. The flow's steps and its callers (the events, the App, the Action) share it.
 */
import type { BundlesFor, Jwks, KeylessSigner, Signer } from "../../core/attestation/index.js";
import type { ReviewRequestTrigger } from "../../core/policy/index.js";
import type { Decision } from "../../core/types.js";
import type { WriteKind } from "../../core/write-budget.js";
import type { Log, PullRequestTarget } from "../client.js";
import type { GitHubFailure } from "../errors.js";
import type { FlowTelemetry } from "../operator/telemetry.js";
import type { AdapterCache } from "../reads/cache.js";
import type { CheckRecords } from "../replicas/check-records.js";
import type { HeldLock } from "../replicas/lock.js";
import type { RequestMemoryStore } from "../replicas/request-memory.js";
import type { DeletedAttestation } from "./attest.js";
import type { PublishOutcome } from "./publish.js";

/** Admits an optional write of the installation, counting it; absent, every write is admitted. */
export type AdmitWrite = (kind: WriteKind) => Promise<boolean>;

export interface ReconcileDeps {
  /** Signs new attestations; without one, approvals are evaluated but none is recorded. */
  signer?: Signer | undefined;
  /** Signs new attestations keyless (Sigstore, the Action only); takes precedence over `signer`. */
  keylessSigner?: KeylessSigner | undefined;
  /** Why nothing can be signed, when the door knows better than "no signing key" (a fork run). */
  unsignedReason?: string | undefined;
  /**
   * Verifies keyless bundles for the allowed workflows (the base manifest's governance.signers);
   * undefined when none is allowed. Without it keyless approvals count for nothing. Asked only
   * when a comment carries a bundle or the event posts evidence, so a door may load Sigstore's
   * libraries then (docs/action.md#the-bundle); a rejection fails the evaluation.
   */
  bundles?: BundlesFor | undefined;
  /** Stores each keyless bundle in GitHub's attestation store too, where the job may. */
  storeAttestations?: boolean | undefined;
  /** The GitHub App's id, when known: only its own check runs are updated. */
  appId?: number | undefined;
  /** Every key whose attestations count: the signer's and earlier ones. */
  trustedJwks: Jwks;
  issuer: { kind: "app" | "action" };
  now: () => Date;
  log: Log;
  cache: AdapterCache;
  manifestPath?: string | undefined;
  /**
   * False where the token cannot write (a fork's pull_request event): the decision is made but
   * no comment or check run is written. Default true.
   */
  write?: boolean | undefined;
  /** The per-pull-request lock this work holds, checked before every write (default: held). */
  lock?: HeldLock | undefined;
  /** Told about attestations and checks written (the App's metrics). */
  telemetry?: FlowTelemetry | undefined;
  /**
   * What the App last wrote to its check runs on each commit, kept by every write; it stands
   * in for listing them when known for certain (check-records.ts). Without it they are listed.
   */
  checkRecords?: CheckRecords | undefined;
  /**
   * When each requested reviewer was asked, and the owners' notes that still hold, shared by
   * the replicas (docs/app.md#review-requests). Without it, the adapter cache keeps them.
   */
  requestMemory?: RequestMemoryStore | undefined;
  /**
   * The installation's write budget (docs/deployment.md#the-write-budget): admits an optional
   * write such as an answer. Without it (the Action, which runs per event) every write goes.
   */
  admitWrite?: AdmitWrite | undefined;
}

export interface ReconcileResult {
  /** Absent when the PR is closed or the evaluation failed. */
  decision?: Decision;
  checks: Record<string, PublishOutcome>;
  attestations: { approved: number; revoked: number };
  /** Replies in the answer comment written by this reconcile (one write at most). */
  replies: number;
  /** Replies the write budget held back. */
  heldBack?: number;
  /**
   * Review requests sent, refused by GitHub, and dropped by the write budget
   * (docs/policy.md#review-requests).
   */
  reviewRequests?: { requested: string[]; refused: string[]; heldBack?: string[] };
  skipped?: string;
  error?: GitHubFailure;
  /**
   * Across replicas (docs/app.md#8-scaling): `queued` when the event was left to the reconcile
   * in progress on its pull request, which runs again for it; `rerun` for such a run, made for
   * events queued behind this one.
   */
  coalesced?: "queued" | "rerun";
}

/** The pull request to reconcile, with what the event itself tells. */
export type ReconcileTarget = PullRequestTarget & {
  /** The head the event names, so an error check can be written even if reading the PR fails. */
  headSha?: string;
  /** A deleted comment that carried an attestation: its signed statement is posted again. */
  deleted?: DeletedAttestation;
  /** Whether the event is about a comment (see EventTarget): false allows trusting a count of none. */
  fromComment?: boolean;
  /** Asked to evaluate afresh (see EventTarget): the check runs are listed, not recalled. */
  relist?: boolean;
  /** What the event means for review requests (docs/policy.md#review-requests); absent: ask no one. */
  requestReviews?: ReviewRequestTrigger;
  /** The `/aigate request` comment this event carries, answered once. */
  requestCommand?: RequestCommand;
};

/**
 * A `/aigate request` comment the router honoured (docs/app.md#who-may-command-what): the
 * comment it answers, and who wrote it.
 */
export interface RequestCommand {
  commentId: number;
  login: string;
}

/** The result of an event that wrote nothing yet. */
export function emptyResult(): ReconcileResult {
  return { checks: {}, attestations: { approved: 0, revoked: 0 }, replies: 0 };
}
