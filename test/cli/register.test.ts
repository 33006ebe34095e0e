import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "csv-parse/sync";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/index.js";
import type { Register, Soa } from "../../src/core/register/index.js";
import { ROOT, TempRepo } from "../support/git-repo.js";

const NOW = "2026-11-27T12:00:00Z";
const CREDIT = "governance/assessments/credit-scoring.yml";
const SUPPORT = "governance/assessments/support-assistant.yml";
const repos: TempRepo[] = [];
const dirs: string[] = [];

afterAll(() => {
  for (const r of repos) rmSync(r.dir, { recursive: true, force: true });
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function demo(): TempRepo {
  const repo = TempRepo.fromDemo();
  repos.push(repo);
  return repo;
}

/** Runs the CLI in-process in `cwd`, at the fixed time NOW. */
async function aigate(
  cwd: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(["node", "aigate", ...args], {
    cwd,
    env: { AIGATE_NOW: NOW },
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

/** Replaces what changes from run to run (the commit of a fresh repository). */
function normalise(text: string, repo: TempRepo): string {
  const head = repo.git("rev-parse", "HEAD").trim();
  return text
    .replaceAll(head, "<commit>")
    .replaceAll(head.slice(0, 12), "<commit12>")
    .replaceAll(basename(repo.dir), "<repo>");
}

function schema(name: string) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  return ajv.compile(JSON.parse(readFileSync(join(ROOT, "schemas", name), "utf8")));
}

const csv = (text: string): Array<Record<string, string>> =>
  parse(text, { columns: true, record_delimiter: "\r\n" });

describe("aigate register on the example repository (offline)", () => {
  it("lists its three systems, their assessments and harms, and exits 0 (snapshot)", async () => {
    const repo = demo();
    const run = await aigate(repo.dir, "register", "--format", "md");
    expect(run.code, run.stderr).toBe(0);
    expect(normalise(run.stdout, repo)).toMatchSnapshot();
    expect(run.stderr).toContain("aigate: [1/1] ");
    expect(run.stderr).toContain(
      "3 AI system(s) in 1 governed of 1 repository(ies); 0 assessment(s) expired, missing or invalid",
    );
  });

  it("writes JSON that its published JSON Schema accepts, with the manifest's commit and digest", async () => {
    const repo = demo();
    const run = await aigate(repo.dir, "register");
    expect(run.code).toBe(0);
    const register = JSON.parse(run.stdout) as Register;
    const validate = schema("ai-register.schema.json");
    expect(validate(register), JSON.stringify(validate.errors)).toBe(true);
    const credit = register.systems.find((s) => s.system === "credit-scoring");
    expect(credit).toMatchObject({
      tier: "high",
      eu_ai_act_annex_iii: "5(b)",
      assessment: { status: "current", review_by: "2027-09-15" },
      manifest: {
        path: ".github/ai-governance.yml",
        commit: repo.git("rev-parse", "HEAD").trim(),
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
    expect(register.risks.map((r) => [r.harm, r.score])).toEqual([
      ["disparate-impact", 12],
      ["stale-model", 6],
      [null, 6],
    ]);
  });

  it("reads what is committed, not uncommitted edits", async () => {
    const repo = demo();
    repo.edit(CREDIT, 'review_by: "2027-09-15"', "review_by: 2026-01-01");
    const run = await aigate(repo.dir, "register");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).systems[1].assessment.review_by).toBe("2027-09-15");
  });
});

describe("aigate register: expired, expiring, missing and invalid assessments", () => {
  it("exits 1 for an expired assessment and flags its harms; an expiring one alone exits 0", async () => {
    const repo = demo();
    repo.edit(SUPPORT, 'review_by: "2027-08-01"', "review_by: 2026-12-10");
    repo.commitAll("support review due soon");
    const expiring = await aigate(repo.dir, "register");
    expect(expiring.code).toBe(0);
    const soon = JSON.parse(expiring.stdout) as Register;
    expect(soon.systems.find((s) => s.system === "support-assistant")?.assessment).toMatchObject({
      status: "expiring",
      days_until_review: 13,
    });
    expect(soon.risks.find((r) => r.system === "support-assistant")?.flags).toEqual([
      "assessment_expiring",
    ]);

    repo.edit(CREDIT, 'review_by: "2027-09-15"', "review_by: 2026-11-01");
    repo.commitAll("credit review overdue");
    const expired = await aigate(repo.dir, "register", "--expiring-within", "7");
    expect(expired.code).toBe(1);
    const register = JSON.parse(expired.stdout) as Register;
    expect(register.systems.map((s) => [s.system, s.assessment.status])).toEqual([
      ["churn-forecast", "not_required"],
      ["credit-scoring", "expired"],
      ["support-assistant", "current"],
    ]);
    expect(register.expiring_within_days).toBe(7);
    expect(register.risks.filter((r) => r.flags.includes("assessment_expired"))).toHaveLength(2);
  });

  it("exits 1 for a missing assessment and one that names another system, saying why", async () => {
    const repo = demo();
    repo.git("rm", "-q", SUPPORT);
    repo.edit(CREDIT, "system: credit-scoring", "system: support-assistant");
    repo.commitAll("break the assessments");
    const run = await aigate(repo.dir, "register", "--format", "md");
    expect(run.code).toBe(1);
    const name = basename(repo.dir);
    expect(run.stdout).toContain(
      `- ${name} credit-scoring: ${CREDIT}: names system "support-assistant", but the manifest points credit-scoring at this file`,
    );
    expect(run.stdout).toContain(`- ${name} support-assistant: ${SUPPORT} does not exist`);
    expect(run.stderr).toContain("2 assessment(s) expired, missing or invalid");
  });
});

describe("aigate register: repositories that contribute no system", () => {
  it("names a manifest that is not YAML, with its location, and exits 1", async () => {
    const repo = demo();
    repo.write(".github/ai-governance.yml", "version: 1\nsystems: [\n  - id: x\n");
    repo.commitAll("break the manifest");
    const run = await aigate(repo.dir, "register");
    expect(run.code).toBe(1);
    const register = JSON.parse(run.stdout) as Register;
    expect(register.systems).toEqual([]);
    expect(register.problems).toEqual([
      expect.objectContaining({
        repository: basename(repo.dir),
        kind: "invalid_manifest",
        errors: [expect.stringMatching(/^\.github\/ai-governance\.yml:\d+:\d+: /)],
      }),
    ]);
  });

  it("counts a folder without a manifest as not governed, which is no failure", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aigate-plain-"));
    dirs.push(dir);
    writeFileSync(join(dir, "README.md"), "nothing governed here\n");
    const run = await aigate(dir, "register", "--format", "md");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("| not\\_governed | no .github/ai-governance.yml: not governed |");
  });

  it("reads several checkouts into one register", async () => {
    const a = demo();
    const b = demo();
    const run = await aigate(ROOT, "register", a.dir, b.dir);
    const register = JSON.parse(run.stdout) as Register;
    expect(register.totals).toMatchObject({ repositories: 2, governed: 2, systems: 6 });
  });
});

describe("aigate register --format csv", () => {
  it("writes one formula-safe file per table into --out DIR, read back by a CSV parser", async () => {
    const repo = demo();
    repo.edit(
      ".github/ai-governance.yml",
      "purpose: Rank consumer credit applications for manual review",
      `purpose: '=HYPERLINK("http://evil.example","click"), then "quoted"'`,
    );
    repo.commitAll("hostile purpose");
    const run = await aigate(repo.dir, "register", "--format", "csv", "--out", "out");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe("");
    expect(readdirSync(join(repo.dir, "out")).sort()).toEqual([
      "problems.csv",
      "risks.csv",
      "systems.csv",
    ]);
    const systems = csv(readFileSync(join(repo.dir, "out", "systems.csv"), "utf8"));
    expect(systems.map((s) => [s.System, s["Assessment status"]])).toEqual([
      ["churn-forecast", "not_required"],
      ["credit-scoring", "current"],
      ["support-assistant", "current"],
    ]);
    expect(systems[1]?.Purpose).toBe(`'=HYPERLINK("http://evil.example","click"), then "quoted"`);
    const risks = csv(readFileSync(join(repo.dir, "out", "risks.csv"), "utf8"));
    expect(risks.map((r) => Number(r.Score))).toEqual([12, 6, 6]);
    expect(risks[0]?.["Accepted by"]).toBe("alice; carol");
    expect(csv(readFileSync(join(repo.dir, "out", "problems.csv"), "utf8"))).toEqual([]);
  });

  it("writes one table to standard output with --table", async () => {
    const repo = demo();
    const run = await aigate(repo.dir, "register", "--format", "csv", "--table", "risks");
    expect(run.code).toBe(0);
    expect(csv(run.stdout).map((r) => r.Harm)).toEqual(["disparate-impact", "stale-model", ""]);
  });
});

describe("aigate register: where output goes", () => {
  it("replaces --out whole, and leaves the previous file untouched when a run fails", async () => {
    const repo = demo();
    writeFileSync(join(repo.dir, "register.json"), "previous\n");
    const ok = await aigate(repo.dir, "register", "--out", "register.json");
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain("aigate: wrote register.json");
    const written = readFileSync(join(repo.dir, "register.json"), "utf8");
    expect(JSON.parse(written).version).toBe(1);

    writeFileSync(join(repo.dir, "register.json"), "previous\n");
    const failed = await aigate(repo.dir, "register", "nowhere", "--out", "register.json");
    expect(failed.code).toBe(2);
    expect(readFileSync(join(repo.dir, "register.json"), "utf8")).toBe("previous\n");
    expect(readdirSync(repo.dir).filter((f) => f.startsWith("register.json."))).toEqual([]);
  });

  it("exits 2 when --out cannot be written", async () => {
    const repo = demo();
    const run = await aigate(repo.dir, "register", "--out", "no/such/folder/r.json");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("cannot write no/such/folder/r.json (ENOENT)");
  });
});

describe("aigate register: usage errors (exit 2)", () => {
  it.each([
    [["--format", "pdf"], "argument 'pdf' is invalid"],
    [["--expiring-within", "soon"], "--expiring-within soon: a number of days"],
    [["--format", "csv"], "CSV is one file per table"],
    [["--table", "risks"], "--table chooses one table of the CSV register"],
    [["--org", "acme", "--repo", "acme/x"], "choose one: --org ORG"],
    [["--with-approvals"], "--with-approvals reads merged pull requests from GitHub"],
    [["--org", "acme"], "no GitHub token"],
    [["--repo", "acme"], "--repo acme: write it OWNER/REPO"],
    [["some-folder", "--org", "acme"], "choose one: folders"],
    [["not-a-folder"], "not-a-folder is not a folder"],
  ])("for %j", async (args, message) => {
    const repo = demo();
    const run = await aigate(repo.dir, "register", ...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe("");
  });
});

describe("aigate soa: the draft Statement of Applicability", () => {
  it("lists the 38 Annex A controls under a heading that claims no conformity (snapshot)", async () => {
    const repo = demo();
    const run = await aigate(repo.dir, "soa");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.startsWith("# Statement of Applicability (draft)")).toBe(true);
    expect(run.stdout).toContain("DRAFT for the organisation to complete");
    expect(run.stdout).toContain("only an accredited certification body certifies");
    expect(run.stdout.match(/^\| A\.\d+\.\d+(\.\d+)? \|/gm)).toHaveLength(38);
    expect(run.stdout).toMatchSnapshot();
  });

  it("as CSV: 38 rows with empty columns for the organisation", async () => {
    const repo = demo();
    const run = await aigate(repo.dir, "soa", "--format", "csv");
    const rows = csv(run.stdout);
    expect(rows).toHaveLength(38);
    expect(rows[10]).toMatchObject({
      Control: "A.5.2",
      "aigate evidence": "evidenced",
      Check: "AI governance: risk assessment",
      Counts: "2 of 2 required assessment(s) current (0 expiring); 0 expired, 0 missing, 0 invalid",
      "Applicable (organisation)": "",
      "Justification (organisation)": "",
      "Implementation status (organisation)": "",
    });
  });

  it("as JSON accepted by its published schema", async () => {
    const repo = demo();
    const run = await aigate(repo.dir, "soa", "--format", "json");
    const soa = JSON.parse(run.stdout) as Soa;
    const validate = schema("statement-of-applicability.schema.json");
    expect(validate(soa), JSON.stringify(validate.errors)).toBe(true);
    expect(soa.controls.map((c) => c.id).slice(0, 3)).toEqual(["A.2.2", "A.2.3", "A.2.4"]);
  });

  it("exits 0 even when assessments are expired: the draft is not a gate", async () => {
    const repo = demo();
    repo.edit(CREDIT, 'review_by: "2027-09-15"', "review_by: 2026-11-01");
    repo.commitAll("overdue");
    const run = await aigate(repo.dir, "soa", "--format", "html", "--out", "soa.html");
    expect(run.code).toBe(0);
    expect(existsSync(join(repo.dir, "soa.html"))).toBe(true);
  });
});
