import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { escapeHtml, htmlPage, htmlValue } from "../../../src/core/report/html.js";

describe("escapeHtml", () => {
  it("escapes the five characters that matter in content and attributes", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    );
  });
});

describe("htmlValue", () => {
  it("escapes a value and shows an absent or empty one as a dash", () => {
    expect(htmlValue("<b>")).toBe("&lt;b&gt;");
    expect(htmlValue(0)).toBe("0");
    expect([null, undefined, ""].map(htmlValue)).toEqual(["—", "—", "—"]);
  });
});

describe("htmlPage", () => {
  it("without a script: a policy that forbids every script and every external asset", () => {
    const page = htmlPage({ title: "<Title>", body: "<p>body</p>" });
    expect(page.startsWith("<!doctype html>\n")).toBe(true);
    expect(page).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    );
    expect(page).toContain("<title>&lt;Title&gt;</title>");
    expect(page).toContain("<body>\n<p>body</p>\n</body>");
    expect(page).not.toContain("<script");
  });

  it("with a script: only that script, allowed by its sha256", () => {
    const script = "document.title = 'x';";
    const hash = createHash("sha256").update(script).digest("base64");
    const page = htmlPage({ title: "t", body: "<p>b</p>", style: "p { color: red; }", script });
    expect(page).toContain(`script-src 'sha256-${hash}'">`);
    expect(page).toContain("<body>\n<p>b</p>\n<script>document.title = 'x';</script>\n</body>");
    expect(page).toMatch(/<style>[^<]*p \{ color: red; \}<\/style>/);
  });
});
