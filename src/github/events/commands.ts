/**
 * Who may command what, as the router applies it (docs/app.md#who-may-command-what): what a
 * comment or review text may spend, decided from the payload alone, before any API call.
 */
import { MARKER_PREFIX } from "../../core/attestation/comment.js";
import {
  type Commander,
  type CommandRights,
  commandRights,
  type WorkCommand,
} from "../../core/command-rights.js";
import { parseCommands } from "../../core/commands.js";

/** An event that cannot change a gate, and why (the Action says it; the App logs it). */
export interface Ignored {
  ignored: string;
  /** Commands dropped because the account may not ask for them (counted in the metrics). */
  dropped?: WorkCommand[];
}

const NO_RIGHTS: CommandRights = { work: [], dropped: [], answer: false, evaluate: false };

/**
 * What a comment or review text may spend, by who wrote it (docs/app.md#who-may-command-what):
 * a command that could not be read is answered, so nobody believes it was recorded — unless
 * the account has no association to the repository.
 */
export function rightsOf(
  body: string | null | undefined,
  commander: Commander,
  pullRequestAuthor: string | undefined,
): CommandRights {
  if (!body) return NO_RIGHTS;
  return commandRights(parseCommands(body), commander, pullRequestAuthor);
}

/** Whether any of the texts carries an attestation marker. */
export function carriesMarker(...bodies: (string | null | undefined)[]): boolean {
  return bodies.some((body) => !!body?.includes(MARKER_PREFIX));
}

/** Why a command for work was dropped, for the log. */
export function droppedWork(commander: Commander, dropped: WorkCommand[]): Ignored {
  const commands = dropped.map((kind) => `/aigate ${kind}`).join(" and ");
  const association = commander.association ?? "unknown";
  return {
    ignored: `@${commander.login} (association ${association}) may not ask for ${commands}: only an owner, member or collaborator of the repository or the pull request's author may; dropped`,
    dropped,
  };
}
