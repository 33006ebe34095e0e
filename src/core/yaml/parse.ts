import {
  type Alias,
  type Document,
  isAlias,
  isScalar,
  LineCounter,
  parseDocument,
  visit,
  YAMLParseError,
} from "yaml";
import type { LocatedError } from "../errors.js";
import { fileError, position, type YamlSource } from "./locate.js";
import { tooManyAliasesMessage, unreadableMessage, unresolvedAliasMessage } from "./messages.js";
import { syntaxErrors } from "./syntax.js";

/**
 * YAML text → plain value, with every syntax problem as a `LocatedError` pointing at the
 * line and column a person has to edit. Nothing here throws: bad input comes back as errors.
 */

/** Larger files are refused before parsing: a governance file is never this big. */
export const MAX_YAML_CHARS = 1_048_576;
/** Alias expansions allowed when building the value; guards against "billion laughs". */
export const MAX_ALIAS_COUNT = 100;

export type YamlResult =
  | { ok: true; value: unknown; source: YamlSource }
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
      return { ok: false, errors: syntaxErrors(document.errors, text, file, lineCounter) };
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
      // Building the value fails on aliases: one with no anchor before it, or too many expansions.
      const unresolved = unresolvedAlias(document);
      const { line, column } = position(
        lineCounter,
        unresolved?.range?.[0] ?? firstAliasOffset(document),
      );
      const message = unresolved
        ? unresolvedAliasMessage(unresolved.source)
        : error instanceof ReferenceError && /alias/i.test(error.message)
          ? tooManyAliasesMessage(MAX_ALIAS_COUNT)
          : unreadableMessage(error);
      return { ok: false, errors: [{ file, line, column, field: "", message }] };
    }
  } catch (error) {
    return { ok: false, errors: [fileError(file, unreadableMessage(error), 1)] };
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

/** The first alias with no anchor of its name before it, as the library resolves aliases. */
function unresolvedAlias(document: Document): Alias | undefined {
  const anchors = new Set<string>();
  let found: Alias | undefined;
  visit(document, {
    Node(_key, node) {
      if (isAlias(node)) {
        if (!anchors.has(node.source)) {
          found = node;
          return visit.BREAK;
        }
      } else if (node.anchor) {
        anchors.add(node.anchor);
      }
      return undefined;
    },
  });
  return found;
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
