import * as z from "zod";
import {
  ANNEX_A_AREAS,
  ANNEX_A_CONTROLS,
  ASSESSMENT_REFERENCES,
  OVERSIGHT_REFERENCES,
} from "../controls.js";
import { CHECK_NAMES } from "../report/index.js";
import { type CheckRunCounts, GATE_OUTCOMES, type GateOutcome, type Register } from "./schema.js";

/**
 * A draft Statement of Applicability (ISO/IEC 42001 cl. 6.1.3 d): the 38 Annex A controls, what
 * aigate evidences for each in this organisation, and empty columns for the organisation's own
 * decisions. It never claims conformity (docs/audit.md).
 */

export const SOA_STATUSES = ["evidenced", "partial", "not evidenced by aigate"] as const;
export type SoaStatus = (typeof SOA_STATUSES)[number];

export const SOA_TITLE = "Statement of Applicability (draft), ISO/IEC 42001:2023 Annex A";

/** What every rendering of the SoA says first. */
export const SOA_DISCLAIMER =
  "DRAFT for the organisation to complete. aigate lists what its gates and records evidence " +
  "from the repositories; the applicability decision, its justification and the implementation " +
  "status are the organisation's to decide and write. This draft does not claim conformity " +
  "with ISO/IEC 42001: only an accredited certification body certifies an AI management system.";

const SoaRowSchema = z
  .strictObject({
    id: z.string().describe("Annex A control id, e.g. A.5.2."),
    title: z.string(),
    area: z.string().describe("Annex A area, e.g. A.5."),
    area_title: z.string(),
    aigate: z.enum(SOA_STATUSES).describe("What aigate evidences for the control."),
    gate: z.string().nullable().describe("The check run that evidences it, if any."),
    records: z.string().describe("Which records hold the evidence, or why there are none."),
    counts: z.string().nullable().describe("Figures from the register."),
    applicable: z.null().describe("The organisation's decision: left empty."),
    justification: z.null().describe("The organisation's justification: left empty."),
    implementation_status: z
      .null()
      .describe("The organisation's implementation status: left empty."),
  })
  .meta({ id: "SoaRow", description: "One Annex A control of the draft." });

export const SoaSchema = z.strictObject({
  version: z.literal(1),
  title: z.string(),
  disclaimer: z.string(),
  generated_at: z.string(),
  source: z.strictObject({ kind: z.enum(["checkout", "github"]), description: z.string() }),
  controls: z.array(SoaRowSchema).length(38),
});

export type SoaRow = z.infer<typeof SoaRowSchema>;
export type Soa = z.infer<typeof SoaSchema>;

type Counter = (r: Register) => string;

interface Evidence {
  status: SoaStatus;
  records: string;
  counts?: Counter;
}

const assessed = (r: Register) =>
  r.systems.filter((s) => s.assessment.status === "current" || s.assessment.status === "expiring")
    .length;
const required = (r: Register) =>
  r.systems.filter((s) => s.assessment.status !== "not_required").length;

const inventory: Counter = (r) =>
  `${r.totals.systems} AI system(s) in ${r.totals.governed} governed repository(ies) of ${r.totals.repositories}`;
const assessmentCounts: Counter = (r) => {
  const s = r.totals.by_status;
  return `${assessed(r)} of ${required(r)} required assessment(s) current (${s.expiring} expiring); ${s.expired} expired, ${s.missing} missing, ${s.invalid} invalid`;
};
const dataCounts: Counter = (r) =>
  `${assessed(r)} current assessment(s) name data sources and a bias assessment`;
/** Counts joined; a counter with nothing to say ("") is left out. */
const joined =
  (...counters: Counter[]): Counter =>
  (r) =>
    counters
      .map((count) => count(r))
      .filter((text) => text !== "")
      .join("; ");

const outcomes = (counts: Record<GateOutcome, number>): string =>
  GATE_OUTCOMES.filter((o) => counts[o] > 0)
    .map((o) => `${counts[o]} ${o.replaceAll("_", " ")}`)
    .join(", ") || "none";

/** The pull requests the check-run counts cover, as a reader needs it said. */
const window = (c: CheckRunCounts): string =>
  `${c.totals.merged} pull request(s) merged among the last ${c.pull_requests_per_repository} closed of each governed repository`;

const approvedChanges: Counter = (r) =>
  r.with_approvals
    ? `${r.systems.filter((s) => s.last_approved_change).length} of ${r.totals.systems} system(s) with a merged change approved by verified attestations`
    : "";
const oversightRuns: Counter = ({ check_runs: c }) =>
  c
    ? `human-oversight check by ${c.app} on ${window(c)}: ${outcomes(c.totals.human_oversight)}; ${c.totals.approvals_counted} approval(s) counted, on ${c.totals.merged_with_counted_approvals} pull request(s)`
    : "";
const assessmentRuns: Counter = ({ check_runs: c }) =>
  c
    ? `risk-assessment check by ${c.app} on ${window(c)}: ${outcomes(c.totals.risk_assessment)}`
    : "";
const recordedRuns: Counter = ({ check_runs: c }) =>
  c ? `${c.totals.merged_with_both_checks} of ${window(c)} carry both aigate check runs` : "";
const approvalCounts: Counter = (r) =>
  joined(approvedChanges, oversightRuns)(r) ||
  "with --org or --repo, --with-approvals and --with-check-runs add counts of approved changes and of check runs";

const CONTRIBUTES = "aigate contributes; the control itself is wider than what a repository holds";

/** A control aigate evidences on every change. */
const evidenced = (records: string, counts?: Counter): Evidence => ({
  status: "evidenced",
  records,
  ...(counts ? { counts } : {}),
});

/** A control aigate contributes to; `records` says what it holds. */
const partial = (records: string, counts?: Counter): Evidence => ({
  status: "partial",
  records: `${records}; ${CONTRIBUTES}`,
  ...(counts ? { counts } : {}),
});

/** A control that lives in the organisation, not in repositories. */
const organisational = (records = "lives in the organisation, not in repositories"): Evidence => ({
  status: "not evidenced by aigate",
  records,
});

const DATA_SOURCES = "data sources in the assessments";
const OVERSIGHT_GUIDANCE = "human-oversight check: human oversight is Annex B guidance under A.9";

/** How aigate evidences each control (docs/controls.md explains the mapping). */
const EVIDENCE: Record<string, Evidence> = {
  "A.2.2": organisational(
    "the manifest's governance.policy file must exist; its content and its approval are the organisation's",
  ),
  "A.2.3": organisational(),
  "A.2.4": organisational(),
  "A.3.2": evidenced(
    "manifest approvers and governance owners per system; signed attestations of who approved, never the author",
    inventory,
  ),
  "A.3.3": organisational(),
  "A.4.2": partial(
    "the AI system register (manifests: systems, owners, paths, evidence files)",
    inventory,
  ),
  "A.4.3": partial(
    "data paths in the manifests, data sources in the assessments",
    (r) =>
      `${r.systems.filter((s) => (s.paths.data ?? []).length > 0).length} system(s) declare data paths`,
  ),
  "A.4.4": partial("tooling versioned in the repositories"),
  "A.4.5": organisational(),
  "A.4.6": organisational(),
  "A.5.2": evidenced(
    "every change to a governed path requires a current, accepted risk assessment",
    joined(assessmentCounts, assessmentRuns),
  ),
  "A.5.3": evidenced(
    "versioned assessment files; their sha256 in the register and in every check run",
    assessmentCounts,
  ),
  "A.5.4": evidenced(
    "affected parties and harms with likelihood, severity and residual risk (risk register)",
    (r) => `${r.totals.risks} harm(s) in the risk register, ${r.totals.flagged_risks} flagged`,
  ),
  "A.5.5": partial(
    "harms and residual risk in the assessments; societal impact only where an assessment names it",
    (r) => `${r.totals.risks} harm(s) in the risk register`,
  ),
  "A.6.1.2": organisational(),
  "A.6.1.3": organisational(),
  "A.6.2.2": partial("documents in the repositories"),
  "A.6.2.3": partial("documents in the repositories"),
  "A.6.2.4": partial(
    "the assessment and the tier's evidence are current at the head of each change",
    assessmentCounts,
  ),
  "A.6.2.5": evidenced(
    "a change is approved by designated people before it can be merged (check runs, signed attestations)",
    approvalCounts,
  ),
  "A.6.2.6": partial(
    "the monitoring section of each assessment",
    (r) => `${assessed(r)} current assessment(s) name monitoring metrics`,
  ),
  "A.6.2.7": partial("evidence files the tier requires (model card, data sheet)"),
  "A.6.2.8": partial(
    "check runs and attestations log governance decisions, not the AI system's own events",
    recordedRuns,
  ),
  "A.7.2": partial(DATA_SOURCES, dataCounts),
  "A.7.3": partial(DATA_SOURCES, dataCounts),
  "A.7.4": partial("bias assessment in the assessments", dataCounts),
  "A.7.5": partial(DATA_SOURCES, dataCounts),
  "A.7.6": partial("data paths and data sheet evidence", dataCounts),
  "A.8.2": organisational(),
  "A.8.3": organisational(),
  "A.8.4": organisational(),
  "A.8.5": organisational(),
  // Oversight is guidance under A.9, not a control of its own: aigate contributes to A.9.2 and A.9.3.
  "A.9.2": { status: "partial", records: OVERSIGHT_GUIDANCE, counts: approvalCounts },
  "A.9.3": { status: "partial", records: OVERSIGHT_GUIDANCE },
  "A.9.4": evidenced(
    "each system's declared purpose and the assessment's intended use; approvers sign off against them",
    (r) => `${r.totals.systems} system(s) with a declared purpose`,
  ),
  "A.10.2": organisational(),
  "A.10.3": partial("supplier models and data declared as systems or data sources"),
  "A.10.4": organisational(),
};

function gateOf(id: string): string | null {
  const gates: string[] = [];
  if (ASSESSMENT_REFERENCES.some((r) => r.id === id)) gates.push(CHECK_NAMES.assessment);
  if (OVERSIGHT_REFERENCES.some((r) => r.id === id)) gates.push(CHECK_NAMES.oversight);
  return gates.length > 0 ? gates.join("; ") : null;
}

/** The draft SoA: one row per Annex A control, in order, with counts from the register. */
export function buildSoa(register: Register, generatedAt: string = register.generated_at): Soa {
  const controls = ANNEX_A_CONTROLS.map((control): SoaRow => {
    const evidence = EVIDENCE[control.id];
    if (!evidence) throw new Error(`no Statement of Applicability entry for ${control.id}`);
    return {
      id: control.id,
      title: control.title,
      area: control.area,
      area_title: ANNEX_A_AREAS[control.area],
      aigate: evidence.status,
      gate: gateOf(control.id),
      records: evidence.records,
      counts: evidence.counts?.(register) || null,
      applicable: null,
      justification: null,
      implementation_status: null,
    };
  });
  return {
    version: 1,
    title: SOA_TITLE,
    disclaimer: SOA_DISCLAIMER,
    generated_at: generatedAt,
    source: register.source,
    controls,
  };
}
