import type { CST, LineCounter, YAMLError } from "yaml";
import { Parser } from "yaml";
import type { LocatedError } from "../errors.js";
import { position, sortErrors } from "./locate.js";
import {
  alsoOpen,
  duplicateKeyMessage,
  syntaxMessage,
  unclosedMessage,
  underIndentedMessage,
} from "./messages.js";

/**
 * YAML syntax errors as located errors a person can act on. The parser reports where it gave
 * up, which for a bracket or quote left open is lines later; the construct left open is found
 * in the parser's token tree and reported where it opens.
 */
export function syntaxErrors(
  errors: readonly YAMLError[],
  text: string,
  file: string,
  lineCounter: LineCounter,
): LocatedError[] {
  const at = (offset: number, message: string): LocatedError => ({
    file,
    ...position(lineCounter, offset),
    field: "",
    message,
  });
  // Every duplicate key is its own mistake; after any other syntax error the parser's further
  // complaints are mostly echoes of the first, so only the cause is reported.
  const duplicates = errors
    .filter((error) => error.code === "DUPLICATE_KEY")
    .map((error) => at(error.pos[0], duplicateKeyMessage(text, error.pos[0])));
  // Of several complaints at one place, a vague one ("keys fit on one line") comes last.
  const others = errors
    .filter((error) => error.code !== "DUPLICATE_KEY")
    .sort((a, b) => a.pos[0] - b.pos[0] || vagueness(a) - vagueness(b));
  const first = others[0];
  if (first === undefined) return sortErrors(duplicates);
  // What is left open nests: each one opened after the first is inside it, and the first is
  // where that mistake began. A complaint before it is a mistake of its own, and comes first.
  const [outermost, ...inside] = openConstructs(
    text,
    lineCounter,
    others.map((error) => error.pos[0]),
  ).sort((a, b) => a.offset - b.offset);
  const cause =
    outermost && outermost.offset <= first.pos[0]
      ? at(outermost.offset, `${outermost.message}${alsoOpen(inside.length)}`)
      : at(first.pos[0], syntaxMessage(first, foundAt(text, first)));
  return sortErrors([cause, ...duplicates]);
}

function vagueness(error: YAMLError): number {
  return error.code === "MULTILINE_IMPLICIT_KEY" ? 1 : 0;
}

/** The text an error points at; an escape is its backslash and the character after it. */
function foundAt(text: string, error: YAMLError): string {
  const [start, end] = error.pos;
  return text.slice(start, error.code === "BAD_DQ_ESCAPE" ? Math.max(end, start + 2) : end);
}

/**
 * Brackets and quotes opened and never closed, each with where it opens and what to do.
 * `giveUps` are the offsets where the parser reported errors, ascending: the first one after a bracket
 * is where the parser stopped reading inside it.
 */
function openConstructs(
  text: string,
  lineCounter: LineCounter,
  giveUps: readonly number[],
): { offset: number; message: string }[] {
  const found: { offset: number; message: string }[] = [];
  const lineOf = (offset: number) => position(lineCounter, offset).line;
  // Iterative: a document can nest brackets deeper than the call stack.
  const pending: unknown[] = [...new Parser().parse(text)];
  while (pending.length > 0) {
    const token = pending.pop();
    if (!isToken(token)) continue;
    switch (token.type) {
      case "document":
        pending.push(token.value);
        break;
      case "block-map":
      case "block-seq":
      case "flow-collection":
        for (const item of token.items) pending.push(item.key, item.value);
        if (token.type === "flow-collection" && !closes(token)) {
          const opener = token.start.source;
          const line = lineOf(token.offset);
          const after = firstAfter(giveUps, token.offset) ?? text.length;
          const continued = lineOf(after);
          const closer = opener === "[" ? "]" : "}";
          found.push({
            offset: token.offset,
            message:
              after < text.length && continued > line && lineText(text, after).includes(closer)
                ? underIndentedMessage(opener, line, continued)
                : unclosedMessage(opener, line),
          });
        }
        break;
      case "double-quoted-scalar":
        if (!/^"(?:[^"\\]|\\[\s\S])*"$/.test(token.source)) {
          found.push({ offset: token.offset, message: unclosedMessage('"', lineOf(token.offset)) });
        }
        break;
      case "single-quoted-scalar":
        if (!/^'(?:[^']|'')*'$/.test(token.source)) {
          found.push({ offset: token.offset, message: unclosedMessage("'", lineOf(token.offset)) });
        }
        break;
      default:
        break;
    }
  }
  return found;
}

/** The first of the ascending `offsets` after `offset`. */
function firstAfter(offsets: readonly number[], offset: number): number | undefined {
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((offsets[mid] ?? Number.POSITIVE_INFINITY) > offset) high = mid;
    else low = mid + 1;
  }
  return offsets[low];
}

function isToken(value: unknown): value is CST.Token {
  return typeof value === "object" && value !== null && "type" in value;
}

function closes(collection: CST.FlowCollection): boolean {
  return collection.end.some((t) => t.type === "flow-seq-end" || t.type === "flow-map-end");
}

function lineText(text: string, offset: number): string {
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  const end = text.indexOf("\n", offset);
  return text.slice(start, end === -1 ? text.length : end);
}
