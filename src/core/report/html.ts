import { createHash } from "node:crypto";

/**
 * HTML pages for people: the export's evidence pack and the AI system register. One escaping
 * rule and one page shell, so every page is self-contained (no external assets) and lets no
 * text from a repository or from GitHub through as markup.
 */

/** Escapes text for HTML content and double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** A value as escaped HTML text; an absent or empty one as a dash. */
export function htmlValue(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === "" ? "—" : escapeHtml(String(value));
}

/** The look every page shares: readable on screen, printable on paper. */
export const PAGE_STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #d0d7de; padding-bottom: .3rem; margin-top: 2.5rem; }
h3 { font-size: 1rem; margin: 1.5rem 0 .5rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }
dt { font-weight: 600; color: #59636e; }
dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .25rem 0 1rem; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: .35rem .5rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th, .nowrap { white-space: nowrap; }
td code { word-break: break-all; }
code.sha { white-space: nowrap; word-break: normal; }
thead th { background: #f6f8fa; }
tr { break-inside: avoid; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre, .text { white-space: pre-wrap; overflow-wrap: break-word; margin: 0; }
pre { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f6f8fa; padding: .5rem; }
.badge { display: inline-block; border-radius: 1em; padding: 0 .55em; background: #eaeef2; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.ok { background: #dafbe1; color: #116329; }
.badge.bad { background: #ffebe9; color: #a40e26; }
.badge.wait { background: #fff8c5; color: #7d4e00; }
.muted, .empty { color: #59636e; }
.reason { color: #59636e; font-size: 12px; margin-top: .2rem; }
.limits { margin-top: 3rem; border-top: 1px solid #d0d7de; color: #59636e; font-size: 12px; }
a { color: #0969da; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  a { color: inherit; text-decoration: none; }
}
`;

export interface HtmlPage {
  /** The page title, as text. */
  title: string;
  /** The body, as HTML. */
  body: string;
  /** CSS added after the shared style. */
  style?: string;
  /** The page's one inline script, if it has one: the only script its policy allows. */
  script?: string;
}

/**
 * One self-contained page. Its Content-Security-Policy allows nothing from outside, inline
 * styles, and no script but the page's own, named by its sha256.
 */
export function htmlPage(page: HtmlPage): string {
  const scripts =
    page.script === undefined
      ? ""
      : `; script-src 'sha256-${createHash("sha256").update(page.script).digest("base64")}'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'${scripts}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${PAGE_STYLE}${page.style ?? ""}</style>
</head>
<body>
${page.body}
${page.script === undefined ? "" : `<script>${page.script}</script>\n`}</body>
</html>
`;
}
