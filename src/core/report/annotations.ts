import type { Gate } from "../controls.js";
import type { LocatedError } from "../errors.js";
import { MAX_ANNOTATION_TITLE_CHARS, MAX_ANNOTATIONS_PER_REQUEST } from "../limits.js";
import { MANIFEST_SYSTEM_ID } from "../manifest/schema.js";
import type { Decision } from "../types.js";

/** Annotations a check run carries: GitHub takes 50 a request, and aigate writes one request. */
export const MAX_ANNOTATIONS = MAX_ANNOTATIONS_PER_REQUEST;

/** One annotation as the GitHub checks API takes it. */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  title?: string;
  message: string;
}

/**
 * The located errors a gate reports (the base manifest's on both gates, the others on the
 * assessment gate) and those to annotate, with the base manifest's dead paths when the change
 * leaves the manifest as it is. Annotations land on the head's files, so the base
 * manifest's errors are annotated only when this change leaves the manifest as it is.
 */
export function locatedErrors(
  decision: Decision,
  gate: Gate,
): { listed: LocatedError[]; annotated: LocatedError[] } {
  const base = decision.manifest.errors;
  const others: LocatedError[] = [];
  if (gate === "assessment") {
    for (const s of decision.assessment.systems) others.push(...s.errors);
    // The pseudo-system already carries the proposed manifest's errors.
    const proposed = decision.proposedManifest;
    if (proposed && !decision.assessment.systems.some((s) => s.system === MANIFEST_SYSTEM_ID)) {
      others.push(...proposed.errors);
    }
    // Paths of a system in design (or retired, or prohibited) that match no file: warnings.
    for (const finding of decision.deadPaths ?? []) {
      if (finding.severity === "warning") others.push(finding);
    }
  }
  const baseListed = decision.proposedManifest
    ? base.map((e) => ({ ...e, message: `(on the base branch) ${e.message}` }))
    : base;
  // The base manifest's paths this change leaves matching no file: already among the gate's
  // problems, so annotated on the manifest's lines but not listed twice.
  const deadErrors =
    gate === "assessment" && !decision.proposedManifest
      ? (decision.deadPaths ?? []).filter((finding) => finding.severity === "error")
      : [];
  return {
    listed: [...baseListed, ...others],
    annotated: decision.proposedManifest ? others : [...base, ...deadErrors, ...others],
  };
}

/** The first `MAX_ANNOTATIONS` errors as annotations, and how many were left out. */
export function annotate(errors: LocatedError[]): {
  annotations: CheckAnnotation[];
  leftOut: number;
} {
  return {
    annotations: errors.slice(0, MAX_ANNOTATIONS).map(toAnnotation),
    leftOut: Math.max(0, errors.length - MAX_ANNOTATIONS),
  };
}

function isWarning(error: LocatedError): boolean {
  return "severity" in error && error.severity === "warning";
}

function toAnnotation(error: LocatedError): CheckAnnotation {
  const line = Math.max(1, error.line);
  const annotation: CheckAnnotation = {
    path: error.file,
    start_line: line,
    end_line: line,
    annotation_level: isWarning(error) ? "warning" : "failure",
    message: error.message,
  };
  if (error.field) annotation.title = error.field.slice(0, MAX_ANNOTATION_TITLE_CHARS);
  if (error.line > 0 && error.column > 0) {
    annotation.start_column = error.column;
    annotation.end_column = error.column;
  }
  return annotation;
}
