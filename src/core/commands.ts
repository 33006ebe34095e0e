/**
 * Comment commands (docs/policy.md#the-human-oversight-gate): `/approve [system…] [-- note]`, `/revoke [system…]`,
 * `/aigate recheck`, `/aigate request`. Parsing is strict because comment text is hostile input: a command counts
 * only at the very start of a line outside code blocks and quotes, lines and notes are bounded,
 * and anything that is not a system id is reported rather than guessed at.
 */

import { MAX_COMMENT_CHARS } from "./limits.js";

export type CommentCommand =
  | { kind: "approve"; systems: string[]; note?: string; line: number }
  | { kind: "revoke"; systems: string[]; line: number }
  | { kind: "recheck"; line: number }
  /** Ask the approvers for a review again, on purpose (docs/policy.md#review-requests). */
  | { kind: "request"; line: number };

export interface ParsedCommands {
  /** The approval command that counts: the first `/approve` or `/revoke` in the text. */
  decision?: Extract<CommentCommand, { kind: "approve" | "revoke" }>;
  recheck: boolean;
  /** `/aigate request`: ask the approvers for a review again. */
  request: boolean;
  /** Problems a person should be told about, each a full sentence. */
  problems: string[];
}

export const MAX_COMMAND_LINE_CHARS = 1_000;
export const MAX_NOTE_CHARS = 500;
const MAX_SYSTEMS = 50;

const SYSTEM_ID = /^(?:[a-z0-9][a-z0-9-]{0,99}|aigate:manifest)$/;
const COMMAND = /^\/(approve|revoke|aigate)(?=$|[ \t])(.*)$/;

/** Finds the commands in a comment or review body. Never throws. */
export function parseCommands(body: string | null | undefined): ParsedCommands {
  const result: ParsedCommands = { recheck: false, request: false, problems: [] };
  // Longer text cannot come from GitHub: it is ignored whole.
  if (!body || body.length > MAX_COMMENT_CHARS) return result;
  let fence: string | undefined;
  const lines = body.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? "";
    const fenceMark = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fenceMark) {
      if (fence === undefined) fence = fenceMark[0];
      else if (fenceMark[0] === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined || !line.startsWith("/")) continue;
    const match = COMMAND.exec(line.trimEnd());
    if (!match) continue;
    const lineNumber = index + 1;
    if (line.length > MAX_COMMAND_LINE_CHARS) {
      result.problems.push(
        `Line ${lineNumber}: a command line may be at most ${MAX_COMMAND_LINE_CHARS} characters; it was ignored.`,
      );
      continue;
    }
    const [, verb, rest = ""] = match;
    if (verb === "aigate") {
      if (rest.trim() === "recheck") result.recheck = true;
      else if (rest.trim() === "request") result.request = true;
      else
        result.problems.push(
          `Line ${lineNumber}: unknown command "/aigate${rest.slice(0, 40)}"; the commands are "/aigate recheck" and "/aigate request".`,
        );
      continue;
    }
    if (result.decision) {
      result.problems.push(
        `Line ${lineNumber}: only the first /approve or /revoke of a comment counts; this one was ignored.`,
      );
      continue;
    }
    const separator = rest.search(/(?:^|[ \t])--(?:$|[ \t])/);
    const idsText = separator === -1 ? rest : rest.slice(0, separator);
    const noteText = separator === -1 ? undefined : rest.slice(separator).replace(/^[ \t]*--/, "");
    const { systems, invalid } = splitSystems(idsText);
    if (invalid.length > 0) {
      result.problems.push(
        `Line ${lineNumber}: ${invalid.map((t) => `"${t}"`).join(", ")} ${invalid.length === 1 ? "is" : "are"} not a system id ` +
          "(lowercase letters, digits and '-'); nothing was recorded for this line.",
      );
      continue;
    }
    if (systems.length > MAX_SYSTEMS) {
      result.problems.push(
        `Line ${lineNumber}: name at most ${MAX_SYSTEMS} systems in one command.`,
      );
      continue;
    }
    if (verb === "approve") {
      const note = noteText?.trim();
      if (note !== undefined && note.length > MAX_NOTE_CHARS) {
        result.problems.push(
          `Line ${lineNumber}: the note after "--" may be at most ${MAX_NOTE_CHARS} characters.`,
        );
        continue;
      }
      result.decision = {
        kind: "approve",
        systems,
        line: lineNumber,
        ...(note ? { note } : {}),
      };
    } else {
      if (noteText !== undefined) {
        result.problems.push(`Line ${lineNumber}: /revoke takes no note; nothing was recorded.`);
        continue;
      }
      result.decision = { kind: "revoke", systems, line: lineNumber };
    }
  }
  return result;
}

function splitSystems(text: string): { systems: string[]; invalid: string[] } {
  const systems: string[] = [];
  const invalid: string[] = [];
  for (const token of text.split(/[ \t,]+/)) {
    if (token === "") continue;
    if (SYSTEM_ID.test(token)) {
      if (!systems.includes(token)) systems.push(token);
    } else invalid.push(token.length > 40 ? `${token.slice(0, 40)}…` : token);
  }
  return { systems, invalid };
}

/** System ids a command names that the manifest does not know, for the reply. */
export function unknownSystems(named: string[], known: Iterable<string>): string[] {
  const set = new Set(known);
  return named.filter((id) => !set.has(id));
}
