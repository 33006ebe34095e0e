import type { CsvValue } from "../../report/csv.js";
import {
  GATE_OUTCOMES,
  type GateCounts,
  type GateOutcome,
  type Register,
  type RegisterSystem,
} from "../schema.js";
import type { Soa } from "../soa.js";

/**
 * The register and the SoA as flat tables: what CSV, Markdown and HTML each render, so the three
 * views hold the same columns in the same order.
 */

export type Cell = CsvValue;

/**
 * Which views show a column: a register is too wide for every column everywhere. `brief`
 * columns are in every view, Markdown included; `page` columns in the HTML page and CSV; `file`
 * columns only in CSV, the form to process.
 */
export type ColumnView = "brief" | "page" | "file";

export interface Column {
  key: string;
  label: string;
  view: ColumnView;
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

export const REGISTER_TABLES = ["systems", "risks", "problems", "checks"] as const;
export type RegisterTableName = (typeof REGISTER_TABLES)[number];

/** The tables this register holds: `checks` only when check runs were counted. */
export function registerTableNames(register: Register): RegisterTableName[] {
  return REGISTER_TABLES.filter((name) => name !== "checks" || register.check_runs !== undefined);
}

/** Columns as `[key, label]`, or `[key, label, view]` when not shown in every view. */
const cols = (...columns: Array<[string, string] | [string, string, ColumnView]>): Column[] =>
  columns.map(([key, label, view = "brief"]) => ({ key, label, view }));

/** The columns of `table` that `view` shows, in order. */
export function columnsFor(table: Table, view: ColumnView): Column[] {
  const shown: Record<ColumnView, readonly ColumnView[]> = {
    brief: ["brief"],
    page: ["brief", "page"],
    file: ["brief", "page", "file"],
  };
  return table.columns.filter((c) => shown[view].includes(c.view));
}

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
    ["purpose", "Purpose", "page"],
    ["owner", "Owner"],
    ["tier", "Tier"],
    ["eu_ai_act_annex_iii", "Annex III"],
    ["lifecycle", "Lifecycle"],
    ["affected_parties", "Affected parties", "file"],
    ["paths", "Paths", "file"],
    ["status", "Assessment status"],
    ["review_by", "Review by"],
    ["days_until_review", "Days left"],
    ["assessment", "Assessment", "file"],
    ["acceptance", "Acceptance", "page"],
    ["residual_risk", "Residual risk", "page"],
    ["errors", "Errors", "page"],
    ["manifest_commit", "Manifest commit", "page"],
    ["manifest_sha256", "Manifest sha256", "file"],
  );
  if (register.with_approvals) {
    columns.push(
      ...cols(
        ["approved_pull_request", "Last approved change"],
        ["approved_at", "Merged at", "page"],
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
      ["mitigations", "Mitigations", "page"],
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

/** What the check-run counts cover and what they do not, said above their table. */
export function checksCaption(register: Register): string | null {
  const c = register.check_runs;
  if (!c) return null;
  return `What the two aigate checks written by the App ${c.app} concluded on the final head of each pull request merged among the last ${c.pull_requests_per_repository} closed pull requests (by last update) of each governed repository: ${c.totals.merged} merged pull request(s), ${c.totals.approvals_counted} approval(s) counted. Pull requests merged before that window, changes pushed without a pull request, and check runs by other Apps are not counted.`;
}

type GateCheck = "risk_assessment" | "human_oversight";

/**
 * Which outcome columns each view shows: the brief ones everywhere, the others on the page and
 * in CSV, except that the risk-assessment gate never waits for anyone (only CSV, which keeps
 * every column, has its `action_required`).
 */
function outcomeView(check: GateCheck, outcome: GateOutcome): ColumnView {
  if (check === "risk_assessment") {
    return outcome === "success" ? "brief" : outcome === "action_required" ? "file" : "page";
  }
  return outcome === "success" || outcome === "failure" ? "brief" : "page";
}

function checksTable(register: Register): Table {
  const outcomeColumns = (["risk_assessment", "human_oversight"] as const).flatMap((check) =>
    GATE_OUTCOMES.map((o): [string, string, ColumnView] => [
      `${check}_${o}`,
      `${check === "risk_assessment" ? "Risk assessment" : "Human oversight"}: ${o.replaceAll("_", " ")}`,
      outcomeView(check, o),
    ]),
  );
  const c = register.check_runs;
  const row = (repository: string, counts: GateCounts): Record<string, Cell> => {
    const cells: Record<string, Cell> = {
      repository,
      pull_requests: counts.pull_requests,
      merged: counts.merged,
      merged_with_both_checks: counts.merged_with_both_checks,
      approvals_counted: counts.approvals_counted,
      merged_with_counted_approvals: counts.merged_with_counted_approvals,
    };
    for (const o of GATE_OUTCOMES) {
      cells[`risk_assessment_${o}`] = counts.risk_assessment[o];
      cells[`human_oversight_${o}`] = counts.human_oversight[o];
    }
    return cells;
  };
  return {
    name: "checks",
    title: "Check runs of recently merged pull requests",
    columns: cols(
      ["repository", "Repository"],
      ["pull_requests", "Closed pull requests read", "page"],
      ["merged", "Merged"],
      ["merged_with_both_checks", "Merged with both checks"],
      ...outcomeColumns,
      ["approvals_counted", "Approvals counted"],
      ["merged_with_counted_approvals", "Merged with counted approvals", "page"],
    ),
    empty: c
      ? "No governed repository was read."
      : "Check runs were not counted: run with --with-check-runs.",
    rows: c ? c.repositories.map((r) => row(r.repository, r)) : [],
  };
}

export function registerTables(register: Register): Record<RegisterTableName, Table> {
  return {
    systems: systemsTable(register),
    risks: risksTable(register),
    problems: problemsTable(register),
    checks: checksTable(register),
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
