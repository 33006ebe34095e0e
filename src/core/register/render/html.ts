import { TIERS } from "../../manifest/schema.js";
import { escapeHtml, htmlPage, htmlValue } from "../../report/html.js";
import { ASSESSMENT_STATUSES, type Register } from "../schema.js";
import type { Soa } from "../soa.js";
import { registerHeadline } from "./markdown.js";
import {
  type Cell,
  checksCaption,
  columnsFor,
  registerTables,
  soaTable,
  type Table,
} from "./tables.js";

/**
 * The register, the risk register and the draft SoA as one self-contained HTML page a compliance
 * reader opens and prints: no external assets, one inline script (allowed by its hash in the
 * Content-Security-Policy) that sorts the tables, charts drawn as inline SVG.
 */

const SORT_SCRIPT = `(() => {
  const key = (td) => td.dataset.sort ?? td.textContent.trim();
  for (const table of document.querySelectorAll("table.sortable")) {
    const heads = [...table.tHead.rows[0].cells];
    heads.forEach((th, index) => {
      th.tabIndex = 0;
      th.setAttribute("aria-sort", "none");
      const sort = () => {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        for (const other of heads) other.setAttribute("aria-sort", "none");
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0];
        const rows = [...body.rows];
        rows.sort((a, b) => {
          const x = key(a.cells[index]);
          const y = key(b.cells[index]);
          // Empty cells stay last whichever way the column is sorted.
          if (x === "" || y === "") return (x === "") - (y === "");
          const nx = Number(x);
          const ny = Number(y);
          const order = !Number.isNaN(nx) && !Number.isNaN(ny)
            ? nx - ny
            : x.localeCompare(y, "en", { numeric: true });
          return ascending ? order : -order;
        });
        body.append(...rows);
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
  }
})();`;

const REGISTER_STYLE = `
body { max-width: 1680px; }
#soa-table td:nth-child(5) { min-width: 18rem; }
#soa-table td:nth-child(6) { min-width: 14rem; }
#soa-table td:nth-child(n+7) { min-width: 9rem; }
#checks th { white-space: normal; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th::after { content: " ↕"; color: #8c959f; font-weight: 400; }
table.sortable th[aria-sort="ascending"]::after { content: " ▲"; color: #1f2328; }
table.sortable th[aria-sort="descending"]::after { content: " ▼"; color: #1f2328; }
.charts { display: flex; flex-wrap: wrap; gap: 2rem; margin: 1rem 0; }
.chart h3 { margin-top: 0; }
.chart svg text { font: 12px system-ui, sans-serif; fill: #1f2328; }
.draft { border: 2px solid #bf8700; background: #fff8c5; padding: .5rem 1rem; font-weight: 600; }
.errors { color: #a40e26; font-size: 12px; margin-top: .2rem; }
section.part { break-before: page; }
@media print {
  table.sortable th::after { content: ""; }
  .charts { break-inside: avoid; }
}
`;

const e = htmlValue;

const TONE: Record<string, string> = {
  current: "ok",
  expiring: "wait",
  expired: "bad",
  missing: "bad",
  invalid: "bad",
  not_required: "",
  evidenced: "ok",
  partial: "wait",
  "not evidenced by aigate": "",
  invalid_manifest: "bad",
  unreadable: "bad",
  not_governed: "",
  archived: "",
  empty: "",
};

const badge = (value: Cell): string =>
  value === null
    ? "—"
    : `<span class="badge ${TONE[String(value)] ?? ""}">${e(String(value).replaceAll("_", " "))}</span>`;

/** Columns shown as badges, and columns whose sort key differs from their text. */
const BADGES = new Set(["status", "kind", "aigate"]);

/** A sortable table of the columns the page shows. */
function htmlTable(t: Table, id = t.name): string {
  if (t.rows.length === 0) return `<p class="empty">${escapeHtml(t.empty)}</p>\n`;
  const columns = columnsFor(t, "page");
  const head = columns.map((c) => `<th scope="col">${escapeHtml(c.label)}</th>`).join("");
  const rows = t.rows.map((row) => {
    const cells = columns.map((c) => {
      const value = row[c.key] ?? null;
      if (value === null || value === "") return '<td data-sort="">—</td>';
      if (BADGES.has(c.key)) return `<td data-sort="${e(value)}">${badge(value)}</td>`;
      if (c.key === "errors" && value !== null) {
        return `<td><div class="errors">${String(value).split(" | ").map(escapeHtml).join("<br>")}</div></td>`;
      }
      if (c.key === "manifest_commit" && typeof value === "string") {
        return `<td data-sort="${e(value)}"><code class="sha" title="${e(value)}">${e(value.slice(0, 12))}</code></td>`;
      }
      return `<td>${e(value)}</td>`;
    });
    return `<tr>${cells.join("")}</tr>`;
  });
  return `<table class="sortable" id="${id}">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join("\n")}\n</tbody>\n</table>\n`;
}

const CHART_COLOURS: Record<string, string> = {
  minimal: "#8c959f",
  limited: "#54aeff",
  high: "#bf8700",
  prohibited: "#a40e26",
  current: "#1a7f37",
  expiring: "#bf8700",
  expired: "#a40e26",
  missing: "#cf222e",
  invalid: "#82071e",
  not_required: "#8c959f",
};

/** A horizontal bar chart as inline SVG, with each count written beside its bar. */
function barChart(title: string, id: string, counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  const rowHeight = 26;
  const labelWidth = 110;
  const barWidth = 260;
  const height = entries.length * rowHeight + 8;
  const bars = entries.map(([label, n], i) => {
    const y = 4 + i * rowHeight;
    const width = Math.round((n / max) * barWidth);
    return (
      `<g data-label="${escapeHtml(label)}" data-count="${n}">` +
      `<text x="0" y="${y + 16}">${escapeHtml(label.replaceAll("_", " "))}</text>` +
      `<rect x="${labelWidth}" y="${y + 3}" width="${width}" height="18" fill="${CHART_COLOURS[label] ?? "#57606a"}"></rect>` +
      `<text x="${labelWidth + width + 6}" y="${y + 16}">${n}</text></g>`
    );
  });
  return `<figure class="chart" id="${id}"><h3>${escapeHtml(title)}</h3><svg role="img" aria-label="${escapeHtml(title)}" width="${labelWidth + barWidth + 40}" height="${height}" viewBox="0 0 ${labelWidth + barWidth + 40} ${height}">${bars.join("")}</svg></figure>`;
}

function orderedCounts<T extends string>(order: readonly T[], counts: Record<T, number>) {
  return Object.fromEntries(order.map((k) => [k, counts[k]])) as Record<string, number>;
}

/** The check-run counts, when they were read: what they cover said first. */
function checksSection(register: Register, checks: Table): string {
  const caption = checksCaption(register);
  if (caption === null) return "";
  return `<section id="check-runs">
<h2>${escapeHtml(checks.title)}</h2>
<p>${escapeHtml(caption)}</p>
${htmlTable(checks)}</section>
`;
}

function soaSection(soa: Soa): string {
  return `<section class="part" id="soa">
<h2>${escapeHtml(soa.title)}</h2>
<p class="draft">${escapeHtml(soa.disclaimer)}</p>
${htmlTable(soaTable(soa), "soa-table")}</section>
`;
}

function page(title: string, body: string): string {
  return htmlPage({ title, body, style: REGISTER_STYLE, script: SORT_SCRIPT });
}

/** The register as one page: headline, charts, the register, the risk register, problems, SoA. */
export function registerHtml(register: Register, soa: Soa): string {
  const tables = registerTables(register);
  const attention = register.systems.filter(
    (s) => s.assessment.status !== "current" && s.assessment.status !== "not_required",
  ).length;
  const body = `<header>
<h1>AI system register</h1>
<dl>
<dt>Source</dt><dd>${escapeHtml(register.source.description)}</dd>
<dt>Generated</dt><dd>${escapeHtml(register.generated_at)}; statuses as of ${escapeHtml(register.today)}, expiring within ${register.expiring_within_days} days</dd>
<dt>Summary</dt><dd>${registerHeadline(register).map(escapeHtml).join("<br>")}</dd>
<dt>Needs attention</dt><dd>${attention === 0 ? '<span class="badge ok">no assessment expired, expiring, missing or invalid</span>' : `<span class="badge bad">${attention} assessment(s) expired, expiring, missing or invalid</span>`}</dd>
</dl>
</header>
<div class="charts">
${barChart("Systems by tier", "chart-tier", orderedCounts(TIERS, register.totals.by_tier))}
${barChart("Systems by assessment status", "chart-status", orderedCounts(ASSESSMENT_STATUSES, register.totals.by_status))}
</div>
<section id="register">
<h2>${escapeHtml(tables.systems.title)}</h2>
${htmlTable(tables.systems)}</section>
<section class="part" id="risk-register">
<h2>${escapeHtml(tables.risks.title)}</h2>
${htmlTable(tables.risks)}</section>
<section id="problem-repositories">
<h2>${escapeHtml(tables.problems.title)}</h2>
${htmlTable(tables.problems)}</section>
${checksSection(register, tables.checks)}${soaSection(soa)}
<footer class="limits">
<p>Generated by <code>aigate register</code> from each repository's governance manifest and risk assessments at its default branch.
The register lists what the repositories declare and whether each assessment is within its review date; it does not assess the systems.
The Statement of Applicability is a draft for the organisation to complete; it claims no conformity.</p>
</footer>`;
  return page("AI system register", body);
}

/** The draft SoA alone, as one page. */
export function soaHtml(soa: Soa): string {
  return page(
    soa.title,
    `${soaSection(soa)}<footer class="limits"><p>Generated by <code>aigate soa</code> at ${escapeHtml(soa.generated_at)} from ${escapeHtml(soa.source.description)}.</p></footer>`,
  );
}
