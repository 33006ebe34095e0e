import { readFile, stat } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import type { Command } from "commander";
import { parseAssessment } from "../../core/assessment/parse.js";
import { formatLocatedError } from "../../core/errors.js";
import { extendedPolicy, parseManifest } from "../../core/manifest/parse.js";
import { MANIFEST_PATH } from "../../core/manifest/schema.js";
import { parseOrgPolicy } from "../../core/org-policy/parse.js";
import type { LocatedError } from "../../core/types.js";
import { errorAt, type PathSegment, parseYaml } from "../../core/yaml/index.js";
import type { CliContext } from "../context.js";
import { UsageError } from "../context.js";
import { LocalGit } from "../git.js";
import { orgPolicyFor } from "../org-policy.js";
import { readWorkingFile } from "../repo.js";

interface ValidateOptions {
  json?: boolean;
  kind?: string;
  policyFile?: string;
}

/** What `validate` found, printed as text or JSON. */
interface Validation {
  checked: string[];
  errors: LocatedError[];
  warnings: LocatedError[];
  notes: string[];
}

/** Finds the manifest and the repository root it governs from a PATH argument (file, folder or nothing). */
async function locateManifest(
  cwd: string,
  path: string | undefined,
): Promise<{ root: string; file: string }> {
  if (path) {
    const full = resolve(cwd, path);
    const info = await stat(full).catch(() => null);
    if (!info) throw new UsageError(`${path} does not exist`);
    if (info.isDirectory()) return { root: full, file: resolve(full, MANIFEST_PATH) };
    // A manifest at <root>/.github/ai-governance.yml governs <root>; any other file is checked on its own.
    const root = full.endsWith(`${MANIFEST_PATH}`) ? dirname(dirname(full)) : dirname(full);
    return { root, file: full };
  }
  const root = await new LocalGit(cwd).topLevel().catch(() => cwd);
  return { root, file: resolve(root, MANIFEST_PATH) };
}

/** Locates a field of a YAML file for an error message; the file itself when it cannot be parsed. */
function locator(
  text: string,
  file: string,
): (path: PathSegment[], message: string) => LocatedError {
  const parsed = parseYaml(text, file);
  return (path, message) =>
    parsed.ok
      ? errorAt(parsed.source, path, message)
      : { file, line: 0, column: 0, field: path.join("."), message };
}

/** `aigate validate [PATH]`: the manifest and every assessment it names, as they are in the working tree. */
export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command("validate")
    .description(
      "validate the governance manifest and every risk assessment it names (working tree, offline)",
    )
    .argument("[path]", "the manifest file, or the repository folder (default: this repository)")
    .option("--json", "print the result as JSON")
    .option("--kind <kind>", "what PATH is: manifest (the default) or policy")
    .option(
      "--policy-file <file>",
      "the organisation policy the manifest extends, from this file instead of the GitHub API",
    )
    .action(async (path: string | undefined, options: ValidateOptions) => {
      const kind = options.kind ?? "manifest";
      if (kind === "policy") {
        report(ctx, await validatePolicyFile(ctx.cwd, path), options.json === true);
        return;
      }
      if (kind !== "manifest") {
        throw new UsageError(`--kind ${kind}: choose manifest or policy`);
      }
      const { root, file } = await locateManifest(ctx.cwd, path);
      // Paths are shown relative to the repository root, as the manifest writes them.
      const fromRoot = relative(root, file);
      const display = fromRoot && !fromRoot.startsWith("..") ? fromRoot : file;
      const text = await readFile(file, "utf8").catch(() => {
        throw new UsageError(
          `no manifest at ${display}: run 'aigate init' to create one, or pass its path`,
        );
      });
      const errors: LocatedError[] = [];
      const notes: string[] = [];
      const checked: string[] = [display];
      const reference = extendedPolicy(text, display);
      const orgPolicy = reference
        ? await orgPolicyFor(reference, options.policyFile, ctx)
        : undefined;
      if (orgPolicy) checked.push(orgPolicy.file);
      else if (options.policyFile !== undefined) {
        notes.push(
          `--policy-file ${options.policyFile} is not used: ${display} extends no organisation policy`,
        );
      }
      const parsed = parseManifest(text, display, orgPolicy ? { orgPolicy } : {});
      if (!parsed.ok) {
        errors.push(...parsed.errors);
      } else {
        const manifest = parsed.manifest;
        const inManifest = locator(text, display);
        const missing = (field: PathSegment[], path: string, what: string): LocatedError =>
          inManifest(field, `${what} ${path} does not exist: create it or correct the path`);
        if (!(await readWorkingFile(root, manifest.governance.policy, false))) {
          errors.push(
            missing(["governance", "policy"], manifest.governance.policy, "the AI policy"),
          );
        }
        for (const [index, system] of manifest.systems.entries()) {
          for (const kind of system.requiredEvidence) {
            const evidencePath = system.evidence[kind];
            if (evidencePath && !(await readWorkingFile(root, evidencePath, false))) {
              errors.push(
                missing(
                  ["systems", index, "evidence", kind],
                  evidencePath,
                  `the ${kind} of ${system.id},`,
                ),
              );
            }
          }
          if (!system.assessment) continue;
          const assessment = await readWorkingFile(root, system.assessment);
          if (!assessment || assessment.text === undefined) {
            if (system.assessmentRequired) {
              errors.push(
                missing(
                  ["systems", index, "assessment"],
                  system.assessment,
                  `the risk assessment of ${system.id},`,
                ),
              );
            }
            continue;
          }
          checked.push(system.assessment);
          const result = parseAssessment(assessment.text, system.assessment);
          if (!result.ok) {
            errors.push(...result.errors);
            continue;
          }
          const a = result.assessment;
          const inAssessment = locator(assessment.text, system.assessment);
          const at = (field: string, message: string): LocatedError =>
            inAssessment([field], message);
          if (a.system !== system.id) {
            errors.push(
              at(
                "system",
                `names system "${a.system}" but the manifest points ${system.id} at this file`,
              ),
            );
          }
          if (a.tier !== system.tier) {
            errors.push(
              at(
                "tier",
                `says tier ${a.tier} but the manifest classifies ${system.id} as ${system.tier}`,
              ),
            );
          }
          if (a.acceptance.decision !== "accepted") {
            notes.push(
              `${system.assessment}: acceptance.decision is ${a.acceptance.decision}; the risk-assessment gate passes only once it is accepted`,
            );
          }
        }
      }
      report(ctx, { checked, errors, warnings: parsed.warnings, notes }, options.json === true);
    });
}

/** `validate --kind policy PATH`: an organisation policy file on its own. */
async function validatePolicyFile(cwd: string, path: string | undefined): Promise<Validation> {
  if (path === undefined) {
    throw new UsageError("--kind policy needs the policy file: aigate validate --kind policy PATH");
  }
  const text = await readFile(resolve(cwd, path), "utf8").catch(() => {
    throw new UsageError(`${path} cannot be read: pass the path of the policy file`);
  });
  const parsed = parseOrgPolicy(text, path);
  return { checked: [path], errors: parsed.ok ? [] : parsed.errors, warnings: [], notes: [] };
}

/** Prints what `validate` found and sets the exit code: 0 valid, 1 invalid. Warnings never fail. */
function report(ctx: CliContext, { checked, errors, warnings, notes }: Validation, json: boolean) {
  if (json) {
    const valid = errors.length === 0;
    ctx.stdout(`${JSON.stringify({ valid, checked, errors, warnings, notes }, null, 2)}\n`);
  } else {
    for (const error of errors) ctx.stderr(`${formatLocatedError(error)}\n`);
    for (const warning of warnings) ctx.stderr(`warning: ${formatLocatedError(warning)}\n`);
    for (const note of notes) ctx.stdout(`note: ${note}\n`);
    ctx.stdout(
      errors.length === 0
        ? `valid: ${checked.join(", ")}\n`
        : `invalid: ${errors.length} problem(s) in ${checked.length} file(s) checked\n`,
    );
  }
  ctx.exitCode = errors.length === 0 ? 0 : 1;
}
