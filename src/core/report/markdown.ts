/**
 * Markdown for check-run summaries. Everything from a manifest, an assessment or GitHub is
 * escaped, so a system name or a login can neither break a table nor inject HTML.
 */

/** Text safe in Markdown prose and table cells. */
export function md(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\`*_[\]<>|#~!&]/g, (c) => `\\${c}`)
    .trim();
}

/** An inline code span holding any text (paths, digests), fenced longer than any backtick run. */
export function code(text: string): string {
  // A pipe is escaped even inside a code span, or it would end the table cell (GFM).
  const clean = text.replace(/[\r\n]+/g, " ").replace(/\|/g, "\\|");
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = clean.startsWith("`") || clean.endsWith("`") ? " " : "";
  return `${fence}${pad}${clean}${pad}${fence}`;
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export function bullets(items: string[]): string {
  return items.map((item) => `- ${item}`).join("\n");
}

/** A short commit id in a code span. */
export function sha(value: string | undefined): string {
  return value ? code(value.slice(0, 7)) : "—";
}

/** A sha256 digest in full: a reader must be able to compare it with the file or envelope. */
export function digest(value: string | undefined): string {
  if (!value) return "—";
  return code(value.startsWith("sha256:") ? value : `sha256:${value}`);
}
