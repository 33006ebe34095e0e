import type { Manifest, ResolvedSystem } from "../manifest/schema.js";
import { type CompiledMatcher, touchesGoverned } from "../match.js";
import type {
  ApprovalRecord,
  CountedApproval,
  Facts,
  OversightResult,
  RejectedApproval,
} from "../types.js";
import { blockedProblem } from "./assessment-gate.js";
import {
  actorKey,
  approverIneligibility,
  describeIneligibility,
  eligibilityHolds,
  isOwnerEligibility,
  type SeparationOfDuties,
  sameActor,
  shortSha,
} from "./eligibility.js";

/** "acme/model-risk, acme/ml or alice". */
function describeApprovers(approvers: { teams: string[]; users: string[] }): string {
  const names = [...approvers.teams, ...approvers.users];
  if (names.length <= 1) return names[0] ?? "nobody";
  return `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

interface OversightContext {
  manifest: Manifest;
  compiled: CompiledMatcher;
  facts: Facts;
  duties: SeparationOfDuties;
}

/**
 * The human-oversight gate for one affected system (docs/policy.md#the-human-oversight-gate): distinct eligible approvers
 * on the current head (or on an earlier head when the push since did not make them stale),
 * never the author, bots, or (by default) the PR's authors and committers; a veto blocks.
 */
export function overseeSystem(
  system: ResolvedSystem,
  ctx: OversightContext,
): { result: OversightResult; recorded: number } {
  const { manifest, facts } = ctx;
  const retired = system.lifecycle === "retired" && !system.pseudo;
  const ownerRequired = retired ? manifest.governance.approvals : 0;
  const required = system.approvals + ownerRequired;
  const eligible = retired
    ? {
        teams: unique([...system.approvers.teams, ...manifest.governance.owners.teams]),
        users: unique([...system.approvers.users, ...manifest.governance.owners.users]),
      }
    : { teams: [...system.approvers.teams], users: [...system.approvers.users] };
  const result: OversightResult = {
    system: system.id,
    required,
    status: required > 0 ? "waiting" : "not_required",
    counted: [],
    rejected: [],
    vetoes: [],
    eligible,
    problems: [],
  };

  if (system.blocked) {
    result.status = "blocked";
    result.problems.push(blockedProblem(system));
    return { result, recorded: 0 };
  }
  if (system.approvals > 0 && system.approvers.teams.length + system.approvers.users.length === 0) {
    result.status = "blocked";
    result.problems.push(
      `${system.id} needs ${plural(system.approvals, "approval")} but the manifest lists no approvers for it`,
    );
    return { result, recorded: 0 };
  }

  if (!facts.evaluateApprovals) {
    if (required > 0) result.problems.push(needsLine(system, manifest, ownerRequired));
    return { result, recorded: 0 };
  }

  const approvals = [...facts.approvals].sort((a, b) => b.source.at.localeCompare(a.source.at));
  const vetoes = facts.vetoes.filter((v) =>
    v.systems.some(
      (e) => e.system === system.id && eligibilityHolds(manifest, system, v.approver, e),
    ),
  );
  const countedKeys = new Set<string>();
  let own = 0;
  let owners = 0;

  for (const approval of approvals) {
    const rejected = (reason: string, stale?: boolean): void => {
      result.rejected.push(rejection(approval, reason, stale));
    };
    const reason = ineligibleReason(approval, ctx);
    if (reason) {
      rejected(reason);
      continue;
    }
    const recorded = approval.systems.filter((e) => e.system === system.id);
    if (recorded.length === 0) {
      rejected(approval.refusal ?? `does not cover ${system.id}`);
      continue;
    }
    // Eligibility is recorded with the approval; it must still hold under the base manifest,
    // so an approver added by this change (or removed since) never counts.
    const entries = recorded.filter((e) =>
      eligibilityHolds(manifest, system, approval.approver, e),
    );
    const asApprover = entries.find((e) => system.pseudo || !isOwnerEligibility(e));
    const asOwner = retired ? entries.find(isOwnerEligibility) : undefined;
    if (!asApprover && !asOwner) {
      const was = recorded.map((e) => e.reason).join("; ");
      rejected(
        `${approval.approver.login} is not an approver of ${system.id} in the base manifest (recorded as: ${was})`,
      );
      continue;
    }
    const stale = staleReason(approval, ctx);
    if (stale) {
      rejected(stale, true);
      continue;
    }
    const veto = vetoes.find((v) => sameActor(v.approver, approval.approver));
    if (veto && veto.at > approval.source.at) {
      rejected(
        `superseded by ${veto.approver.login}'s later request for changes (review ${veto.reviewId})`,
      );
      continue;
    }
    const key = actorKey(approval.approver);
    if (countedKeys.has(key)) {
      rejected(`an approval by ${approval.approver.login} is already counted`);
      continue;
    }
    countedKeys.add(key);
    if (asApprover) own++;
    if (asOwner) owners++;
    const counted: CountedApproval = {
      approver: approval.approver.login,
      reason: [asApprover?.reason, asOwner?.reason].filter(Boolean).join("; "),
      commit: approval.commit,
      at: approval.source.at,
      source: approval.source.kind,
      sourceId: approval.source.id,
    };
    if (approval.approver.id !== undefined) counted.approverId = approval.approver.id;
    if (approval.attestationDigest) counted.attestationDigest = approval.attestationDigest;
    result.counted.push(counted);
  }

  for (const veto of vetoes) {
    // A later approval by the same person replaces their request for changes.
    const replaced = approvals.some(
      (a) =>
        sameActor(a.approver, veto.approver) &&
        a.source.at > veto.at &&
        a.systems.some((e) => e.system === system.id),
    );
    if (replaced) continue;
    result.vetoes.push({ approver: veto.approver.login, reviewId: veto.reviewId, at: veto.at });
  }

  if (ctx.duties.unattributable && required > 0) {
    result.problems.push(`${system.id}: ${ctx.duties.unattributable}`);
  }
  if (result.vetoes.length > 0) {
    result.status = "blocked";
    result.problems.unshift(
      ...result.vetoes.map(
        (v) => `${system.id}: changes requested by ${v.approver} (review ${v.reviewId})`,
      ),
    );
  } else if (own >= system.approvals && owners >= ownerRequired) {
    result.status = required > 0 ? "met" : "not_required";
  } else {
    result.status = "waiting";
    if (ownerRequired > 0 && owners < ownerRequired) {
      result.problems.push(
        `${system.id} is retired: changes need ${plural(ownerRequired, "approval")} from the governance owners (${describeApprovers(manifest.governance.owners)})`,
      );
    }
  }
  const recorded = Math.min(own, system.approvals) + Math.min(owners, ownerRequired);
  return { result, recorded };
}

/** "credit-scoring needs 2 approvals from acme/model-risk or alice" (the CLI's report). */
function needsLine(system: ResolvedSystem, manifest: Manifest, ownerRequired: number): string {
  const parts: string[] = [];
  if (system.approvals > 0) {
    parts.push(
      `${plural(system.approvals, "approval")} from ${describeApprovers(system.approvers)}`,
    );
  }
  if (ownerRequired > 0) {
    parts.push(
      `${plural(ownerRequired, "approval")} from the governance owners (${describeApprovers(manifest.governance.owners)})`,
    );
  }
  return `${system.id} needs ${parts.join(" and ")}`;
}

/** Why an approver can never count on this pull request, whatever system it names. */
function ineligibleReason(approval: ApprovalRecord, ctx: OversightContext): string | null {
  const reason = approverIneligibility(
    approval.approver,
    ctx.facts.pullRequest?.author,
    ctx.duties,
  );
  if (reason && reason.kind !== "committer") return describeIneligibility(reason);
  if (ctx.duties.unattributable) return ctx.duties.unattributable;
  return reason ? describeIneligibility(reason) : null;
}

function staleReason(approval: ApprovalRecord, ctx: OversightContext): string | null {
  // Retargeting a pull request changes what it merges without a new head: the approvers saw
  // the change against the branch it targeted then.
  const base = ctx.facts.pullRequest?.baseRef;
  if (approval.baseRef !== undefined && base !== undefined && approval.baseRef !== base) {
    return `stale: given for a change into ${approval.baseRef}, and the pull request now targets ${base}`;
  }
  const head = ctx.facts.pullRequest?.headSha;
  if (head !== undefined && approval.commit === head) return null;
  const given = `given on ${shortSha(approval.commit)}`;
  if (head === undefined) return `${given}; there is no pull request head to bind it to`;
  switch (ctx.manifest.invalidateOnPush) {
    case "never":
      return null;
    case "always":
      return `stale: ${given}, the head is now ${shortSha(head)} (invalidate_on_push: always)`;
    default: {
      const since = ctx.facts.changedSince[approval.commit];
      if (since === undefined || since === null) {
        return `stale: ${given}, and the changes since cannot be determined`;
      }
      if (touchesGoverned(ctx.compiled, since)) {
        return `stale: ${given}, and governed files changed since`;
      }
      return null;
    }
  }
}

function rejection(approval: ApprovalRecord, reason: string, stale?: boolean): RejectedApproval {
  const r: RejectedApproval = {
    approver: approval.approver.login,
    commit: approval.commit,
    at: approval.source.at,
    source: approval.source.kind,
    sourceId: approval.source.id,
    reason,
  };
  if (stale) r.stale = true;
  return r;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
