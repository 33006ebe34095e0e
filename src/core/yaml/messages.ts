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
      if (issue.format === "date") return "a date is written YYYY-MM-DD, e.g. 2026-10-01";
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

/** A YAML syntax error from the parser, in words. */
export function yamlErrorMessage(
  error: { code: string; message: string; pos: [number, number] },
  text: string,
): string {
  switch (error.code) {
    case "DUPLICATE_KEY": {
      const key = readKeyAt(text, error.pos[0]);
      return `duplicate key ${JSON.stringify(key)}: a key may appear only once in a mapping`;
    }
    case "TAB_AS_INDENT":
      return "tabs are not allowed for indentation in YAML: indent with spaces";
    case "MULTIPLE_DOCS":
      return "the file holds more than one YAML document (a second '---'): keep a single document";
    case "ALIAS_PROPS":
    case "BAD_ALIAS":
      return `invalid alias: ${lowerFirst(error.message)}`;
    default:
      return `invalid YAML: ${lowerFirst(error.message)}`;
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

function lowerFirst(text: string): string {
  return text.length > 0 ? text[0]?.toLowerCase() + text.slice(1) : text;
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
