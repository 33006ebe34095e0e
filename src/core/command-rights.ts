/**
 * Who may command what (docs/app.md#who-may-command-what). A comment command costs aigate
 * GitHub requests, and an answer costs a write from the installation's budget, so the account's
 * relationship to the repository (GitHub's `author_association`) decides what a command may
 * spend:
 *
 * - commands that ask for work (`/aigate recheck`, `/aigate request`) are honoured only from an
 *   owner, member or collaborator of the repository, or the pull request's author;
 * - `/approve` and `/revoke` are always evaluated — the manifest, not GitHub, decides who is an
 *   eligible approver — but a refusal is answered only to an account with an association to the
 *   repository (it has committed to it, or may write to it) or the pull request's author.
 *
 * Pure: the doors pass the association GitHub sent with the comment.
 */
import type { ParsedCommands } from "./commands.js";

/** Every `author_association` GitHub documents, in its order. */
export const AUTHOR_ASSOCIATIONS = [
  "COLLABORATOR",
  "CONTRIBUTOR",
  "FIRST_TIMER",
  "FIRST_TIME_CONTRIBUTOR",
  "MANNEQUIN",
  "MEMBER",
  "NONE",
  "OWNER",
] as const;

export type AuthorAssociation = (typeof AUTHOR_ASSOCIATIONS)[number];

/** May ask for work: they can write to the repository, or own it. */
const TRUSTED: ReadonlySet<string> = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);
/** Answered: the trusted, and those who have committed to the repository. */
const ANSWERED: ReadonlySet<string> = new Set([...TRUSTED, "CONTRIBUTOR"]);

/** The command kinds that ask aigate for work rather than record a decision. */
export const WORK_COMMANDS = ["recheck", "request"] as const;
export type WorkCommand = (typeof WORK_COMMANDS)[number];

/** Who wrote a command: the comment's author and the association GitHub sent with it. */
export interface Commander {
  login: string;
  /** `author_association` as GitHub sent it; absent when the door does not know it. */
  association?: string | undefined;
}

function isAuthor(commander: Commander, pullRequestAuthor: string | undefined): boolean {
  return (
    pullRequestAuthor !== undefined &&
    commander.login.toLowerCase() === pullRequestAuthor.toLowerCase()
  );
}

/** Whether the account may ask for work (`/aigate recheck`, `/aigate request`). */
export function mayAskForWork(commander: Commander, pullRequestAuthor?: string): boolean {
  if (isAuthor(commander, pullRequestAuthor)) return true;
  return commander.association !== undefined && TRUSTED.has(commander.association);
}

/**
 * Whether a refusal or an unreadable command of this account is answered on the pull request.
 * A door that does not know the association answers, as before the rule.
 */
export function answersTo(commander: Commander, pullRequestAuthor?: string): boolean {
  if (commander.association === undefined || isAuthor(commander, pullRequestAuthor)) return true;
  return ANSWERED.has(commander.association);
}

/** What a comment's commands may spend, decided before any request is made. */
export interface CommandRights {
  /** The work commands the comment asks for and the account may ask for. */
  work: WorkCommand[];
  /** The work commands dropped because the account may not ask for them. */
  dropped: WorkCommand[];
  /** Whether a refusal or an unreadable line of the comment may be answered. */
  answer: boolean;
  /**
   * Whether the comment needs a reconcile at all: a decision to evaluate, honoured work, or
   * lines to answer. False means it is dropped before any API call.
   */
  evaluate: boolean;
}

/** The work commands a parsed comment asks for (`request` once the parser knows it). */
export function workAsked(parsed: ParsedCommands & Partial<Record<WorkCommand, unknown>>) {
  return WORK_COMMANDS.filter((kind) => Boolean(parsed[kind]));
}

/** Applies the rule to one comment's commands. */
export function commandRights(
  parsed: ParsedCommands & Partial<Record<WorkCommand, unknown>>,
  commander: Commander,
  pullRequestAuthor?: string,
): CommandRights {
  const asked = workAsked(parsed);
  const trusted = mayAskForWork(commander, pullRequestAuthor);
  const work = trusted ? asked : [];
  const dropped = trusted ? [] : asked;
  const answer = answersTo(commander, pullRequestAuthor);
  const evaluate =
    parsed.decision !== undefined || work.length > 0 || (answer && parsed.problems.length > 0);
  return { work, dropped, answer, evaluate };
}
