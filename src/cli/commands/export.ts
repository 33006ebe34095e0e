import type { Command } from "commander";
import type { CliContext } from "../context.js";
import type { ExportOptions } from "../export/options.js";
import { runExport } from "../export/run.js";
import { addKeylessOptions } from "../keyless.js";

/**
 * `aigate export --repo O/R [--pr N | --since DATE] [--format jsonl|csv|html] [--jwks FILE]
 * [--out FILE]`: the audit evidence pack from the GitHub API (docs/export.md). Exit 0 written,
 * 1 an attestation does not verify (only with --jwks), 2 usage, configuration or GitHub error.
 */
export function registerExport(program: Command, ctx: CliContext): void {
  const command = program
    .command("export")
    .description(
      "audit evidence pack from GitHub: check-run history, reviews, attestation comments, edits",
    )
    .option("--repo <owner/repo>", "the repository")
    .option("--pr <number>", "one pull request")
    .option(
      "--since <date>",
      "every pull request updated at or after DATE (2026-01-31 or ISO 8601)",
    )
    .option(
      "--format <format>",
      "jsonl (canonical, what aigate verify reads), csv or html",
      "jsonl",
    )
    .option(
      "--jwks <file>",
      "verify each attestation against these public keys; exit 1 if one fails",
    )
    .option("--out <file>", "write the pack to FILE instead of standard output")
    .addHelpText(
      "after",
      "\nToken from GITHUB_TOKEN or GH_TOKEN; API base from GITHUB_API_URL (default https://api.github.com).",
    );
  // Keyless approvals verify with the allowed workflows (docs/attestation.md#keyless-bundles).
  addKeylessOptions(command).action((options: ExportOptions) => runExport(options, ctx));
}
