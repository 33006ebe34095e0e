import { Command, CommanderError } from "commander";
import type { LocatedError } from "../core/errors.js";
import { ConfigurationError, formatLocatedError } from "../core/errors.js";
import { AIGATE_VERSION } from "../core/version.js";
import { registerCheck } from "./commands/check.js";
import { registerExport } from "./commands/export.js";
import { registerInit } from "./commands/init.js";
import { registerKeys } from "./commands/keys.js";
import { registerRegister, registerSoa } from "./commands/register.js";
import { registerValidate } from "./commands/validate.js";
import { registerVerify } from "./commands/verify.js";
import { type CliContext, UsageError } from "./context.js";

/** Runs the aigate CLI and resolves to its exit code (docs/cli.md: 0 pass, 1 fail, 2 usage/configuration). */
export async function main(argv: string[], overrides: Partial<CliContext> = {}): Promise<number> {
  const ctx: CliContext = {
    cwd: process.cwd(),
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    exitCode: 0,
    terminal: process.stderr.isTTY === true,
    ...overrides,
  };
  const program = new Command()
    .name("aigate")
    .description(
      "AI-governance gates for pull requests: risk assessments, human oversight, signed attestations",
    )
    .version(AIGATE_VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.stdout(text),
      writeErr: (text) => ctx.stderr(text),
    })
    .showHelpAfterError("(run aigate --help for usage)");

  for (const register of [
    registerCheck,
    registerValidate,
    registerInit,
    registerKeys,
    registerVerify,
    registerExport,
    registerRegister,
    registerSoa,
  ]) {
    register(program, ctx);
  }

  // With --json, a program reads standard output: an error is JSON there too.
  const json = argv.includes("--json");
  try {
    await program.parseAsync(argv);
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; commander printed the rest.
      if (error.exitCode !== 0 && json) jsonError(ctx, commanderMessage(error));
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      ctx.stderr(`aigate: ${error.message}\n`);
      if (json) jsonError(ctx, error.message);
      return 2;
    }
    if (error instanceof ConfigurationError) {
      for (const located of error.errors) ctx.stderr(`${formatLocatedError(located)}\n`);
      if (json) jsonError(ctx, error.message, error.errors);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    ctx.stderr(`aigate: internal error: ${message}\n`);
    if (json) jsonError(ctx, `internal error: ${message}`);
    return 2;
  }
}

/** `{"error": …}` on standard output, with the located errors when there are any (docs/cli.md). */
function jsonError(ctx: CliContext, message: string, errors?: LocatedError[]): void {
  ctx.stdout(
    `${JSON.stringify(errors ? { error: message, errors } : { error: message }, null, 2)}\n`,
  );
}

/** Commander's message without its "error: " prefix. */
function commanderMessage(error: CommanderError): string {
  return error.message.replace(/^error: /, "");
}
