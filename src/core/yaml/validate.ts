import type { z } from "zod";
import type { LocatedError } from "../errors.js";
import {
  errorAt,
  fileError,
  isPathSegment,
  pathKey,
  sortErrors,
  type YamlSource,
} from "./locate.js";
import { errorText, humanMessage, moreErrorsMessage, unknownKeyMessage } from "./messages.js";
import { parseYaml } from "./parse.js";

/** Errors reported for one file; past this, a count. Nobody fixes a thousand at once. */
export const MAX_REPORTED_ERRORS = 100;

export type ValidatedYaml<T> =
  | { ok: true; value: T; source: YamlSource }
  | { ok: false; errors: LocatedError[] };

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

/**
 * Turns zod issues into located errors: one per problem, at the node of the issue's
 * path (the nearest existing parent for a missing key; the key itself for an unknown
 * or invalid key), sorted by position. `allowedKeys` (by `pathKey` of the object)
 * lets an unknown key suggest the closest allowed one.
 */
function zodIssuesToErrors(
  issues: readonly z.core.$ZodIssue[],
  source: YamlSource,
  allowedKeys: ReadonlyMap<string, readonly string[]>,
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

function moreErrors(file: string, count: number): LocatedError {
  return { file, line: 0, column: 0, field: "", message: moreErrorsMessage(count) };
}

function shapeKeys(schema: unknown): string[] {
  const def = (schema as { _zod?: { def?: { shape?: unknown } } } | undefined)?._zod?.def;
  const shape = def?.shape;
  return shape !== null && typeof shape === "object" ? Object.keys(shape) : [];
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
