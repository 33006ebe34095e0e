import { describe, expect, it } from "vitest";
import { CSV_COLUMNS, toCsv } from "../../../src/cli/export/csv.js";
import { pack, review } from "./fixtures.js";

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
