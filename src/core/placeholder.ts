import { isMap, isScalar, isSeq } from "yaml";
import type { LocatedError } from "./errors.js";
import { errorAt, type PathSegment, parseYaml, type YamlSource } from "./yaml/index.js";

/**
 * What `aigate init --scan` cannot know (a tier, an owner, approvers) it writes as a
 * placeholder: a value that starts with this mark and says what to fill in. Every door rejects
 * a file that still holds one, so a placeholder never passes silently (docs/cli.md).
 */
export const PLACEHOLDER_MARK = "FILL-IN:";

const PLACEHOLDER_MESSAGE = "a placeholder left by aigate init";

/** Whether a located error is about a placeholder (left on purpose by a scaffold). */
export function isPlaceholderError(error: LocatedError): boolean {
  return error.message.startsWith(PLACEHOLDER_MESSAGE);
}

/** The placeholder for a value a person must give, saying what it is. */
export function placeholder(what: string): string {
  return `${PLACEHOLDER_MARK} ${what}`;
}

/** Every placeholder left in a YAML file, located at its value; none when the file cannot be parsed. */
export function placeholderErrors(text: string, file: string): LocatedError[] {
  if (typeof text !== "string" || !text.includes(PLACEHOLDER_MARK)) return [];
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return [];
  const errors: LocatedError[] = [];
  walk(parsed.source, parsed.source.document.contents, [], errors);
  return errors;
}

/**
 * Placeholder errors beside the other errors of the same file, without the schema's complaints
 * about the placeholders themselves ("expected one of …" for a placeholder tier): the
 * placeholder says better what to do.
 */
export function withPlaceholders(
  placeholders: readonly LocatedError[],
  errors: readonly LocatedError[],
): LocatedError[] {
  if (placeholders.length === 0) return [...errors];
  const fields = placeholders.map((p) => p.field);
  const others = errors.filter(
    (e) =>
      !fields.some(
        (f) => e.field === f || e.field.startsWith(`${f}.`) || e.field.startsWith(`${f}[`),
      ),
  );
  return [...placeholders, ...others].sort((a, b) => a.line - b.line || a.column - b.column);
}

function walk(
  source: YamlSource,
  node: unknown,
  path: PathSegment[],
  errors: LocatedError[],
): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key !== undefined) walk(source, pair.value, [...path, key], errors);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      walk(source, item, [...path, index], errors);
    });
  } else if (isScalar(node) && typeof node.value === "string") {
    const value = node.value.trim();
    if (!value.startsWith(PLACEHOLDER_MARK)) return;
    const what = value.slice(PLACEHOLDER_MARK.length).trim();
    errors.push(errorAt(source, path, `${PLACEHOLDER_MESSAGE}: fill in ${what || "this value"}`));
  }
}
