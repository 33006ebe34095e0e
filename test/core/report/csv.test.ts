import { describe, expect, it } from "vitest";
import { csvCell, csvDocument } from "../../../src/core/report/csv.js";

describe("CSV cells: RFC 4180 quoting", () => {
  it("leaves a plain value as it is", () => {
    expect(csvCell("AI governance: risk assessment")).toBe("AI governance: risk assessment");
    expect(csvCell(42)).toBe("42");
  });

  it("writes null as an empty cell", () => {
    expect(csvCell(null)).toBe("");
  });

  it.each([
    ["a,b", '"a,b"'],
    ['say "yes"', '"say ""yes"""'],
    ["two\nlines", '"two\nlines"'],
    ["carriage\rreturn", '"carriage\rreturn"'],
  ])("quotes %j as %j", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});

describe("CSV cells: formula injection", () => {
  it.each([
    ["=1+1", "'=1+1"],
    ["+31 555", "'+31 555"],
    ["-2", "'-2"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\t=cmd", "'\t=cmd"],
  ])("prefixes %j with an apostrophe", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it("neutralises first, then quotes", () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
  });

  it("leaves a formula character inside a value alone", () => {
    expect(csvCell("a=b")).toBe("a=b");
  });
});

describe("csvDocument", () => {
  it("writes a header row and one row per entry, each cell neutralised, CRLF after every row", () => {
    expect(
      csvDocument(
        ["name", "note"],
        [
          ["a", "=1"],
          [null, 'x,"y"'],
        ],
      ),
    ).toBe('name,note\r\na,\'=1\r\n,"x,""y"""\r\n');
  });

  it("writes only the header when there are no rows", () => {
    expect(csvDocument(["name"], [])).toBe("name\r\n");
  });
});
