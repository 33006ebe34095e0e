import { describe, expect, it } from "vitest";
import { toHtml } from "../../../src/cli/export/html.js";
import { escapeHtml } from "../../../src/core/report/html.js";
import { HOSTILE, pack, summary } from "./fixtures.js";

describe("toHtml", () => {
  const html = toHtml(pack);

  it("is one self-contained page: no scripts, no external assets, a CSP forbidding both", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    );
    expect(html).not.toMatch(/<(script|img|link|iframe|object|embed|base)\b|url\(/i);
  });

  it("never lets user-controlled text through as markup", () => {
    expect(html).not.toContain("<h1>forged</h1>");
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain(escapeHtml(HOSTILE));
  });

  it("links only to http(s) URLs", () => {
    expect(html).not.toContain("javascript:");
    expect(html).toContain('<a href="https://github.com/acme/models/pull/7">#7</a>');
  });

  it("shows each verdict, and that the evidence is invalid", () => {
    expect(html).toContain('<span class="badge bad">bad signature</span>');
    expect(html).toContain('<span class="badge bad">evidence INVALID</span>');
  });

  it("says attestations were not verified when the pack was exported without keys", () => {
    const unverified = toHtml([
      ...pack.filter((r) => r.type !== "verification" && r.type !== "summary"),
      { ...summary, verification: null },
    ]);
    expect(unverified).toContain("not verified");
    expect(unverified).toContain("aigate verify --evidence PACK.jsonl --jwks KEYS.json");
  });

  it("says so when a pull request has no runs, reviews, attestations or edits", () => {
    const empty = toHtml(
      [pack[0], { ...summary, verification: null }].filter((r) => r !== undefined),
    );
    expect(empty).toContain("No runs of aigate's checks were found");
    expect(empty).toContain("No reviews.");
    expect(empty).toContain("No attestation comments on this pull request.");
    expect(empty).toContain("No comment was edited after it was posted.");
  });

  it("renders the page auditors read (snapshot)", () => {
    expect(html).toMatchSnapshot();
  });
});
