import type { z } from "zod";

/**
 * The words of every YAML and schema problem: sentences a person can act on, never the
 * parser's or zod's own wording.
 */

/** The per-parse zod error map: a sentence built from the issue, never zod's JSON. */
export function humanMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      if (issue.path === undefined || issue.path.length === 0) {
        return issue.input === undefined || issue.input === null
          ? `the file is empty: expected ${describeExpected(issue.expected)}`
          : `the file must be ${describeExpected(issue.expected)}, not ${describeValue(issue.input)}`;
      }
      if (issue.input === undefined) {
        const key = issue.path[issue.path.length - 1];
        return typeof key === "string"
          ? `missing required key "${key}"`
          : `expected ${describeExpected(issue.expected)}`;
      }
      return `expected ${describeExpected(issue.expected)}, got ${describeValue(issue.input)}`;
    case "invalid_value": {
      const values = issue.values.map((v) => String(v));
      if (values.length === 1) {
        return `expected ${values[0]}, got ${describeValue(issue.input)}`;
      }
      const suggestion =
        typeof issue.input === "string" ? closestMatch(issue.input, values) : undefined;
      const hint = suggestion !== undefined ? ` — did you mean "${suggestion}"?` : "";
      return `expected one of ${values.join(", ")}, got ${describeValue(issue.input)}${hint}`;
    }
    case "too_small":
      return `${tooSmallMessage(issue.origin, issue.minimum, issue.inclusive !== false)}${got(issue)}`;
    case "too_big":
      return `${tooBigMessage(issue.origin, issue.maximum, issue.inclusive !== false)}${got(issue)}`;
    case "invalid_format":
      if (issue.format === "date") return dateMessage(issue.input);
      if (issue.format === "regex" && issue.pattern !== undefined) {
        return `${describeValue(issue.input)} does not match the pattern ${issue.pattern}`;
      }
      return `${describeValue(issue.input)} is not a valid ${issue.format}`;
    case "invalid_key": {
      const inner = issue.issues
        .map((inner) => inner.message)
        .filter((m) => m !== "")
        .join("; ");
      return `invalid key ${describeValue(issue.input)}${inner ? `: ${inner}` : ""}`;
    }
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)}`;
    case "invalid_union":
      return `${describeValue(issue.input)} matches none of the allowed forms`;
    case "invalid_element":
      return `invalid value ${describeValue(issue.input)}`;
    case "custom":
      return "is not valid here";
    default:
      return undefined;
  }
}

const MONTH = new Intl.DateTimeFormat("en", { month: "long", timeZone: "UTC" });

/** Why a value is not a date: not written YYYY-MM-DD, or not a day the calendar has. */
function dateMessage(value: unknown): string {
  const written = "a date is written YYYY-MM-DD, e.g. 2026-10-01";
  const match = typeof value === "string" ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  if (!match) return written;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  if (month < 1 || month > 12) return `${value} is not a real date: the month is written 01 to 12`;
  const monthName = MONTH.format(Date.UTC(2000, month - 1, 1));
  // Day 0 of the next month is the last day of this one; setUTCFullYear keeps years below 100.
  const last = new Date(0);
  last.setUTCFullYear(year, month, 0);
  const days = last.getUTCDate();
  if (day === 0) return `${value} is not a real date: the day is written 01 to ${days}`;
  if (day > days) return `${value} is not a real date: ${monthName} ${match[1]} has ${days} days`;
  return written;
}

export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const suggestion = closestMatch(key, allowed);
  if (suggestion !== undefined) return `unknown key "${key}" — did you mean "${suggestion}"?`;
  if (allowed.length > 0) return `unknown key "${key}"; allowed keys are ${allowed.join(", ")}`;
  return `unknown key "${key}"`;
}

export function moreErrorsMessage(count: number): string {
  return `${count} more error${count === 1 ? "" : "s"} not shown: fix the ones above first`;
}

/** How a YAML value reads to the person who wrote it. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (typeof value === "string") {
    const quoted = JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    return quoted;
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return String(value);
  }
  if (Array.isArray(value)) return "a list";
  if (value instanceof Date) return "a timestamp";
  if (typeof value === "object") return "a mapping";
  return typeof value;
}

/** The candidate closest to `word` by edit distance, if it is close enough to be a likely typo. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(1, Math.floor(word.length / 3));
  if (best !== undefined && bestDistance <= tolerance) return best;
  // A truncated word ("prod" for "production") is as likely a slip as a typo.
  if (lower.length >= 3) {
    return candidates.find((candidate) => candidate.toLowerCase().startsWith(lower));
  }
  return undefined;
}

/** A key that appears twice in one mapping, read from the text at `offset`. */
export function duplicateKeyMessage(text: string, offset: number): string {
  const key = readKeyAt(text, offset);
  return `duplicate key ${JSON.stringify(key)}: a key may appear only once in a mapping`;
}

const CLOSER: Record<string, string> = { "[": "]", "{": "}", '"': '"', "'": "'" };
const WHAT: Record<string, string> = {
  "[": "the list",
  "{": "the mapping",
  '"': "the quoted text",
  "'": "the quoted text",
};

/** A `[`, `{`, `"` or `'` opened on `line` and never closed. */
export function unclosedMessage(opener: string, line: number): string {
  return `the ${inCode(opener)} opened on line ${line} is never closed: end ${WHAT[opener] ?? "it"} with ${inCode(CLOSER[opener] ?? opener)}`;
}

/** How many more brackets or quotes, opened inside the first one left open, are left open too. */
export function alsoOpen(count: number): string {
  if (count === 0) return "";
  return count === 1
    ? " (1 more opened after it is not closed either)"
    : ` (${count} more opened after it are not closed either)`;
}

/** A `[` or `{` whose content goes on to a line that is not indented past the opening line. */
export function underIndentedMessage(opener: string, line: number, continued: number): string {
  return `the ${inCode(opener)} opened on line ${line} goes on to line ${continued}, which must be indented further than line ${line}: indent the lines inside the brackets, or close ${WHAT[opener] ?? "it"} with ${inCode(CLOSER[opener] ?? opener)} on line ${line}`;
}

/** An alias (`*name`) with no anchor (`&name`) before it. */
export function unresolvedAliasMessage(name: string): string {
  return `the alias ${inCode(`*${name}`)} refers to no anchor ${inCode(`&${name}`)} before it: define the anchor first, or write the value out`;
}

export function tooManyAliasesMessage(limit: number): string {
  return `aliases expand to too many nodes (limit ${limit}): write the values out instead of nesting aliases`;
}

/** A document the parser could not read at all; nesting too deep for it is the known case. */
export function unreadableMessage(error: unknown): string {
  return error instanceof RangeError
    ? "the YAML is nested too deeply to read: flatten its lists and mappings"
    : `the YAML could not be read: ${errorText(error)}`;
}

/**
 * Any other YAML syntax error from the parser, in words; `found` is the text at the error.
 * The parser's message only tells its variants apart: it is never shown.
 */
export function syntaxMessage(error: { code: string; message: string }, found: string): string {
  const said = error.message;
  const here = found.trim() === "" ? "" : ` ${inCode(found.trim())}`;
  switch (error.code) {
    case "TAB_AS_INDENT":
      return "tabs are not allowed for indentation in YAML: indent with spaces";
    case "MULTIPLE_DOCS":
      return "the file holds more than one YAML document (a second '---'): keep a single document";
    case "BAD_INDENT":
      if (/flow/i.test(said)) {
        return "a list in `[ ]` or a mapping in `{ }` must end with `]` or `}`, and the lines that continue it must be indented further than the line that opens it";
      }
      if (/sequence/i.test(said)) {
        return "this list item does not line up with the items above it: start every `- ` of one list at the same column";
      }
      return "this line does not line up with the lines above it: the keys of one mapping start at the same column, and a list item needs `- ` in front of it";
    case "MISSING_CHAR":
      if (/quote/i.test(said))
        return "a quoted text is never closed: end it with the quote it starts with";
      if (/sequence item/i.test(said)) {
        return "a list item needs `- ` in front of it, at the same column as the other items";
      }
      if (/followed by map values/i.test(said)) {
        return "a key needs `: ` after it (`key: value`); a line of plain text is not allowed here";
      }
      if (/between/i.test(said)) return "the items inside `[ ]` or `{ }` are separated by commas";
      if (/space after :/i.test(said)) return "write a space after `:` between a key and its value";
      if (/comment/i.test(said)) {
        return "put a space before `#` to start a comment, or quote the value when `#` belongs to it";
      }
      if (/white space/i.test(said))
        return "put a space after an anchor (`&name`) or a tag (`!tag`)";
      if (/directive/i.test(said)) return "a `%` directive must be followed by a line `---`";
      return `something is missing before${here || " this point"}: check the quotes, the brackets and the \`: \` after each key`;
    case "BLOCK_AS_IMPLICIT_KEY":
      if (/sequence/i.test(said)) {
        return "a list (`- item`) cannot be used as a key: check the indentation of this line and the ones above it";
      }
      return "a value cannot hold `key: value` on the same line: quote the value when its `:` belongs to it, or put the nested mapping on its own lines, indented";
    case "MULTILINE_IMPLICIT_KEY":
      return "a key must fit on one line and be followed by `: ` (a colon and a space): check this line and the one after it";
    case "BLOCK_IN_FLOW":
      return "inside `[ ]` or `{ }`, items are separated by commas: `- item` and `key:` lines are not allowed there";
    case "BAD_SCALAR_START":
      return `a value cannot start with${here || " this character"} unless it is quoted: put the value in quotes`;
    case "BAD_DQ_ESCAPE":
      return `${here ? `${here.trim()} is` : "this is"} not an escape YAML knows in double quotes: write \`\\\\\` for a backslash, or use single quotes`;
    case "UNEXPECTED_TOKEN":
      if (found.trim() === ",") return "an empty item between two commas: remove one `,`";
      if (found.trim() === "]" || found.trim() === "}") {
        return `${inCode(found.trim())} closes nothing here: remove it, or add the opening ${found.trim() === "]" ? inCode("[") : inCode("{")}`;
      }
      return `unexpected${here || " text"} here: check the indentation, and that a list and a mapping do not share one level`;
    case "ALIAS_PROPS":
      return "an alias (`*name`) cannot carry its own anchor or tag";
    case "BAD_ALIAS":
      return "an anchor (`&name`) or an alias (`*name`) needs a name, and the name must not end with `:`";
    case "MULTIPLE_ANCHORS":
      return "a value can have only one anchor (`&name`)";
    case "MULTIPLE_TAGS":
      return "a value can have only one tag (`!tag`)";
    case "BAD_PROP_ORDER":
      return "write an anchor (`&name`) or a tag (`!tag`) after `-`, `?` or `:`, not before it";
    case "TAG_RESOLVE_FAILED":
    case "BAD_COLLECTION_TYPE":
      return "the value does not fit its tag (`!…`): remove the tag";
    case "RESOURCE_EXHAUSTION":
      return "the YAML is nested too deeply to read: flatten its lists and mappings";
    case "KEY_OVER_1024_CHARS":
      return "a key may be at most 1024 characters long";
    case "NON_STRING_KEY":
      return "a key must be text, not a list or a mapping";
    case "BAD_DIRECTIVE":
      return "this `%` directive is not one YAML 1.2 knows: remove it";
    default:
      return "this line cannot be read as YAML: check its indentation, its quotes and brackets, and the `: ` after each key";
  }
}

/** What an unexpected exception says, for the rare error that is no user's mistake. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function got(issue: { origin: string; input?: unknown }): string {
  return issue.origin === "number" || issue.origin === "int"
    ? `, got ${describeValue(issue.input)}`
    : "";
}

function tooSmallMessage(origin: string, minimum: number | bigint, inclusive: boolean): string {
  const n = inclusive ? Number(minimum) : Number(minimum) + 1;
  if (origin === "array" || origin === "set") {
    return n === 1 ? "must list at least one item" : `must list at least ${n} items`;
  }
  if (origin === "string") {
    return n === 1 ? "must not be empty" : `must be at least ${n} characters long`;
  }
  return inclusive ? `must be at least ${String(minimum)}` : `must be more than ${String(minimum)}`;
}

function tooBigMessage(origin: string, maximum: number | bigint, inclusive: boolean): string {
  const n = inclusive ? Number(maximum) : Number(maximum) - 1;
  if (origin === "array" || origin === "set") return `must list at most ${n} items`;
  if (origin === "string") return `must be at most ${n} characters long`;
  return inclusive ? `must be at most ${String(maximum)}` : `must be less than ${String(maximum)}`;
}

function describeExpected(expected: string): string {
  switch (expected) {
    case "string":
      return "text";
    case "number":
      return "a number";
    case "int":
      return "a whole number";
    case "boolean":
      return "true or false";
    case "array":
      return "a list";
    case "object":
    case "record":
      return "a mapping (key: value)";
    default:
      return expected;
  }
}

function readKeyAt(text: string, offset: number): string {
  const rest = text.slice(offset);
  const match = /^\s*("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^:\n]*)/.exec(rest);
  return (match?.[1] ?? "").trim().replace(/^(["'])(.*)\1$/, "$2");
}

/** A short piece of YAML in a message, in backticks (a code span in a check run). */
function inCode(text: string): string {
  const shown = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  return `\`${shown}\``;
}

/** Optimal string alignment distance: edits plus adjacent transpositions ("hihg" → "high" is 1). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i];
    if (row === undefined) continue;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      row[j] = best;
    }
  }
  return at(a.length, b.length);
}
