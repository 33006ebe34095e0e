import type { Gate } from "../controls.js";
import { MAX_CHECK_SUMMARY_CHARS, MAX_CHECK_TEXT_CHARS } from "../limits.js";
import type { Decision } from "../types.js";
import { annotate, type CheckAnnotation, locatedErrors, MAX_ANNOTATIONS } from "./annotations.js";
import { cut, pack, truncateTitle } from "./budget.js";
import { md } from "./markdown.js";
import { ERRORS_HEADING, errorList, summarySections } from "./sections.js";

/** Check-run names are fixed so branch protection can require them (docs/policy.md#titles-and-conclusions). */
export const ASSESSMENT_CHECK_NAME = "AI governance: risk assessment";
export const OVERSIGHT_CHECK_NAME = "AI governance: human oversight";

export const CHECK_NAMES: Record<Gate, string> = {
  assessment: ASSESSMENT_CHECK_NAME,
  oversight: OVERSIGHT_CHECK_NAME,
};

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
  annotations: CheckAnnotation[];
  /** Annotations beyond the first 50, left out of `annotations` (the text says so). */
  annotationsLeftOut: number;
}

/**
 * Renders one gate of a decision as a check run's output: a Markdown summary a compliance
 * reader can use on its own, the located errors as annotations (at most 50), within GitHub's
 * limits. Deterministic: the only time in it is the decision's own.
 */
export function renderCheck(
  decision: Decision,
  gate: Gate,
  limit = MAX_CHECK_SUMMARY_CHARS,
): CheckOutput {
  const result = gate === "assessment" ? decision.assessment : decision.oversight;
  const title = truncateTitle(result.title);
  const { listed: errors, annotated } = locatedErrors(decision, gate);
  const { annotations, leftOut: annotationsLeftOut } = annotate(annotated);

  const sections = summarySections(decision, gate, errors);
  const header = `## ${CHECK_NAMES[gate]} — ${md(result.conclusion.replace("_", " "))}\n\n**${md(title)}**`;
  const { summary, leftOut } = pack(header, sections, limit);

  const notes: string[] = [];
  if (leftOut.length > 0) {
    notes.push(
      `The summary leaves out ${leftOut.length} section${leftOut.length === 1 ? "" : "s"} to stay within GitHub's limit of ${limit} characters: ${leftOut.map(md).join("; ")}. The full decision is in the exported evidence (\`aigate export\`).`,
    );
  }
  if (annotationsLeftOut > 0) {
    notes.push(
      `${annotated.length} located errors: the first ${MAX_ANNOTATIONS} are annotations; ${annotationsLeftOut} more are listed under "${ERRORS_HEADING}".`,
    );
  }
  if (leftOut.includes(ERRORS_HEADING)) {
    notes.push(`${ERRORS_HEADING}:\n\n${errorList(errors)}`);
  }
  const output: CheckOutput = { title, summary, annotations, annotationsLeftOut };
  if (notes.length > 0) output.text = cut(notes.join("\n\n"), MAX_CHECK_TEXT_CHARS);
  return output;
}
