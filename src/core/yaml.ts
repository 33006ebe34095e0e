import {
  type Document,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
  YAMLParseError,
} from "yaml";
import type { z } from "zod";
import type { LocatedError } from "./types.js";

/**
 * YAML text → plain value, and every problem with it (syntax, schema, cross-field)
 * → a `LocatedError` pointing at the line and column a person has to edit.
 * Nothing here throws: bad input of any kind comes back as errors.
 */

/** Larger files are refused before parsing: a governance file is never this big. */
export const MAX_YAML_CHARS = 1_048_576;
/** Alias expansions allowed when building the value; guards against "billion laughs". */
export const MAX_ALIAS_COUNT = 100;
/** Errors reported for one file; past this, a count. Nobody fixes a thousand at once. */
export const MAX_REPORTED_ERRORS = 100;

/** A parsed YAML document with what is needed to locate a path in it. */
export interface YamlSource {
  file: string;
  document: Document;
  lineCounter: LineCounter;
}

export type PathSegment = string | number;

export type YamlResult =
  | { ok: true; value: unknown; source: YamlSource }
  | { ok: false; errors: LocatedError[] };

export type ValidatedYaml<T> =
  | { ok: true; value: T; source: YamlSource }
  | { ok: false; errors: LocatedError[] };

/** Parses one YAML 1.2 document; syntax errors, duplicate keys and alias bombs become located errors. */
export function parseYaml(text: string, file: string): YamlResult {
  if (typeof text !== "string") {
    return { ok: false, errors: [fileError(file, "the file could not be read as text")] };
  }
  if (text.length > MAX_YAML_CHARS) {
    return {
      ok: false,
      errors: [
        fileError(
          file,
          `the file has ${text.length} characters, more than the limit of ${MAX_YAML_CHARS}`,
        ),
      ],
    };
  }
  try {
    const lineCounter = new LineCounter();
    const document = parseDocument(text, {
      lineCounter,
      // The library's own check compares every pair of keys (quadratic in a mapping's
      // size); `duplicateKeyErrors` does the same job in linear time.
      uniqueKeys: false,
      prettyErrors: false,
      version: "1.2",
      strict: true,
      // Collection keys are stringified (and then rejected by the schema): no process warning.
      logLevel: "error",
    });
    const source: YamlSource = { file, document, lineCounter };
    if (document.errors.length === 0) document.errors.push(...duplicateKeyErrors(document));
    if (document.errors.length > 0) {
      const located = sortErrors(
        document.errors.map((error) => {
          const { line, column } = position(source, error.pos[0]);
          return { file, line, column, field: "", message: yamlErrorMessage(error, text) };
        }),
      );
      return { ok: false, errors: firstSyntaxError(document.errors, located) };
    }
    if (document.directives?.yaml.version !== "1.2") {
      return {
        ok: false,
        errors: [
          {
            file,
            line: 1,
            column: 1,
            field: "",
            message: "only YAML 1.2 is supported: remove the %YAML directive",
          },
        ],
      };
    }
    try {
      const value: unknown = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      return { ok: true, value, source };
    } catch (error) {
      const at = firstAliasOffset(document);
      const { line, column } = position(source, at);
      const message =
        error instanceof ReferenceError && /alias/i.test(error.message)
          ? `aliases expand to too many nodes (limit ${MAX_ALIAS_COUNT}): write the values out instead of nesting aliases`
          : `the YAML could not be read: ${errorText(error)}`;
      return { ok: false, errors: [{ file, line, column, field: "", message }] };
    }
  } catch (error) {
    return {
      ok: false,
      errors: [fileError(file, `the YAML could not be read: ${errorText(error)}`, 1)],
    };
  }
}

/**
 * Parses YAML text and validates it against a zod schema. Schema issues are
 * located in the document and phrased for people (see `zodIssuesToErrors`).
 */
export function validateYaml<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
): ValidatedYaml<z.output<S>> {
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return parsed;
  const allowedKeys = new Map<string, string[]>();
  try {
    const result = schema.safeParse(parsed.value, {
      error: (issue) => {
        if (issue.code === "unrecognized_keys") {
          allowedKeys.set(pathKey(issue.path ?? []), shapeKeys(issue.inst));
        }
        return humanMessage(issue);
      },
    });
    if (result.success) return { ok: true, value: result.data, source: parsed.source };
    return {
      ok: false,
      errors: zodIssuesToErrors(result.error.issues, parsed.source, allowedKeys),
    };
  } catch (error) {
    return {
      ok: false,
      errors: [fileError(file, `the document could not be validated: ${errorText(error)}`, 1)],
    };
  }
}

/**
 * Turns zod issues into located errors: one per problem, at the node of the issue's
 * path (the nearest existing parent for a missing key; the key itself for an unknown
 * or invalid key), sorted by position. `allowedKeys` (by `pathKey` of the object)
 * lets an unknown key suggest the closest allowed one.
 */
export function zodIssuesToErrors(
  issues: readonly z.core.$ZodIssue[],
  source: YamlSource,
  allowedKeys: ReadonlyMap<string, readonly string[]> = new Map(),
): LocatedError[] {
  const errors: LocatedError[] = [];
  let unreported = 0;
  for (const issue of issues) {
    const path = issue.path.filter(isPathSegment);
    if (issue.code === "unrecognized_keys") {
      const allowed = allowedKeys.get(pathKey(path)) ?? [];
      for (const key of issue.keys) {
        if (errors.length >= MAX_REPORTED_ERRORS) unreported++;
        else errors.push(errorAt(source, [...path, key], unknownKeyMessage(key, allowed), "key"));
      }
    } else if (errors.length >= MAX_REPORTED_ERRORS) {
      unreported++;
    } else if (issue.code === "invalid_key") {
      errors.push(errorAt(source, path, issue.message, "key"));
    } else {
      errors.push(errorAt(source, path, issue.message));
    }
  }
  const located = sortErrors(dedupe(errors));
  return unreported > 0 ? [...located, moreErrors(source.file, unreported)] : located;
}

/**
 * Sorts errors by position and keeps the first `MAX_REPORTED_ERRORS`, ending with a
 * count of the rest, so that a pathological file cannot flood a check run or a terminal.
 */
export function limitErrors(errors: LocatedError[]): LocatedError[] {
  const sorted = sortErrors(errors);
  if (sorted.length <= MAX_REPORTED_ERRORS) return sorted;
  const file = sorted[0]?.file ?? "";
  const shown = sorted.slice(0, MAX_REPORTED_ERRORS);
  return [...shown, moreErrors(file, sorted.length - shown.length)];
}

function moreErrors(file: string, count: number): LocatedError {
  return {
    file,
    line: 0,
    column: 0,
    field: "",
    message: `${count} more error${count === 1 ? "" : "s"} not shown: fix the ones above first`,
  };
}

/** A located error at `path`: the value (or, with `target: "key"`, the key) or its nearest existing parent. */
export function errorAt(
  source: YamlSource,
  path: readonly PathSegment[],
  message: string,
  target: "value" | "key" = "value",
): LocatedError {
  const { line, column } = locate(source, path, target);
  return { file: source.file, line, column, field: formatField(path), message };
}

/** Line and column (1-based) of the node at `path`, falling back to the nearest existing parent. */
export function locate(
  source: YamlSource,
  path: readonly PathSegment[],
  target: "value" | "key" = "value",
): { line: number; column: number } {
  let node: unknown = source.document.contents;
  let offset = rangeStart(node) ?? 0;
  for (let index = 0; index < path.length; index++) {
    const segment = path[index];
    if (isAlias(node)) node = node.resolve(source.document);
    let next: unknown;
    let keyOffset: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(segment));
      if (pair === undefined) break;
      keyOffset = rangeStart(pair.key);
      next = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      next = node.items[segment];
      if (next === undefined) break;
    } else {
      break;
    }
    if (index === path.length - 1 && target === "key" && keyOffset !== undefined) {
      offset = keyOffset;
      break;
    }
    const valueOffset = rangeStart(next);
    if (valueOffset === undefined || isEmptyScalar(next)) {
      // `key:` with nothing after it: the key is what a person sees.
      offset = keyOffset ?? offset;
      if (valueOffset === undefined) break;
    } else {
      offset = valueOffset;
    }
    node = next;
  }
  return position(source, offset);
}

/** `["systems", 0, "tier"]` → `systems[0].tier`. */
export function formatField(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
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

function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const suggestion = closestMatch(key, allowed);
  if (suggestion !== undefined) return `unknown key "${key}" — did you mean "${suggestion}"?`;
  if (allowed.length > 0) return `unknown key "${key}"; allowed keys are ${allowed.join(", ")}`;
  return `unknown key "${key}"`;
}

/** The per-parse zod error map: a sentence built from the issue, never zod's JSON. */
function humanMessage(issue: z.core.$ZodRawIssue): string | undefined {
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

function yamlErrorMessage(
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

/**
 * A key repeated in a mapping, as the parser's `uniqueKeys` would report it. Keys are
 * compared as the plain value sees them (`1` and `"1"` are the same key there).
 */
function duplicateKeyErrors(document: Document): YAMLParseError[] {
  const errors: YAMLParseError[] = [];
  visit(document, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (seen.has(key)) {
          const start = pair.key.range?.[0] ?? 0;
          errors.push(
            new YAMLParseError([start, start + 1], "DUPLICATE_KEY", "Map keys must be unique"),
          );
        }
        seen.add(key);
      }
    },
  });
  return errors;
}

/**
 * Every duplicate key is its own mistake, but after any other syntax error the parser's
 * further complaints are mostly echoes of the first: report that one only.
 */
function firstSyntaxError(
  raw: readonly { code: string }[],
  located: LocatedError[],
): LocatedError[] {
  if (raw.every((error) => error.code === "DUPLICATE_KEY")) return located;
  const first = located.find((error) => !error.message.startsWith("duplicate key"));
  return located.filter((error) => error === first || error.message.startsWith("duplicate key"));
}

function readKeyAt(text: string, offset: number): string {
  const rest = text.slice(offset);
  const match = /^\s*("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^:\n]*)/.exec(rest);
  return (match?.[1] ?? "").trim().replace(/^(["'])(.*)\1$/, "$2");
}

function lowerFirst(text: string): string {
  return text.length > 0 ? text[0]?.toLowerCase() + text.slice(1) : text;
}

function fileError(file: string, message: string, line = 0): LocatedError {
  return { file, line, column: line > 0 ? 1 : 0, field: "", message };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function position(source: YamlSource, offset: number): { line: number; column: number } {
  const { line, col } = source.lineCounter.linePos(Math.max(0, offset));
  return { line: Math.max(1, line), column: Math.max(1, col) };
}

function rangeStart(node: unknown): number | undefined {
  if (!isNode(node)) return undefined;
  const range = (node as Node).range;
  return range ? range[0] : undefined;
}

function isEmptyScalar(node: unknown): boolean {
  if (!isScalar(node) || node.value !== null) return false;
  const range = node.range;
  return range !== undefined && range !== null && range[0] === range[1];
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function firstAliasOffset(document: Document): number {
  let offset: number | undefined;
  visit(document, {
    Alias(_key, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset ?? 0;
}

function shapeKeys(schema: unknown): string[] {
  const def = (schema as { _zod?: { def?: { shape?: unknown } } } | undefined)?._zod?.def;
  const shape = def?.shape;
  return shape !== null && typeof shape === "object" ? Object.keys(shape) : [];
}

/** A stable key for a path, used to match issues to the object they came from. */
export function pathKey(path: readonly PropertyKey[]): string {
  return JSON.stringify(path.filter(isPathSegment));
}

function isPathSegment(segment: PropertyKey): segment is PathSegment {
  return typeof segment === "string" || typeof segment === "number";
}

function sortErrors(errors: LocatedError[]): LocatedError[] {
  return errors.sort((a, b) => a.line - b.line || a.column - b.column);
}

function dedupe(errors: LocatedError[]): LocatedError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.line}:${error.column}:${error.field}:${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
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
