import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvCell } from "../../../src/core/report/csv.js";
import { escapeHtml } from "../../../src/core/report/html.js";

/** Reads one RFC 4180 field back: the oracle the properties compare against. */
function readField(cell: string): string {
  if (!cell.startsWith('"')) return cell;
  expect(cell.endsWith('"')).toBe(true);
  const inner = cell.slice(1, -1);
  expect(inner.replaceAll('""', "")).not.toContain('"');
  return inner.replaceAll('""', '"');
}

const text = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc
    .tuple(fc.constantFrom("=", "+", "-", "@", "\t", "\r", '"', ",", "\n", "<", "&"), fc.string())
    .map(([first, rest]) => first + rest),
);

describe("CSV cells, for any text", () => {
  it("read back as the text, with a ' in front exactly when it could start a formula", () => {
    fc.assert(
      fc.property(text, (value) => {
        const read = readField(csvCell(value));
        expect(read).toBe(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
      }),
      { numRuns: 2000 },
    );
  });

  it("never leave a separator, quote or line break outside quotes", () => {
    fc.assert(
      fc.property(text, (value) => {
        const cell = csvCell(value);
        if (!cell.startsWith('"')) expect(cell).not.toMatch(/[",\r\n]/);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("HTML escaping, for any text", () => {
  it("leaves no markup character and decodes back to the text", () => {
    fc.assert(
      fc.property(text, (value) => {
        const escaped = escapeHtml(value);
        expect(escaped).not.toMatch(/[<>"']/);
        expect(escaped.replaceAll(/&(?!amp;|lt;|gt;|quot;|#39;)/g, "")).toBe(escaped);
        const decoded = escaped
          .replaceAll("&lt;", "<")
          .replaceAll("&gt;", ">")
          .replaceAll("&quot;", '"')
          .replaceAll("&#39;", "'")
          .replaceAll("&amp;", "&");
        expect(decoded).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });
});
