import { z } from "zod";
import {
  ANNEX_A_AREAS,
  ANNEX_A_CONTROLS,
  ASSESSMENT_REFERENCES,
  OVERSIGHT_REFERENCES,
} from "../controls.js";
import { CHECK_NAMES } from "../report/index.js";
import type { Register } from "./schema.js";

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
const approvalCounts: Counter = (r) =>
  r.with_approvals
    ? `${r.systems.filter((s) => s.last_approved_change).length} of ${r.totals.systems} system(s) with a merged change approved by verified attestations`
    : "run aigate register --with-approvals for counts of approved changes";

const CONTRIBUTES = "aigate contributes; the control itself is wider than what a repository holds";
const ORGANISATIONAL = "lives in the organisation, not in repositories";

/** How aigate evidences each control (docs/controls.md explains the mapping). */
const EVIDENCE: Record<string, Evidence> = {
  "A.2.2": {
    status: "not evidenced by aigate",
    records:
      "the manifest's governance.policy file must exist; its content and its approval are the organisation's",
  },
  "A.2.3": { status: "not evidenced by aigate", records: ORGANISATIONAL },
  "A.2.4": { status: "not evidenced by aigate", records: ORGANISATIONAL },
  "A.3.2": {
    status: "evidenced",
    records:
      "manifest approvers and governance owners per system; signed attestations of who approved, never the author",
    counts: inventory,
  },
  "A.3.3": { status: "not evidenced by aigate", records: ORGANISATIONAL },
  "A.4.2": {
    status: "partial",
    records: `the AI system register (manifests: systems, owners, paths, evidence files); ${CONTRIBUTES}`,
    counts: inventory,
  },
  "A.4.3": {
    status: "partial",
    records: `data paths in the manifests, data sources in the assessments; ${CONTRIBUTES}`,
    counts: (r) =>
      `${r.systems.filter((s) => (s.paths.data ?? []).length > 0).length} system(s) declare data paths`,
  },
  "A.4.4": { status: "partial", records: `tooling versioned in the repositories; ${CONTRIBUTES}` },
  "A.4.5": { status: "not evidenced by aigate", records: ORGANISATIONAL },
  "A.4.6": { status: "not evidenced by aigate", records: ORGANISATIONAL },
  "A.5.2": {
    status: "evidenced",
    records: "every change to a governed path requires a current, accepted risk assessment",
    counts: assessmentCounts,
  },
  "A.5.3": {
    status: "evidenced",
    records: "versioned assessment files; their sha256 in the register and in every check run",
    counts: assessmentCounts,
  },
  "A.5.4": {
    status: "evidenced",
    records:
      "affected parties and harms with likelihood, severity and residual risk (risk register)",
    counts: (r) =>
      `${r.totals.risks} harm(s) in the risk register, ${r.totals.flagged_risks} flagged`,
  },
  "A.5.5": {
    status: "partial",
    records: `harms and residual risk in the assessments; societal impact only where an assessment names it; ${CONTRIBUTES}`,
    counts: (r) => `${r.totals.risks} harm(s) in the risk register`,
  },
  "A.6.1.2": { status: "not evidenced by aigate", records: ORGANISATIONAL },
  "A.6.1.3": { status: "not evidenced by aigate", records: ORGANISATIONAL },
  "A.6.2.2": { status: "partial", records: `documents in the repositories; ${CONTRIBUTES}` },
  "A.6.2.3": { status: "partial", records: `documents in the repositories; ${CONTRIBUTES}` },
  "A.6.2.4": {
    status: "partial",
    records: `the assessment and the tier's evidence are current at the head of each change; ${CONTRIBUTES}`,
    counts: assessmentCounts,
  },
  "A.6.2.5": {
    status: "evidenced",
    records:
      "a change is approved by designated people before it can be merged (check runs, signed attestations)",
    counts: approvalCounts,
  },
  "A.6.2.6": {
    status: "partial",
    records: `the monitoring section of each assessment; ${CONTRIBUTES}`,
    counts: (r) => `${assessed(r)} current assessment(s) name monitoring metrics`,
  },
  "A.6.2.7": {
    status: "partial",
    records: `evidence files the tier requires (model card, data sheet); ${CONTRIBUTES}`,
  },
  "A.6.2.8": {
    status: "partial",
    records: `check runs and attestations log governance decisions, not the AI system's own events; ${CONTRIBUTES}`,
  },
  "A.7.2": {
    status: "partial",
    records: `data sources in the assessments; ${CONTRIBUTES}`,
    counts: dataCounts,
  },
  "A.7.3": {
    status: "partial",
    records: `data sources in the assessments; ${CONTRIBUTES}`,
    counts: dataCounts,
  },
  "A.7.4": {
    status: "partial",
    records: `bias assessment in the assessments; ${CONTRIBUTES}`,
    counts: dataCounts,
  },
  "A.7.5": {
    status: "partial",
    records: `data sources in the assessments; ${CONTRIBUTES}`,
    counts: dataCounts,
  },
  "A.7.6": {
    status: "partial",
    records: `data paths and data sheet evidence; ${CONTRIBUTES}`,
    counts: dataCounts,
  },
  "A.8.2": { status: "not evidenced by aigate", records: ORGANISATIONAL },
  "A.8.3": { status: "not evidenced by aigate", records: ORGANISATIONAL },
  "A.8.4": { status: "not evidenced by aigate", records: ORGANISATIONAL },
  "A.8.5": { status: "not evidenced by aigate", records: ORGANISATIONAL },
  "A.9.2": {
    status: "partial",
    records: "human-oversight check: human oversight is Annex B guidance under A.9",
    counts: approvalCounts,
  },
  "A.9.3": {
    status: "partial",
    records: "human-oversight check: human oversight is Annex B guidance under A.9",
  },
  "A.9.4": {
    status: "evidenced",
    records:
      "each system's declared purpose and the assessment's intended use; approvers sign off against them",
    counts: (r) => `${r.totals.systems} system(s) with a declared purpose`,
  },
  "A.10.2": { status: "not evidenced by aigate", records: ORGANISATIONAL },
  "A.10.3": {
    status: "partial",
    records: `supplier models and data declared as systems or data sources; ${CONTRIBUTES}`,
  },
  "A.10.4": { status: "not evidenced by aigate", records: ORGANISATIONAL },
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
      counts: evidence.counts ? evidence.counts(register) : null,
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
