/**
 * The content of the two check runs (docs/policy.md#titles-and-conclusions): rendered from a Decision by the report
 * module, or, when the evaluation could not run, the one internal-error form, red, naming the
 * failing call and GitHub's request id.
 */

import {
  ASSESSMENT_CHECK_NAME as ASSESSMENT_CHECK,
  OVERSIGHT_CHECK_NAME as OVERSIGHT_CHECK,
  renderCheck,
} from "../../core/report/index.js";
import type { Decision } from "../../core/types.js";
import type { GitHubFailure } from "../errors.js";
import type { CheckContent } from "./publish.js";

/** Both check names, as branch protection requires them. */
export const CHECK_NAMES: string[] = [ASSESSMENT_CHECK, OVERSIGHT_CHECK];

/** Both check runs for a decision. */
export function renderChecks(decision: Decision): CheckContent[] {
  return [
    { name: ASSESSMENT_CHECK, ...fromReport(decision, "assessment") },
    { name: OVERSIGHT_CHECK, ...fromReport(decision, "oversight") },
  ];
}

function fromReport(
  decision: Decision,
  gate: "assessment" | "oversight",
): Omit<CheckContent, "name"> {
  const rendered = renderCheck(decision, gate);
  const content: Omit<CheckContent, "name"> = {
    conclusion: decision[gate].conclusion,
    title: rendered.title,
    summary: rendered.summary,
    annotations: rendered.annotations,
  };
  if (rendered.text !== undefined) content.text = rendered.text;
  return content;
}

/** Both check runs, red, when aigate could not evaluate (docs/architecture.md#failures). */
export function errorChecks(failure: GitHubFailure, now: Date): CheckContent[] {
  const title = `aigate could not evaluate: ${shortFailure(failure)}`;
  const lines = [
    "## aigate could not evaluate this pull request",
    "",
    `- What failed: ${failure.description}`,
    `- GitHub request id: ${failure.requestId ?? "not given"}`,
    `- When: ${now.toISOString()}`,
    "",
    "The gate fails closed: nothing is approved while aigate cannot read or write what it needs.",
    "Retries and rate-limit back-off were already applied. Re-run this check, or comment",
    "`/aigate recheck`, once GitHub answers again; if it keeps failing, give the request id",
    "to whoever runs aigate or to GitHub Support.",
  ];
  return bothFailing(title, lines.join("\n"));
}

/**
 * Both check runs, red, when there is nothing aigate may evaluate (a merge queue ref it does
 * not recognise, a closed pull request): `title` says what, `explanation` why it fails closed.
 */
export function refusedChecks(title: string, explanation: string[]): CheckContent[] {
  return bothFailing(title, [`## ${title}`, "", ...explanation].join("\n"));
}

function bothFailing(title: string, summary: string): CheckContent[] {
  return CHECK_NAMES.map((name) => ({
    name,
    conclusion: "failure",
    title,
    summary,
    annotations: [],
  }));
}

function shortFailure(failure: GitHubFailure): string {
  if (failure.status === undefined) return failure.description;
  return `GitHub ${failure.status} (request id ${failure.requestId ?? "not given"})`;
}
