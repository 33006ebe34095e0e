/**
 * What aigate remembers of a pull request's review requests between events
 * (docs/app.md#review-requests): when, and by whom, each reviewer requested now was asked, and
 * the notes for the repository's owners (a request GitHub refused, a team whose members the
 * token cannot read) until they no longer hold. Pure: the door keeps the memory and reads the
 * timeline; this module decides what the memory becomes and what the check then says.
 */
import type { Actor, RequestedReviewer, ReviewRequestReport } from "../types.js";
import {
  approverSummary,
  type ReviewRequestEvent,
  type ReviewRequestInput,
  type ReviewRequestOutcome,
  type ReviewRequestPlan,
} from "./review-requests.js";

/**
 * When a reviewer requested now was asked (ISO-8601, as GitHub wrote it), and by whom: aigate
 * itself (`aigate`), the account GitHub names (`by`), or neither when GitHub does not say.
 */
export type AskedAt = NonNullable<RequestedReviewer["asked"]>;

/** A note for the repository's owners, kept until it no longer holds. */
export interface RequestNotes {
  /** The manifest (and policy and mode) the notes were met under: another one drops them all. */
  manifest: string;
  /** Requests GitHub refused, with its reason. */
  refused: Array<{ reviewers: string[]; reason: string }>;
  /** Approver teams of a system whose members the token could not read. */
  unreadable: Array<{ system: string; team: string }>;
}

/** What is remembered for one pull request. */
export interface RequestMemory {
  /** By reviewer key (`user:login`, `team:slug`, lowercase): when the current request was made. */
  asked: Record<string, AskedAt>;
  /**
   * Reviewers requested now whom the timeline, when read, showed no request for: their time is
   * unknown, and the timeline is not read again for them.
   */
  unknown?: string[];
  notes: RequestNotes;
}

/**
 * A reviewer's key: a login, or a team (`org/slug`, or a bare slug). GitHub requests only the
 * repository owner's teams, so the slug names one.
 */
export function reviewerKey(name: string): string {
  return name.includes("/") ? teamKey(name) : `user:${name.toLowerCase()}`;
}

/** A team's key, from `org/slug` or its slug. */
function teamKey(team: string): string {
  return `team:${(team.split("/").at(-1) ?? "").toLowerCase()}`;
}

function requestedKeys(requested: ReviewRequestInput["requested"]): Set<string> {
  return new Set([
    ...requested.users.map((u) => reviewerKey(u.login)),
    ...requested.teams.map((t) => teamKey(t)),
  ]);
}

/**
 * Whether the check needs the timeline to say when each reviewer requested now was asked: one
 * of them has no remembered time (a hand-made request, or a memory lost to a restart).
 */
export function needsTimeline(
  memory: RequestMemory | undefined,
  requested: ReviewRequestInput["requested"],
): boolean {
  const unknown = new Set(memory?.unknown ?? []);
  return [...requestedKeys(requested)].some(
    (key) => memory?.asked[key] === undefined && !unknown.has(key),
  );
}

/**
 * When each reviewer was last asked, from the timeline: a reviewer whose latest event is a
 * removal has no current request; aigate's own requests are told by the App that made them.
 */
export function askedFromTimeline(events: ReviewRequestEvent[]): Map<string, AskedAt> {
  const latest = new Map<string, ReviewRequestEvent>();
  for (const event of events) {
    const key =
      event.reviewer.kind === "user"
        ? reviewerKey(event.reviewer.login)
        : teamKey(event.reviewer.team);
    const seen = latest.get(key);
    if (!seen || seen.at <= event.at) latest.set(key, event);
  }
  const asked = new Map<string, AskedAt>();
  for (const [key, event] of latest) {
    if (event.kind !== "requested") continue;
    if (event.viaAigate) asked.set(key, { at: event.at, aigate: true });
    else if (event.actor) asked.set(key, { at: event.at, by: event.actor.login });
    else asked.set(key, { at: event.at });
  }
  return asked;
}

/** What this evaluation learnt, besides the pull request's facts. */
export interface RequestsLearnt {
  /** Identity of the manifest, organisation policy and mode in force. */
  manifest: string;
  /** The timeline's review request events, when this evaluation read them. */
  history?: ReviewRequestEvent[];
  plan?: ReviewRequestPlan;
  outcome?: ReviewRequestOutcome;
}

/**
 * The memory after this evaluation. Times: the timeline's when it was read (it is GitHub's
 * record), else what was remembered, for the reviewers requested now only; a reviewer aigate
 * just asked, the time GitHub gave its request. Notes: this evaluation's refusals and
 * unreadable teams replace earlier ones for the same reviewers; a note is dropped once the
 * manifest changed, its reviewer is requested or approved, or its system no longer waits.
 */
export function rememberRequests(
  previous: RequestMemory | undefined,
  input: Pick<ReviewRequestInput, "requested" | "oversight">,
  learnt: RequestsLearnt,
): RequestMemory {
  const current = requestedKeys(input.requested);
  const asked: Record<string, AskedAt> = {};
  let unknown: string[];
  if (learnt.history) {
    for (const [key, at] of askedFromTimeline(learnt.history)) {
      if (current.has(key)) asked[key] = at;
    }
    unknown = [...current].filter((key) => asked[key] === undefined);
  } else {
    for (const [key, at] of Object.entries(previous?.asked ?? {})) {
      if (current.has(key)) asked[key] = at;
    }
    unknown = (previous?.unknown ?? []).filter((key) => current.has(key));
  }
  const outcome = learnt.outcome;
  const refusedNow = new Set(
    (outcome?.refused ?? []).flatMap((r) => r.reviewers.map((n) => reviewerKey(n))),
  );
  const sentNow = new Set<string>();
  for (const sent of outcome?.sentAt ?? []) {
    for (const name of sent.reviewers) {
      const key = reviewerKey(name);
      if (refusedNow.has(key)) continue;
      sentNow.add(key);
      // GitHub leaves a reviewer requested already as is: that request keeps its time.
      if (!current.has(key)) asked[key] = { at: sent.at, aigate: true };
    }
  }

  const waiting = input.oversight.filter(
    (s) => s.status === "waiting" && s.counted.length < s.required,
  );
  const kept =
    previous && previous.notes.manifest === learnt.manifest
      ? previous.notes
      : { manifest: learnt.manifest, refused: [], unreadable: [] };
  const requestedNow = new Set([...current, ...sentNow]);
  const holds = (name: string): boolean => {
    const key = reviewerKey(name);
    if (requestedNow.has(key)) return false;
    if (key.startsWith("team:")) {
      return waiting.some((s) => s.eligible.teams.some((t) => reviewerKey(t) === key));
    }
    return waiting.some((s) => !s.counted.some((c) => reviewerKey(c.approver) === key));
  };
  const refused = [
    ...kept.refused.map((r) => ({
      reason: r.reason,
      reviewers: r.reviewers.filter((n) => !refusedNow.has(reviewerKey(n))),
    })),
    ...(outcome?.refused ?? []),
  ]
    .map((r) => ({ reviewers: r.reviewers.filter(holds), reason: r.reason }))
    .filter((r) => r.reviewers.length > 0);

  const readable = new Set((learnt.plan?.readableTeams ?? []).map(reviewerKey));
  const unreadable: RequestNotes["unreadable"] = [];
  const seen = new Set<string>();
  const fresh = (learnt.plan?.systems ?? []).flatMap((s) =>
    s.unreadableTeams.map((team) => ({ system: s.system, team })),
  );
  for (const note of [...kept.unreadable, ...fresh]) {
    const id = `${note.system}\n${reviewerKey(note.team)}`;
    if (seen.has(id) || readable.has(reviewerKey(note.team))) continue;
    const system = waiting.find((s) => s.system === note.system);
    if (!system?.eligible.teams.some((t) => reviewerKey(t) === reviewerKey(note.team))) continue;
    seen.add(id);
    unreadable.push(note);
  }
  const notes = { manifest: learnt.manifest, refused, unreadable };
  return unknown.length > 0 ? { asked, unknown, notes } : { asked, notes };
}

/**
 * The review requests as the oversight summary lists them: who is requested now (GitHub's
 * list, which every evaluation reads, and what this one asked), when and by whom each was
 * asked where that is known, who can still approve, and the notes for the owners that still
 * hold. Drawn from the memory as `rememberRequests` left it, so an event that asks no one
 * says the same.
 */
export function reviewRequestReport(
  input: ReviewRequestInput,
  plan: ReviewRequestPlan,
  memory: RequestMemory,
  outcome?: ReviewRequestOutcome,
): ReviewRequestReport {
  const refused = new Set(
    (outcome?.refused ?? []).flatMap((r) => r.reviewers.map((n) => reviewerKey(n))),
  );
  const requested = new Map<string, RequestedReviewer>();
  const add = (name: string, team: boolean): void => {
    const key = team ? teamKey(name) : reviewerKey(name);
    if (requested.has(key)) return;
    const entry: RequestedReviewer = { name, team };
    const asked = memory.asked[key];
    if (asked) entry.asked = asked;
    requested.set(key, entry);
  };
  // GitHub lists teams, then users: those asked now join the list as GitHub will show it.
  // A team as GitHub lists it: the repository owner's, by its lowercase slug.
  const owner = input.repository.split("/")[0] ?? "";
  const sentTeams = (outcome?.sent.teams ?? [])
    .filter((t) => !refused.has(reviewerKey(t)))
    .map((t) => `${owner}/${t.slice(t.indexOf("/") + 1).toLowerCase()}`);
  const sentUsers = (outcome?.sent.users ?? []).filter((u) => !refused.has(reviewerKey(u)));
  for (const team of [...input.requested.teams, ...sentTeams]) add(team, true);
  for (const login of [...input.requested.users.map((u: Actor) => u.login), ...sentUsers]) {
    add(login, false);
  }
  return {
    requested: [...requested.values()],
    systems: approverSummary(input).map((s) => ({
      ...s,
      unreadableTeams: memory.notes.unreadable
        .filter((n) => n.system === s.system)
        .map((n) => n.team),
    })),
    refused: memory.notes.refused,
    overflow: plan.overflow,
  };
}
