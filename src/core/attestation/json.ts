/**
 * The two JSON rules of signed statements: one way to write (canonical bytes, signed once)
 * and one strict way to read (duplicate keys rejected at any depth, because `JSON.parse`
 * silently keeps the last of two equal keys and a verifier must never see a different
 * document than the signer meant).
 */

/** A JSON value with object keys sorted by UTF-16 code unit, recursively. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) sorted[key] = sortKeys(child);
    }
    return sorted;
  }
  return value;
}

/**
 * Canonical JSON: keys sorted by UTF-16 code unit at every depth, no whitespace,
 * strings and numbers as `JSON.stringify` writes them. Undefined members are dropped.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

export type StrictJsonResult = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * Parses JSON text and rejects a document in which any object repeats a key (compared after
 * unescaping, so `"a"` and `"\u0061"` are the same key). Never throws.
 */
export function parseStrictJson(text: string): StrictJsonResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not valid JSON (${(error as Error).message})` };
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    return { ok: false, reason: `duplicate JSON key ${JSON.stringify(duplicate)}` };
  }
  return { ok: true, value };
}

interface ObjectFrame {
  keys: Set<string>;
  expectKey: boolean;
}

/**
 * Scans text that `JSON.parse` has already accepted, so only the token structure matters:
 * strings, braces, brackets, commas. Iterative, so nesting depth cannot overflow the stack.
 */
function findDuplicateKey(text: string): string | undefined {
  // `null` marks an array frame.
  const stack: Array<ObjectFrame | null> = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      let escaped = false;
      while (end < text.length && text[end] !== '"') {
        if (text[end] === "\\") {
          escaped = true;
          end += 2;
        } else end += 1;
      }
      const top = stack[stack.length - 1];
      if (top?.expectKey) {
        // Only a key with escapes needs unescaping before it is compared.
        const key = escaped
          ? (JSON.parse(text.slice(i, end + 1)) as string)
          : text.slice(i + 1, end);
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if (c === "{") stack.push({ keys: new Set(), expectKey: true });
    else if (c === "[") stack.push(null);
    else if (c === "}" || c === "]") stack.pop();
    else if (c === ",") {
      const top = stack[stack.length - 1];
      if (top) top.expectKey = true;
    }
    i++;
  }
  return undefined;
}
