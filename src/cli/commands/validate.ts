import { readFile, stat } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { type Command, Option } from "commander";
import { formatLocatedError } from "../../core/errors.js";
import { MANIFEST_PATH } from "../../core/manifest/schema.js";
import { type SarifFinding, toSarif } from "../../core/sarif.js";
import { type CliContext, UsageError } from "../context.js";
import { LocalGit } from "../git.js";
import {
  FILE_KIND_NAMES,
  FILE_KINDS,
  type FileKindName,
  recogniseKind,
  type ValidationReport,
} from "../validation.js";

export const OUTPUT_FORMATS = ["text", "json", "sarif"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

interface ValidateOptions {
  json?: boolean;
  format: OutputFormat;
  kind?: FileKindName;
  policyFile?: string;
}

/** Finds the file and the repository root it governs from a PATH argument (file, folder or nothing). */
async function locateFile(
  cwd: string,
  path: string | undefined,
): Promise<{ root: string; file: string }> {
  if (path) {
    const full = resolve(cwd, path);
    const info = await stat(full).catch(() => null);
    if (!info) throw new UsageError(`${path} does not exist`);
    if (info.isDirectory()) return { root: full, file: resolve(full, MANIFEST_PATH) };
    // A manifest at <root>/.github/ai-governance.yml governs <root>; any other file belongs
    // to the repository it is in, or else to its folder.
    if (full.endsWith(MANIFEST_PATH)) return { root: dirname(dirname(full)), file: full };
    const root = await new LocalGit(dirname(full)).topLevel().catch(() => dirname(full));
    return { root, file: full };
  }
  const root = await new LocalGit(cwd).topLevel().catch(() => cwd);
  return { root, file: resolve(root, MANIFEST_PATH) };
}

/**
 * `aigate validate [PATH] [--kind KIND] [--format text|json|sarif]`: the manifest, the paths it
 * names and every assessment it names, as they are in the working tree; or one file of another
 * kind, recognised by its content.
 */
export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command("validate")
    .description(
      "validate the governance manifest, the paths it names and every risk assessment (working tree, offline)",
    )
    .argument(
      "[path]",
      "the manifest or assessment file, or the repository folder (default: this repository)",
    )
    .addOption(
      new Option("--kind <kind>", "what the file is (default: recognised by its content)").choices(
        FILE_KIND_NAMES,
      ),
    )
    .addOption(
      new Option("--format <format>", "output format").choices(OUTPUT_FORMATS).default("text"),
    )
    .option("--json", "print the result as JSON (same as --format json)")
    .option(
      "--policy-file <file>",
      "the organisation policy the manifest extends, from this file instead of the GitHub API",
    )
    .action(async (path: string | undefined, options: ValidateOptions) => {
      if (options.kind === "policy" && path === undefined) {
        throw new UsageError(
          "--kind policy needs the policy file: aigate validate --kind policy PATH",
        );
      }
      const { root, file } = await locateFile(ctx.cwd, path);
      // Paths are shown relative to the repository root, as the manifest writes them.
      const fromRoot = relative(root, file);
      const display = fromRoot && !fromRoot.startsWith("..") ? fromRoot : file;
      const text = await readFile(file, "utf8").catch(() => {
        throw new UsageError(
          `no manifest at ${display}: run 'aigate init --scan' to propose one, or pass its path`,
        );
      });
      const kind = options.kind ?? recogniseKind(text, display);
      const report = await FILE_KINDS[kind].validate({
        text,
        display,
        root,
        ctx,
        ...(options.policyFile !== undefined ? { policyFile: options.policyFile } : {}),
      });
      const format: OutputFormat = options.json ? "json" : options.format;
      writeReport(ctx, report, format);
      ctx.exitCode = report.findings.some((f) => f.level === "error") ? 1 : 0;
    });
}

function writeReport(ctx: CliContext, report: ValidationReport, format: OutputFormat): void {
  const errors = report.findings.filter((f) => f.level === "error");
  const warnings = report.findings.filter((f) => f.level === "warning");
  const notes = report.findings.filter((f) => f.level === "note");
  if (format === "sarif") {
    ctx.stdout(`${JSON.stringify(toSarif(report.findings), null, 2)}\n`);
    return;
  }
  if (format === "json") {
    const plain = (f: SarifFinding) => ({
      file: f.file,
      line: f.line,
      column: f.column,
      field: f.field,
      message: f.message,
      rule: f.rule,
    });
    ctx.stdout(
      `${JSON.stringify(
        {
          valid: errors.length === 0,
          checked: report.checked,
          errors: errors.map(plain),
          warnings: warnings.map(plain),
          notes: [...(report.remarks ?? []), ...notes.map((n) => `${n.file}: ${n.message}`)],
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  for (const error of errors) ctx.stderr(`${formatLocatedError(error)}\n`);
  for (const warning of warnings) ctx.stderr(`warning: ${formatLocatedError(warning)}\n`);
  for (const remark of report.remarks ?? []) ctx.stdout(`note: ${remark}\n`);
  for (const note of notes) ctx.stdout(`note: ${note.file}: ${note.message}\n`);
  const warned = warnings.length > 0 ? ` (${warnings.length} warning(s))` : "";
  ctx.stdout(
    errors.length === 0
      ? `valid${warned}: ${report.checked.join(", ")}\n`
      : `invalid: ${errors.length} problem(s) in ${report.checked.length} file(s) checked${warned}\n`,
  );
}
