import { MANIFEST_SYSTEM_ID, type Manifest, type ResolvedSystem } from "../manifest/schema.js";
import type { Actor, AffectedSystem, CommitFacts, Eligibility } from "../types.js";

/**
 * Who may approve what (docs/policy.md#the-human-oversight-gate). Eligibility is decided when an approval is recorded and
 * written into its attestation; the engine later counts the recorded eligibilities.
 */

/** Reasons of a governance owner's eligibility start with this (retired systems, the manifest). */
const OWNER_REASON_PREFIX = "governance owner";

/** Whether an actor is a bot account (never eligible). */
function isBot(actor: Actor): boolean {
  return actor.type === "Bot" || /\[bot\]$/i.test(actor.login);
}

/** Whether an actor can be an approver at all: a person, not a bot or an organisation. */
function isPerson(actor: Actor): boolean {
  return actor.type === "User" && !isBot(actor);
}

/** Whether two actors are the same account: by numeric id when both have one, else by login. */
export function sameActor(a: Actor, b: Actor): boolean {
  if (a.id !== undefined && b.id !== undefined) return a.id === b.id;
  return a.login.toLowerCase() === b.login.toLowerCase();
}

/** A commit sha as people read it. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/**
 * Why an account can never approve a pull request, whatever system it names. The one rule
 * both the approval planner (before an attestation is issued) and the oversight gate (when it
 * counts one) apply; each words it for its reader.
 */
export type Ineligibility =
  | { kind: "bot" }
  | { kind: "not_a_person" }
  | { kind: "author" }
  | { kind: "committer"; role: "authored" | "committed"; sha: string };

/** Separation of duties over the PR's commits, worked out once per evaluation. */
export interface SeparationOfDuties {
  /** Set when a commit cannot be attributed: then no approval can count (fail closed). */
  unattributable: string | null;
  /** The commit an actor authored or committed, when they did (and committers may not approve). */
  committerOf(actor: Actor): { role: "authored" | "committed"; sha: string } | null;
}

/**
 * Who is excluded as an author or committer of the PR's commits
 * (docs/policy.md#who-cannot-approve-each-listed-with-the-reason). `truncated`: GitHub did not
 * list every commit.
 */
export function separationOfDuties(
  commits: CommitFacts[],
  truncated: boolean,
  committersCanApprove: boolean,
): SeparationOfDuties {
  if (committersCanApprove) return { unattributable: null, committerOf: () => null };
  let unattributable: string | null = truncated
    ? "the pull request has more commits than GitHub lists, so their authors and committers cannot all be checked; separation of duties cannot be proven"
    : null;
  for (const commit of unattributable ? [] : commits) {
    if (commit.author && commit.committer) continue;
    const name = commit.author
      ? (commit.committerName ?? "an unknown committer")
      : (commit.authorName ?? "an unknown author");
    unattributable = `commit ${shortSha(commit.sha)} by ${name} cannot be attributed to a GitHub account; separation of duties cannot be proven`;
    break;
  }
  return {
    unattributable,
    committerOf(actor) {
      for (const commit of commits) {
        if (commit.author && sameActor(commit.author, actor)) {
          return { role: "authored", sha: commit.sha };
        }
        if (commit.committer && sameActor(commit.committer, actor)) {
          return { role: "committed", sha: commit.sha };
        }
      }
      return null;
    },
  };
}

/**
 * Why `approver` can never approve this pull request — a bot, not a person, its author, or an
 * author or committer of its commits — or null. Unattributable commits are a property of the
 * pull request, not of the approver: the gate checks them separately.
 */
export function approverIneligibility(
  approver: Actor,
  author: Actor | undefined,
  duties: SeparationOfDuties,
): Ineligibility | null {
  if (isBot(approver)) return { kind: "bot" };
  if (approver.type !== "User") return { kind: "not_a_person" };
  if (author && sameActor(author, approver)) return { kind: "author" };
  const commit = duties.committerOf(approver);
  return commit ? { kind: "committer", ...commit } : null;
}

/** An ineligibility as the check run states it. */
export function describeIneligibility(reason: Ineligibility): string {
  switch (reason.kind) {
    case "bot":
      return "bots cannot approve";
    case "not_a_person":
      return "only people can approve";
    case "author":
      return "the pull request's author cannot approve it";
    case "committer":
      return `${reason.role === "authored" ? "authored commit" : "committed"} ${shortSha(reason.sha)} of this pull request; authors and committers cannot approve it`;
  }
}

/** The key an approver is counted under: numeric id when known, else the login. */
export function actorKey(actor: Actor): string {
  return actor.id !== undefined ? `id:${actor.id}` : `login:${actor.login.toLowerCase()}`;
}

function approverReason(
  approvers: { teams: string[]; users: string[] },
  approver: Actor,
  teamsOf: string[],
): string | null {
  const login = approver.login.toLowerCase();
  if (approvers.users.some((u) => u.toLowerCase() === login)) return "listed user";
  const member = new Set(teamsOf.map((t) => t.toLowerCase()));
  const team = approvers.teams.find((t) => member.has(t.toLowerCase()));
  return team ? `member of ${team}` : null;
}

/**
 * Why an approver may approve a system (a listed user, or a member of a listed team), or null.
 * `teamsOf` lists the approver's teams as `org/team-slug`. Bots are never eligible.
 */
export function eligibility(
  system: ResolvedSystem,
  approver: Actor,
  teamsOf: string[],
): Eligibility | null {
  if (!isPerson(approver)) return null;
  const reason = approverReason(system.approvers, approver, teamsOf);
  if (!reason) return null;
  return {
    system: system.id,
    reason: system.pseudo ? `${OWNER_REASON_PREFIX} (${reason})` : reason,
  };
}

/**
 * Why an approver may approve as a governance owner (`governance.owners`), or null. The
 * eligibility is for `aigate:manifest` unless another system is given (retired systems).
 */
export function governanceEligibility(
  manifest: Manifest,
  approver: Actor,
  teamsOf: string[],
  system: string = MANIFEST_SYSTEM_ID,
): Eligibility | null {
  if (!isPerson(approver)) return null;
  const reason = approverReason(manifest.governance.owners, approver, teamsOf);
  return reason ? { system, reason: `${OWNER_REASON_PREFIX} (${reason})` } : null;
}

/**
 * Whether a recorded eligibility still holds under the base manifest: the listed user is still
 * listed, the team is still a listed team. Team membership itself cannot be re-checked here (it
 * was checked when the approval was recorded). An unrecognised reason does not hold.
 */
export function eligibilityHolds(
  manifest: Manifest,
  system: ResolvedSystem,
  approver: Actor,
  recorded: Eligibility,
): boolean {
  const owner = recorded.reason.match(/^governance owner \((.*)\)$/);
  const approvers = owner || system.pseudo ? manifest.governance.owners : system.approvers;
  const reason = owner?.[1] ?? recorded.reason;
  if (reason === "listed user") {
    const login = approver.login.toLowerCase();
    return approvers.users.some((u) => u.toLowerCase() === login);
  }
  const team = reason.match(/^member of (.+)$/)?.[1]?.toLowerCase();
  return team !== undefined && approvers.teams.some((t) => t.toLowerCase() === team);
}

/** Whether a recorded eligibility is a governance owner's. */
export function isOwnerEligibility(e: Eligibility): boolean {
  return e.reason.startsWith(OWNER_REASON_PREFIX);
}

/** The pseudo-system that gates changes to the manifest: approvers are the governance owners. */
function manifestPseudoSystem(manifest: Manifest): ResolvedSystem {
  return {
    id: MANIFEST_SYSTEM_ID,
    name: "Governance manifest",
    purpose: "Declares the AI systems, their tiers and who approves their changes",
    owner: "governance owners",
    lifecycle: "production",
    tier: "minimal",
    affectedParties: [],
    paths: {},
    assessmentRequired: false,
    evidence: {},
    requiredEvidence: [],
    updateOn: [],
    approvers: {
      teams: [...manifest.governance.owners.teams],
      users: [...manifest.governance.owners.users],
    },
    approvals: manifest.governance.approvals,
    blocked: false,
    pseudo: true,
  };
}

/** The resolved system for an affected id (the pseudo-system included), if the manifest has it. */
export function systemFor(manifest: Manifest, id: string): ResolvedSystem | undefined {
  if (id === MANIFEST_SYSTEM_ID) return manifestPseudoSystem(manifest);
  return manifest.systems.find((s) => s.id === id);
}

/**
 * Every eligibility an approver has for the affected systems: as a listed approver, and as a
 * governance owner for the manifest and for retired systems (which need the owners too).
 */
export function approverEligibilities(
  manifest: Manifest,
  affected: AffectedSystem[],
  approver: Actor,
  teamsOf: string[],
): Eligibility[] {
  const result: Eligibility[] = [];
  for (const a of affected) {
    const system = systemFor(manifest, a.id);
    if (!system) continue;
    const own = eligibility(system, approver, teamsOf);
    if (own) result.push(own);
    if (system.lifecycle === "retired" && !system.pseudo) {
      const owner = governanceEligibility(manifest, approver, teamsOf, system.id);
      if (owner) result.push(owner);
    }
  }
  return result;
}

/**
 * The systems one approval covers: every affected system the approver is eligible for, or only
 * those named (`/approve system-id …`) when names are given. Names of systems that are not
 * affected, or that the approver may not approve, are left out.
 */
export function resolveApprovalSystems(
  affected: AffectedSystem[],
  eligibilities: Eligibility[],
  namedSystems?: string[],
): Eligibility[] {
  const affectedIds = new Set(affected.map((a) => a.id));
  const named = namedSystems && namedSystems.length > 0 ? new Set(namedSystems) : undefined;
  const seen = new Set<string>();
  const result: Eligibility[] = [];
  for (const e of eligibilities) {
    if (!affectedIds.has(e.system)) continue;
    if (named && !named.has(e.system)) continue;
    const key = `${e.system}\u0000${e.reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(e);
  }
  return result;
}
