import { describe, expect, it } from "vitest";
import { CSV_COLUMNS, csvCell, toCsv } from "../../../src/cli/export/csv.js";
import { pack, review } from "./fixtures.js";

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

describe("toCsv", () => {
  const csv = toCsv(pack);
  const lines = csv.split("\r\n");

  it("has the fixed header and one row per record, CRLF terminated", () => {
    expect(lines[0]).toBe(
      "type,repository,pull_request,id,actor,time,commit,state,name,title,detail",
    );
    expect(CSV_COLUMNS).toHaveLength(11);
    expect(lines).toHaveLength(pack.length + 2);
    expect(lines.at(-1)).toBe("");
  });

  it("maps a review to its columns", () => {
    const row = toCsv([{ ...review, body: "fine" }]).split("\r\n")[1];
    expect(row).toBe(
      `review,acme/models,7,2001,mallory,2026-03-01T10:05:00Z,${review.commit_id},COMMENTED,,,fine`,
    );
  });

  it("says when an attestation marker cannot be read instead of giving a digest", () => {
    expect(lines.find((l) => l.startsWith("attestation_comment,"))).toContain(
      "unreadable marker: ",
    );
  });

  it("gives a verification's verdict, digest and reason", () => {
    const row = lines.find((l) => l.startsWith("verification,"));
    expect(row).toMatch(/,bad_signature,,,"?sha256:c{64} signature does not verify/);
  });

  it("summarises the export and whether the evidence is valid", () => {
    expect(lines.find((l) => l.startsWith("summary,"))).toMatch(
      /^summary,acme\/models,,,,2026-03-02T00:00:00.000Z,,invalid,pull requests,7,pull_request=1 /,
    );
  });

  it("writes the rows auditors read (snapshot)", () => {
    expect(csv).toMatchSnapshot();
  });
});
