import type { Register, RegisterSystem, Soa } from "../../core/register/index.js";

/**
 * The register and the SoA as flat tables: what CSV, Markdown and HTML each render, so the three
 * views hold the same columns in the same order.
 */

export type Cell = string | number | null;

export interface Column {
  key: string;
  label: string;
}

export interface Table {
  /** The file stem and `--table` name, e.g. `systems`. */
  name: string;
  title: string;
  columns: Column[];
  rows: Array<Record<string, Cell>>;
  /** What to say when there are no rows. */
  empty: string;
}

export const REGISTER_TABLES = ["systems", "risks", "problems"] as const;
export type RegisterTableName = (typeof REGISTER_TABLES)[number];

const cols = (...pairs: Array<[string, string]>): Column[] =>
  pairs.map(([key, label]) => ({ key, label }));

const list = (values: readonly string[]): string => values.join("; ");

function paths(system: RegisterSystem): string {
  return Object.entries(system.paths)
    .map(([kind, globs]) => `${kind}: ${(globs ?? []).join(", ")}`)
    .join("; ");
}

function systemsTable(register: Register): Table {
  const columns = cols(
    ["repository", "Repository"],
    ["system", "System"],
    ["name", "Name"],
    ["purpose", "Purpose"],
    ["owner", "Owner"],
    ["tier", "Tier"],
    ["eu_ai_act_annex_iii", "Annex III"],
    ["lifecycle", "Lifecycle"],
    ["affected_parties", "Affected parties"],
    ["paths", "Paths"],
    ["status", "Assessment status"],
    ["review_by", "Review by"],
    ["days_until_review", "Days left"],
    ["assessment", "Assessment"],
    ["acceptance", "Acceptance"],
    ["residual_risk", "Residual risk"],
    ["errors", "Errors"],
    ["manifest_commit", "Manifest commit"],
    ["manifest_sha256", "Manifest sha256"],
  );
  if (register.with_approvals) {
    columns.push(
      ...cols(
        ["approved_pull_request", "Last approved change"],
        ["approved_at", "Merged at"],
        ["approvers", "Approvers"],
      ),
    );
  }
  return {
    name: "systems",
    title: "AI system register",
    columns,
    empty: "No AI system is declared in the repositories read.",
    rows: register.systems.map((s) => {
      const change = s.last_approved_change;
      return {
        repository: s.repository,
        system: s.system,
        name: s.name,
        purpose: s.purpose,
        owner: s.owner,
        tier: s.tier,
        eu_ai_act_annex_iii: s.eu_ai_act_annex_iii,
        lifecycle: s.lifecycle,
        affected_parties: list(s.affected_parties),
        paths: paths(s),
        status: s.assessment.status,
        review_by: s.assessment.review_by,
        days_until_review: s.assessment.days_until_review,
        assessment: s.assessment.path,
        acceptance: s.assessment.acceptance,
        residual_risk: s.assessment.residual_risk,
        errors: s.assessment.errors.join(" | ") || null,
        manifest_commit: s.manifest.commit,
        manifest_sha256: s.manifest.sha256,
        approved_pull_request: change ? `#${change.pull_request} ${change.title}` : null,
        approved_at: change?.merged_at ?? null,
        approvers: change ? list(change.approvers.map((a) => a.login)) : null,
      };
    }),
  };
}

function risksTable(register: Register): Table {
  return {
    name: "risks",
    title: "Risk register",
    columns: cols(
      ["repository", "Repository"],
      ["system", "System"],
      ["harm", "Harm"],
      ["description", "Description"],
      ["likelihood", "Likelihood"],
      ["severity", "Severity"],
      ["score", "Score"],
      ["mitigations", "Mitigations"],
      ["residual_risk", "Residual risk"],
      ["acceptance", "Acceptance"],
      ["accepted_by", "Accepted by"],
      ["accepted_at", "Accepted at"],
      ["review_by", "Review by"],
      ["flags", "Flags"],
    ),
    empty: "No harm is recorded in a current, valid assessment.",
    rows: register.risks.map((r) => ({
      repository: r.repository,
      system: r.system,
      harm: r.harm,
      description: r.description,
      likelihood: r.likelihood,
      severity: r.severity,
      score: r.score,
      mitigations: list(r.mitigations),
      residual_risk: r.residual_risk,
      acceptance: r.acceptance,
      accepted_by: list(r.accepted_by),
      accepted_at: r.accepted_at,
      review_by: r.review_by,
      flags: r.flags.join(" ") || null,
    })),
  };
}

function problemsTable(register: Register): Table {
  return {
    name: "problems",
    title: "Repositories without systems in the register",
    columns: cols(
      ["repository", "Repository"],
      ["kind", "Kind"],
      ["reason", "Reason"],
      ["errors", "Errors"],
    ),
    empty: "Every repository read is governed by a valid manifest.",
    rows: register.problems.map((p) => ({
      repository: p.repository,
      kind: p.kind,
      reason: p.reason,
      errors: p.errors.join(" | ") || null,
    })),
  };
}

export function registerTables(register: Register): Record<RegisterTableName, Table> {
  return {
    systems: systemsTable(register),
    risks: risksTable(register),
    problems: problemsTable(register),
  };
}

export function soaTable(soa: Soa): Table {
  return {
    name: "soa",
    title: soa.title,
    columns: cols(
      ["id", "Control"],
      ["title", "Title"],
      ["aigate", "aigate evidence"],
      ["gate", "Check"],
      ["records", "Records"],
      ["counts", "Counts"],
      ["applicable", "Applicable (organisation)"],
      ["justification", "Justification (organisation)"],
      ["implementation_status", "Implementation status (organisation)"],
    ),
    empty: "",
    rows: soa.controls.map((c) => ({
      id: c.id,
      title: c.title,
      aigate: c.aigate,
      gate: c.gate,
      records: c.records,
      counts: c.counts,
      applicable: null,
      justification: null,
      implementation_status: null,
    })),
  };
}
