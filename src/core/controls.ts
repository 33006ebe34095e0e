import type { Tier } from "./manifest/schema.js";

/**
 * The references each gate evidences: ISO/IEC 42001:2023 clauses and Annex A controls, the
 * EU AI Act (Regulation (EU) 2024/1689) and the NIST AI RMF 1.0. One place, so reports, the
 * export and the docs never disagree. Annex B of ISO/IEC 42001 is implementation guidance
 * for the Annex A controls, not controls of its own.
 */

export type Gate = "assessment" | "oversight";

export type Framework = "ISO/IEC 42001" | "EU AI Act" | "NIST AI RMF";

export interface ControlReference {
  framework: Framework;
  /** e.g. "8.2", "A.5.2", "Art. 9", "MAP 1.1". */
  id: string;
  title: string;
  /** How the gate evidences it, when that is narrower than the reference. */
  note?: string;
}

export type AnnexAArea = "A.2" | "A.3" | "A.4" | "A.5" | "A.6" | "A.7" | "A.8" | "A.9" | "A.10";

export interface AnnexAControl {
  id: string;
  title: string;
  area: AnnexAArea;
  /** Whether a repository (manifest, assessments, evidence, signed approvals) can evidence it. */
  repositoryEvidence: boolean;
}

export const ANNEX_A_AREAS: Record<AnnexAArea, string> = {
  "A.2": "Policies related to AI",
  "A.3": "Internal organization",
  "A.4": "Resources for AI systems",
  "A.5": "Assessing impacts of AI systems",
  "A.6": "AI system life cycle",
  "A.7": "Data for AI systems",
  "A.8": "Information for interested parties of AI systems",
  "A.9": "Use of AI systems",
  "A.10": "Third-party and customer relationships",
};

// Which controls a repository can evidence: A.3.2, A.4.2–A.4.4, A.5.x, A.6.2.x, A.7.x, A.9.4 and
// A.10.3. Everything else lives in the organisation and is reported as a gap, not claimed.
const control = (id: string, title: string, repositoryEvidence: boolean): AnnexAControl => ({
  id,
  title,
  area: id.split(".").slice(0, 2).join(".") as AnnexAArea,
  repositoryEvidence,
});

/** The 38 controls of ISO/IEC 42001:2023 Annex A, in order. */
export const ANNEX_A_CONTROLS: readonly AnnexAControl[] = [
  control("A.2.2", "AI policy", false),
  control("A.2.3", "Alignment with other organisational policies", false),
  control("A.2.4", "Review of the AI policy", false),
  control("A.3.2", "AI roles and responsibilities", true),
  control("A.3.3", "Reporting of concerns", false),
  control("A.4.2", "Resource documentation", true),
  control("A.4.3", "Data resources", true),
  control("A.4.4", "Tooling resources", true),
  control("A.4.5", "System and computing resources", false),
  control("A.4.6", "Human resources", false),
  control("A.5.2", "AI system impact assessment process", true),
  control("A.5.3", "Documentation of AI system impact assessments", true),
  control("A.5.4", "Assessing AI system impact on individuals or groups of individuals", true),
  control("A.5.5", "Assessing societal impacts of AI systems", true),
  control("A.6.1.2", "Objectives for responsible development of AI system", false),
  control("A.6.1.3", "Processes for responsible AI system design and development", false),
  control("A.6.2.2", "AI system requirements and specification", true),
  control("A.6.2.3", "Documentation of AI system design and development", true),
  control("A.6.2.4", "AI system verification and validation", true),
  control("A.6.2.5", "AI system deployment", true),
  control("A.6.2.6", "AI system operation and monitoring", true),
  control("A.6.2.7", "AI system technical documentation", true),
  control("A.6.2.8", "AI system recording of event logs", true),
  control("A.7.2", "Data for development and enhancement of AI system", true),
  control("A.7.3", "Acquisition of data", true),
  control("A.7.4", "Quality of data for AI systems", true),
  control("A.7.5", "Data provenance", true),
  control("A.7.6", "Data preparation", true),
  control("A.8.2", "System documentation and information for users", false),
  control("A.8.3", "External reporting", false),
  control("A.8.4", "Communication of incidents", false),
  control("A.8.5", "Information for interested parties", false),
  control("A.9.2", "Processes for responsible use of AI systems", false),
  control("A.9.3", "Objectives for responsible use of AI system", false),
  control("A.9.4", "Intended use of the AI system", true),
  control("A.10.2", "Allocating responsibilities", false),
  control("A.10.3", "Suppliers", true),
  control("A.10.4", "Customers", false),
];

/** An Annex A control by id (throws on an unknown id: the tables below are checked by tests). */
export function annexA(id: string): AnnexAControl {
  const found = ANNEX_A_CONTROLS.find((c) => c.id === id);
  if (!found) throw new Error(`unknown ISO/IEC 42001 Annex A control ${id}`);
  return found;
}

const iso = (id: string, note?: string): ControlReference => ({
  framework: "ISO/IEC 42001",
  id,
  title: annexA(id).title,
  ...(note ? { note } : {}),
});

const clause = (id: string, title: string, note?: string): ControlReference => ({
  framework: "ISO/IEC 42001",
  id: `cl. ${id}`,
  title,
  ...(note ? { note } : {}),
});

const euAiAct = (article: number, title: string, note?: string): ControlReference => ({
  framework: "EU AI Act",
  id: `Art. ${article}`,
  title,
  ...(note ? { note } : {}),
});

const nist = (id: string, title: string): ControlReference => ({
  framework: "NIST AI RMF",
  id,
  title,
});

/** What the risk-assessment gate evidences, for every change it decides. */
export const ASSESSMENT_REFERENCES: readonly ControlReference[] = [
  clause("8.2", "AI risk assessment", "performed when a significant change is proposed"),
  clause("8.4", "AI system impact assessment", "performed when a significant change is proposed"),
  iso("A.5.2"),
  iso("A.5.3"),
  iso("A.5.4"),
  iso("A.5.5"),
  iso("A.6.2.4", "the assessment and its evidence are current at the head of the change"),
  iso("A.7.2"),
  iso("A.7.3"),
  iso("A.7.4"),
  iso("A.7.5"),
  iso("A.7.6"),
  euAiAct(9, "Risk management system"),
  euAiAct(10, "Data and data governance"),
  nist("GOVERN 1.6", "Mechanisms are in place to inventory AI systems"),
  nist("MAP 1.1", "Intended purposes, context and potential impacts are understood and documented"),
];

/** What the human-oversight gate evidences, for every change it decides. */
export const OVERSIGHT_REFERENCES: readonly ControlReference[] = [
  iso("A.3.2", "designated approvers, never the author, sign off"),
  iso("A.6.2.5", "the change is approved before it is merged"),
  iso("A.9.2", "contributes: human oversight is Annex B guidance under A.9"),
  iso("A.9.3", "contributes: human oversight is Annex B guidance under A.9"),
  iso("A.9.4", "approvers sign off against the declared purpose and tier"),
  euAiAct(14, "Human oversight"),
  nist("MAP 3.5", "Processes for human oversight are defined, assessed and documented"),
  nist("MANAGE 1.1", "A go/no-go decision on development or deployment is made"),
];

const PROHIBITED = euAiAct(5, "Prohibited AI practices", "the change is blocked");
const LIMITED = euAiAct(
  50,
  "Transparency obligations for providers and deployers of certain AI systems",
  "disclosure evidence",
);

const PLANNING_OF_CHANGES = clause(
  "6.3",
  "Planning of changes",
  "the governance owners approve changes to the manifest",
);

/**
 * The references a gate evidences for a change touching systems of these tiers: Art. 5 when a
 * prohibited system is touched (both gates), Art. 50 when a limited one is (risk assessment),
 * cl. 6.3 when the change modifies the manifest (human oversight).
 */
export function referencesFor(
  gate: Gate,
  tiers: readonly Tier[] = [],
  manifestChanged = false,
): ControlReference[] {
  const refs = [...(gate === "assessment" ? ASSESSMENT_REFERENCES : OVERSIGHT_REFERENCES)];
  if (tiers.includes("prohibited")) refs.push(PROHIBITED);
  if (gate === "assessment" && tiers.includes("limited")) refs.push(LIMITED);
  if (gate === "oversight" && manifestChanged) refs.push(PLANNING_OF_CHANGES);
  return refs;
}
