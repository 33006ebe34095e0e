import { type ControlReference, type Gate, referencesFor } from "../controls.js";
import { formatLocatedError } from "../errors.js";
import { MANIFEST_SYSTEM_ID } from "../manifest/schema.js";
import type {
  AffectedSystem,
  AssessmentResult,
  Decision,
  LocatedError,
  OversightResult,
} from "../types.js";
import { bullets, code, digest, md, sha, table } from "./markdown.js";

/** Check-run names are fixed so branch protection can require them (DESIGN §4). */
export const ASSESSMENT_CHECK_NAME = "AI governance: risk assessment";
export const OVERSIGHT_CHECK_NAME = "AI governance: human oversight";

export const CHECK_NAMES: Record<Gate, string> = {
  assessment: ASSESSMENT_CHECK_NAME,
  oversight: OVERSIGHT_CHECK_NAME,
};

/** GitHub's limits on a check run's output. */
export const MAX_SUMMARY_CHARS = 65_535;
export const MAX_TEXT_CHARS = 65_535;
export const MAX_ANNOTATIONS = 50;
const MAX_TITLE_CHARS = 1_000;

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

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
  annotations: CheckAnnotation[];
  /** Annotations beyond the first 50, left out of `annotations` (the text says so). */
  annotationsLeftOut: number;
}

interface Section {
  heading: string;
  body: string;
  /** Kept whatever the size (small and essential: the overview, the standards). */
  keep?: boolean;
}

/**
 * Renders one gate of a decision as a check run's output: a Markdown summary a compliance
 * reader can use on its own, the located errors as annotations (at most 50), within GitHub's
 * limits. Deterministic: the only time in it is the decision's own.
 */
export function renderCheck(
  decision: Decision,
  gate: Gate,
  limit = MAX_SUMMARY_CHARS,
): CheckOutput {
  const result = gate === "assessment" ? decision.assessment : decision.oversight;
  const title = truncateTitle(result.title);
  const { listed: errors, annotated } = locatedErrors(decision, gate);
  const annotations = annotated.slice(0, MAX_ANNOTATIONS).map(toAnnotation);
  const annotationsLeftOut = Math.max(0, annotated.length - MAX_ANNOTATIONS);

  const sections: Section[] = [{ ...overview(decision, gate), keep: true }];
  const problems = problemsOf(decision, gate);
  if (problems.length > 0) sections.push({ heading: "Problems", body: bullets(problems.map(md)) });
  if (errors.length > 0) {
    sections.push({
      heading: "Errors in files",
      body: bullets(errors.map((e) => md(formatLocatedError(e)))),
    });
  }
  if (decision.affected.length > 0) sections.push(affectedTable(decision, gate));
  for (const affected of decision.affected) {
    sections.push(
      gate === "assessment"
        ? assessmentSection(decision, affected)
        : oversightSection(decision, affected),
    );
  }
  if (gate === "oversight") {
    const rejected = rejectedAttestations(decision);
    if (rejected) sections.push(rejected);
  }
  // A decision that could not look at the change evidences nothing.
  if (!decision.error && decision.manifest.status === "ok") {
    sections.push({ ...referencesSection(decision, gate), keep: true });
  }

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
      `${annotated.length} located errors: the first ${MAX_ANNOTATIONS} are annotations; ${annotationsLeftOut} more are listed under "Errors in files".`,
    );
  }
  if (leftOut.includes("Errors in files")) {
    notes.push(`Errors in files:\n\n${bullets(errors.map((e) => md(formatLocatedError(e))))}`);
  }
  const output: CheckOutput = { title, summary, annotations, annotationsLeftOut };
  if (notes.length > 0) output.text = cut(notes.join("\n\n"), MAX_TEXT_CHARS);
  return output;
}

/** Adds whole sections while they fit; names the ones left out at the end of the summary. */
function pack(header: string, sections: Section[], limit: number) {
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

function overview(decision: Decision, gate: Gate): Section {
  const rows: string[][] = [["Repository", md(decision.repository)]];
  const pr = decision.pullRequest;
  if (pr) {
    rows.push(["Pull request", `#${pr.number} by ${md(pr.author)}`]);
    rows.push(["Base", `${md(pr.baseRef)} at ${sha(pr.baseSha)}`]);
    rows.push(["Head", sha(pr.headSha)]);
  }
  const manifest = decision.manifest;
  const status = decision.error
    ? "not evaluated"
    : { ok: "valid", missing: "missing", invalid: "invalid" }[manifest.status];
  rows.push([
    "Governance manifest",
    `${code(manifest.path)} at base ${sha(manifest.baseSha)}: ${status}${manifest.sha256 ? `, ${digest(manifest.sha256)}` : ""}`,
  ]);
  const proposed = decision.proposedManifest;
  if (proposed) {
    const what =
      proposed.status === "removed"
        ? "removed by this change"
        : `${proposed.status === "ok" ? "valid" : "invalid"}${proposed.sha256 ? `, ${digest(proposed.sha256)}` : ""}`;
    rows.push(["Proposed manifest", `${what} (takes effect only once merged)`]);
  }
  if (gate === "assessment" && decision.assessment.policy) {
    const policy = decision.assessment.policy;
    rows.push([
      "AI policy",
      `${code(policy.path)} ${policy.present ? `present, ${digest(policy.sha256)}` : "missing"} at base`,
    ]);
  }
  const files = `${decision.changedFiles}${decision.changedFilesTruncated ? " (incomplete: GitHub lists at most 3000)" : ""}`;
  rows.push(["Files changed", files]);
  rows.push(["Evaluated at", md(decision.evaluatedAt)]);
  const lines = [table(["", ""], rows)];
  if (decision.error) {
    lines.push(
      `aigate could not evaluate this change: ${md(decision.error)}. The check stays red until an evaluation succeeds; comment \`/aigate recheck\` to retry.`,
    );
  } else if (manifest.status === "missing") {
    lines.push(
      `There is no governance manifest on the base branch, so no AI system is declared and nothing is gated. Add ${code(manifest.path)} to govern AI systems in this repository.`,
    );
  } else if (manifest.status === "invalid") {
    lines.push(
      "The governance manifest on the base branch is invalid, so no gate can be decided: fix it there (each error is located below). A pull request cannot fix its own gate.",
    );
  } else if (decision.affected.length === 0) {
    lines.push(
      `No file of this change matches a governed path or the manifest${decision.unaffected.length > 0 ? ` (${decision.unaffected.length} AI system${decision.unaffected.length === 1 ? "" : "s"} declared)` : ""}.`,
    );
  }
  return { heading: "Overview", body: lines.join("\n\n") };
}

function problemsOf(decision: Decision, gate: Gate): string[] {
  const result = gate === "assessment" ? decision.assessment : decision.oversight;
  const systems: Array<{ problems: string[] }> = result.systems;
  return [...(result.problems ?? []), ...systems.flatMap((s) => s.problems)];
}

function affectedTable(decision: Decision, gate: Gate): Section {
  const rows = decision.affected.map((a) => {
    const status =
      gate === "assessment"
        ? assessmentStatus(decision.assessment.systems.find((s) => s.system === a.id))
        : oversightStatus(decision.oversight.systems.find((s) => s.system === a.id));
    return [
      code(a.id),
      systemTier(a),
      md(a.lifecycle),
      a.kinds.join(", "),
      String(a.files.length + a.moreFiles),
      status,
    ];
  });
  return {
    heading: "Affected AI systems",
    body: table(["System", "Tier", "Lifecycle", "Touched", "Files", "Status"], rows),
  };
}

function systemTier(a: AffectedSystem): string {
  return a.id === MANIFEST_SYSTEM_ID ? "—" : md(a.tier);
}

function assessmentStatus(result: AssessmentResult | undefined): string {
  if (!result) return "—";
  return { pass: "pass", fail: "**fail**", not_required: "not required" }[result.status];
}

function oversightStatus(result: OversightResult | undefined): string {
  if (!result) return "—";
  const met = result.counted.length;
  switch (result.status) {
    case "met":
      return `met (${Math.min(met, result.required)} of ${result.required})`;
    case "waiting":
      return `waiting (${Math.min(met, result.required)} of ${result.required})`;
    case "blocked":
      return "**blocked**";
    default:
      return "not required";
  }
}

function triggeredBy(affected: AffectedSystem): string {
  const items = affected.files.map((f) => {
    const moved = f.previousPath ? ` (from ${code(f.previousPath)})` : "";
    return `${code(f.path)}${moved}: ${md(f.kind)}, ${md(f.status)}`;
  });
  if (affected.moreFiles > 0)
    items.push(`and ${affected.moreFiles} more file${affected.moreFiles === 1 ? "" : "s"}`);
  return `Triggered by:\n\n${bullets(items)}`;
}

function systemHeading(affected: AffectedSystem): string {
  if (affected.id === MANIFEST_SYSTEM_ID) return `${affected.id}: the governance manifest`;
  return `${affected.id}: ${affected.name} (${affected.tier}, ${affected.lifecycle})`;
}

function assessmentSection(decision: Decision, affected: AffectedSystem): Section {
  const result = decision.assessment.systems.find((s) => s.system === affected.id);
  const parts = [triggeredBy(affected)];
  if (result?.assessment) {
    const a = result.assessment;
    parts.push(
      table(
        ["Risk assessment", "Digest", "Assessed", "Review by", "Residual risk"],
        [
          [
            code(a.path),
            digest(a.sha256),
            md(a.assessedAt ?? "—"),
            md(a.reviewBy ?? "—"),
            md(a.residualRisk ?? "—"),
          ],
        ],
      ),
    );
  } else if (affected.id === MANIFEST_SYSTEM_ID) {
    parts.push("The proposed manifest is validated here; it takes effect only once merged.");
  } else if (result?.status === "not_required") {
    parts.push("No risk assessment is required for this tier.");
  }
  if (result && result.evidence.length > 0) {
    parts.push(
      table(
        ["Evidence", "Path", "At head"],
        result.evidence.map((e) => [
          md(e.kind),
          code(e.path),
          e.present ? `present, ${digest(e.sha256)}` : "**missing**",
        ]),
      ),
    );
  }
  return { heading: md(systemHeading(affected)), body: parts.join("\n\n") };
}

function oversightSection(decision: Decision, affected: AffectedSystem): Section {
  const result = decision.oversight.systems.find((s) => s.system === affected.id);
  const parts = [triggeredBy(affected)];
  if (!result) return { heading: md(systemHeading(affected)), body: parts.join("\n\n") };
  const who = [...result.eligible.teams, ...result.eligible.users].map(md).join(", ") || "nobody";
  if (result.status === "blocked" && affected.tier === "prohibited") {
    parts.push("A prohibited system cannot be changed: no approval can pass this change.");
  } else {
    parts.push(
      `Requires ${result.required} approval${result.required === 1 ? "" : "s"} from: ${who}.`,
    );
  }
  if (result.counted.length > 0) {
    parts.push(
      `Counted approvals:\n\n${table(
        ["Approver", "Eligible as", "Given at", "Commit", "Source", "Attestation"],
        result.counted.map((c) => [
          md(c.approver) + (c.approverId !== undefined ? ` (${c.approverId})` : ""),
          md(c.reason),
          md(c.at),
          sha(c.commit),
          `${c.source} ${c.sourceId}`,
          digest(c.attestationDigest),
        ]),
      )}`,
    );
  }
  if (result.rejected.length > 0) {
    parts.push(
      `Approvals that do not count:\n\n${table(
        ["Approver", "Why not", "Given at", "Commit", "Source"],
        result.rejected.map((r) => [
          md(r.approver) + (r.stale ? " (stale)" : ""),
          md(r.reason),
          md(r.at ?? "—"),
          sha(r.commit),
          r.source ? `${r.source} ${r.sourceId ?? ""}`.trim() : "—",
        ]),
      )}`,
    );
  }
  if (result.vetoes.length > 0) {
    parts.push(
      `Changes requested (blocking until dismissed or replaced by an approval):\n\n${table(
        ["Approver", "Review", "At"],
        result.vetoes.map((v) => [md(v.approver), String(v.reviewId), md(v.at)]),
      )}`,
    );
  }
  if (result.status === "waiting" && decision.pullRequest) {
    const missing = result.required - Math.min(result.counted.length, result.required);
    if (missing > 0) {
      const names = [...result.eligible.teams, ...result.eligible.users].map(md);
      const anyOf = names.length > 1 ? `${names.slice(0, -1).join(", ")} or ${names.at(-1)}` : who;
      parts.push(
        `Still needed: ${missing} more approval${missing === 1 ? "" : "s"} from ${anyOf}.`,
      );
    }
  }
  return { heading: md(systemHeading(affected)), body: parts.join("\n\n") };
}

function rejectedAttestations(decision: Decision): Section | undefined {
  const rejected = decision.oversight.rejectedAttestations;
  if (rejected.length === 0) return undefined;
  return {
    heading: "Attestations that count for nothing",
    body: table(
      ["Comment", "Author", "Why"],
      rejected.map((r) => [String(r.commentId), md(r.commentAuthor ?? "—"), md(r.reason)]),
    ),
  };
}

function referencesSection(decision: Decision, gate: Gate): Section {
  const tiers = decision.affected.filter((a) => a.id !== MANIFEST_SYSTEM_ID).map((a) => a.tier);
  const manifestChanged = decision.affected.some((a) => a.id === MANIFEST_SYSTEM_ID);
  const refs = referencesFor(gate, tiers, manifestChanged);
  const line = (r: ControlReference) =>
    `${md(r.framework)} ${md(r.id)}: ${md(r.title)}${r.note ? ` (${md(r.note)})` : ""}`;
  return { heading: "Standards this check evidences", body: bullets(refs.map(line)) };
}

/**
 * The located errors a gate reports (the base manifest's on both gates, the others on the
 * assessment gate) and those to annotate. Annotations land on the head's files, so the base
 * manifest's errors are annotated only when this change leaves the manifest as it is.
 */
function locatedErrors(
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
  }
  const baseListed = decision.proposedManifest
    ? base.map((e) => ({ ...e, message: `(on the base branch) ${e.message}` }))
    : base;
  return {
    listed: [...baseListed, ...others],
    annotated: decision.proposedManifest ? others : [...base, ...others],
  };
}

function toAnnotation(error: LocatedError): CheckAnnotation {
  const line = Math.max(1, error.line);
  const annotation: CheckAnnotation = {
    path: error.file,
    start_line: line,
    end_line: line,
    annotation_level: "failure",
    message: error.message,
  };
  if (error.field) annotation.title = error.field;
  if (error.line > 0 && error.column > 0) {
    annotation.start_column = error.column;
    annotation.end_column = error.column;
  }
  return annotation;
}

/** Cuts at a line boundary, saying so, when the text is over the limit. */
function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const note = "\n\n_(cut to stay within GitHub's size limit)_";
  const head = text.slice(0, limit - note.length);
  const lastLine = head.lastIndexOf("\n");
  return `${lastLine > 0 ? head.slice(0, lastLine) : head}${note}`;
}

function truncateTitle(title: string): string {
  const oneLine = title.replace(/[\r\n]+/g, " ");
  return oneLine.length > MAX_TITLE_CHARS ? `${oneLine.slice(0, MAX_TITLE_CHARS - 1)}…` : oneLine;
}
