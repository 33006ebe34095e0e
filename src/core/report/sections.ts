import { type ControlReference, type Gate, referencesFor } from "../controls.js";
import type { LocatedError } from "../errors.js";
import { formatLocatedError } from "../errors.js";
import { MAX_PULL_REQUEST_FILES } from "../limits.js";
import { MANIFEST_SYSTEM_ID } from "../manifest/schema.js";
import type { AffectedSystem, AssessmentResult, Decision, OversightResult } from "../types.js";
import { bullets, code, digest, md, sha, table } from "./markdown.js";
import { reviewRequestsSection } from "./review-requests.js";

/**
 * The sections of a check run's summary, each a piece of evidence a compliance reader can
 * use on its own: the overview, the affected systems, each system's assessment or approvals,
 * the attestations that count for nothing and the standards the gate evidences.
 */

export interface Section {
  heading: string;
  body: string;
  /** Kept whatever the size (small and essential: the overview, the standards). */
  keep?: boolean;
}

export const ERRORS_HEADING = "Errors in files";

/** The sections of one gate's summary, in reading order; `errors` are the located errors it lists. */
export function summarySections(decision: Decision, gate: Gate, errors: LocatedError[]): Section[] {
  const sections: Section[] = [{ ...overview(decision, gate), keep: true }];
  const problems = problemsOf(decision, gate);
  if (problems.length > 0) sections.push({ heading: "Problems", body: bullets(problems.map(md)) });
  if (errors.length > 0) sections.push({ heading: ERRORS_HEADING, body: errorList(errors) });
  if (decision.affected.length > 0) sections.push(affectedTable(decision, gate));
  for (const affected of decision.affected) {
    sections.push(
      gate === "assessment"
        ? assessmentSection(decision, affected)
        : oversightSection(decision, affected),
    );
  }
  if (gate === "oversight") {
    const requests = reviewRequestsSection(decision);
    if (requests) sections.push(requests);
    const rejected = rejectedAttestations(decision);
    if (rejected) sections.push(rejected);
    const held = heldBack(decision);
    if (held) sections.push(held);
  }
  // A decision that could not look at the change evidences nothing.
  if (!decision.error && decision.manifest.status === "ok") {
    sections.push({ ...referencesSection(decision, gate), keep: true });
  }
  return sections;
}

/** Located errors as a Markdown list, one `file:line:column: field: message` each. */
export function errorList(errors: LocatedError[]): string {
  return bullets(errors.map((e) => md(formatLocatedError(e))));
}

function overview(decision: Decision, gate: Gate): Section {
  const rows: string[][] = [["Repository", md(decision.repository)]];
  const pr = decision.pullRequest;
  if (pr) {
    rows.push(["Pull request", `#${pr.number} by ${md(pr.author)}`]);
    rows.push(["Base", `${md(pr.baseRef)} at ${sha(pr.baseSha)}`]);
    rows.push(["Head", sha(pr.headSha)]);
  }
  const group = decision.mergeGroup;
  if (group) {
    rows.push([
      "Merge group",
      `${code(group.ref)}: head ${sha(group.headSha)} on base ${sha(group.baseSha)}; the files below are the group's, the approvals the pull request's`,
    ]);
  }
  const manifest = decision.manifest;
  const status = decision.error
    ? "not evaluated"
    : { ok: "valid", missing: "missing", invalid: "invalid" }[manifest.status];
  rows.push([
    "Governance manifest",
    `${code(manifest.path)} at base ${sha(manifest.baseSha)}: ${status}${manifest.sha256 ? `, ${digest(manifest.sha256)}` : ""}`,
  ]);
  if (manifest.policy) {
    const p = manifest.policy;
    // The commit in full: the policy lives in another repository, where a short id may not be unique.
    const at =
      p.commit && p.commit !== p.ref
        ? ` (${md(p.ref)} at ${code(p.commit)})`
        : ` at ${code(p.ref)}`;
    rows.push([
      "Organisation policy",
      `${code(`${p.repository}:${p.path}`)}${at}, ${digest(p.sha256)}`,
    ]);
  }
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
  const files = `${decision.changedFiles}${decision.changedFilesTruncated ? ` (incomplete: GitHub lists at most ${MAX_PULL_REQUEST_FILES})` : ""}`;
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
  } else if (manifest.unreadablePolicy) {
    lines.push(
      `The governance manifest extends an organisation policy that could not be read, so no gate can be decided: ${md(manifest.unreadablePolicy)}. aigate reads the policy with the same access as the manifest: give it read access to the policy's repository, or correct ${code("extends")}.`,
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

function heldBack(decision: Decision): Section | undefined {
  const held = decision.answersHeldBack ?? 0;
  if (held === 0) return undefined;
  return {
    heading: "Answers held back",
    keep: true,
    body: `aigate did not post ${held === 1 ? "an answer" : `${held} answers`} to commands on this pull request: the installation is near GitHub's limit on content-creating requests, and its writes are kept for evidence. Approvals are still evaluated, recorded and counted above; \`/aigate recheck\` later brings the answers.`,
  };
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
