import type { Document } from "yaml";
import { isAlias, isMap, isNode, isScalar, isSeq, type LineCounter, type Node } from "yaml";
import type { LocatedError } from "../errors.js";

/** A parsed YAML document with what is needed to locate a path in it. */
export interface YamlSource {
  file: string;
  document: Document;
  lineCounter: LineCounter;
}

export type PathSegment = string | number;

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
  return position(source.lineCounter, offset);
}

/** Line and column (1-based) of a character offset. */
export function position(
  lineCounter: LineCounter,
  offset: number,
): { line: number; column: number } {
  const { line, col } = lineCounter.linePos(Math.max(0, offset));
  return { line: Math.max(1, line), column: Math.max(1, col) };
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

/** A stable key for a path, used to match issues to the object they came from. */
export function pathKey(path: readonly PropertyKey[]): string {
  return JSON.stringify(path.filter(isPathSegment));
}

export function isPathSegment(segment: PropertyKey): segment is PathSegment {
  return typeof segment === "string" || typeof segment === "number";
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

/** An error about the whole file (line 0), or about its first line. */
export function fileError(file: string, message: string, line = 0): LocatedError {
  return { file, line, column: line > 0 ? 1 : 0, field: "", message };
}

/** Errors in reading order. */
export function sortErrors(errors: LocatedError[]): LocatedError[] {
  return errors.sort((a, b) => a.line - b.line || a.column - b.column);
}
