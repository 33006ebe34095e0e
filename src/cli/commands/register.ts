import { type Command, Option } from "commander";
import { DEFAULT_WITNESS_APP } from "../../core/attestation/index.js";
import { REGISTER_TABLES } from "../../core/register/index.js";
import type { CliContext } from "../context.js";
import { addKeylessOptions } from "../keyless.js";
import {
  DEFAULT_EXPIRING_WITHIN,
  REGISTER_FORMATS,
  type RegisterOptions,
  SOA_FORMATS,
} from "../register/options.js";
import { runRegister } from "../register/run.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The source options `register` and `soa` share: folders offline, or GitHub. */
function withSources(command: Command): Command {
  return command
    .argument("[folders...]", "checkouts to read offline (default: this folder)")
    .option("--org <org>", "every repository of this organisation (or user) the token can see")
    .option("--repo <owner/repo>", "this repository (repeatable)", collect)
    .option(
      "--cache-dir <dir>",
      "where GitHub reads are cached between runs (default: ~/.cache/aigate/register)",
    )
    .option("--no-cache", "read everything from GitHub again, and keep nothing")
    .option("--out <path>", "write to PATH instead of standard output (a folder for CSV tables)")
    .addHelpText(
      "after",
      "\nWith --org or --repo: token from GITHUB_TOKEN or GH_TOKEN, API base from GITHUB_API_URL. See docs/audit.md.",
    );
}

/** What `register` and `soa` can add from merged pull requests through GitHub. */
function withPullRequests(command: Command): Command {
  // Keyless approvals count with the same flags as `aigate verify` (docs/audit.md#aigate-register).
  return addKeylessOptions(command)
    .option(
      "--with-approvals",
      "add each system's last approved change (GitHub, needs --jwks and/or --signer-workflow or --manifest)",
    )
    .option("--jwks <file>", "trusted public keys that verify the approvals' attestations")
    .option(
      "--with-check-runs",
      "count what aigate's checks concluded on recently merged pull requests (GitHub)",
    )
    .option(
      "--app-slug <slug>",
      `with --with-check-runs: the App whose check runs count (default ${DEFAULT_WITNESS_APP})`,
    );
}

/**
 * `aigate register [FOLDER…] [--org ORG | --repo O/R…] [--format json|csv|md|html]
 * [--expiring-within DAYS] [--with-approvals [--jwks FILE] [--trusted-root FILE]
 * [--signer-workflow WORKFLOW… [--signer-ref REF]] [--manifest FILE]]
 * [--with-check-runs [--app-slug SLUG]]
 * [--table NAME] [--out PATH]`
 * (docs/audit.md). Exit 1 when an assessment is expired, missing or invalid, or a repository's
 * manifest is invalid or unreadable; 2 on usage errors.
 */
export function registerRegister(program: Command, ctx: CliContext): void {
  withPullRequests(
    withSources(
      program
        .command("register")
        .description(
          "the AI system register, the risk register and the repositories without systems, from manifests and assessments",
        ),
    ),
  )
    .addOption(new Option("--format <format>", "output format").choices(REGISTER_FORMATS))
    .option(
      "--expiring-within <days>",
      `an assessment due within DAYS is expiring (default ${DEFAULT_EXPIRING_WITHIN})`,
    )
    .addOption(
      new Option("--table <name>", "with --format csv: one table on standard output").choices(
        REGISTER_TABLES,
      ),
    )
    .action((folders: string[], options: RegisterOptions) =>
      runRegister("register", folders, options, ctx),
    );
}

/**
 * `aigate soa [FOLDER…] [--org ORG | --repo O/R…] [--format md|csv|html|json] [--out FILE]`
 * (with GitHub, the same `--with-approvals` and `--with-check-runs` as `register`):
 * the draft Statement of Applicability (docs/audit.md). Exit 0 written, 2 usage errors.
 */
export function registerSoa(program: Command, ctx: CliContext): void {
  withPullRequests(
    withSources(
      program
        .command("soa")
        .description(
          "a draft ISO/IEC 42001 Statement of Applicability: the 38 Annex A controls and what aigate evidences",
        ),
    ),
  )
    .addOption(new Option("--format <format>", "output format (default md)").choices(SOA_FORMATS))
    .action((folders: string[], options: RegisterOptions) =>
      runRegister("soa", folders, options, ctx),
    );
}
