import { MAX_CHECK_TITLE_CHARS } from "../limits.js";
import type { Section } from "./sections.js";

/**
 * The output budget: GitHub refuses a check run whose summary or text is over its limit, so
 * whole sections are packed while they fit and anything still too long is cut at a line,
 * saying so.
 */

/** Adds whole sections while they fit; names the ones left out at the end of the summary. */
export function pack(
  header: string,
  sections: Section[],
  limit: number,
): { summary: string; leftOut: string[] } {
  const render = (s: Section) => `### ${s.heading}\n\n${s.body}`;
  const reserve = 400; // room for the closing note
  // Sections to keep come first in the budget; the others are added in order while they fit.
  let size = header.length + reserve;
  for (const s of sections) if (s.keep) size += render(s).length + 2;
  const included = new Set<Section>(sections.filter((s) => s.keep));
  const leftOut: string[] = [];
  for (const section of sections) {
    if (section.keep) continue;
    const cost = render(section).length + 2;
    if (size + cost <= limit) {
      included.add(section);
      size += cost;
    } else {
      leftOut.push(section.heading);
    }
  }
  let summary = [header, ...sections.filter((s) => included.has(s)).map(render)].join("\n\n");
  if (leftOut.length > 0) {
    summary += `\n\n---\n_${leftOut.length} section${leftOut.length === 1 ? "" : "s"} left out to stay within GitHub's size limit; the check's details say which._`;
  }
  return { summary: cut(summary, limit), leftOut };
}

/** Cuts at a line boundary, saying so, when the text is over the limit. */
export function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const note = "\n\n_(cut to stay within GitHub's size limit)_";
  const head = text.slice(0, limit - note.length);
  const lastLine = head.lastIndexOf("\n");
  return `${lastLine > 0 ? head.slice(0, lastLine) : head}${note}`;
}

/** One line, with an ellipsis when it is over the limit. */
export function truncateTitle(title: string): string {
  const oneLine = title.replace(/[\r\n]+/g, " ");
  return oneLine.length > MAX_CHECK_TITLE_CHARS
    ? `${oneLine.slice(0, MAX_CHECK_TITLE_CHARS - 1)}…`
    : oneLine;
}
