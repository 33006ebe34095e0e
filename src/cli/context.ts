import type { Command } from "commander";

/** What a command needs from its surroundings, injectable so tests can run the CLI in-process. */
export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The exit code the command settles on: 0 pass, 1 gates fail / evidence invalid, 2 usage or configuration. */
  exitCode: number;
  /** Whether standard error is a terminal (progress is then a bar, otherwise plain lines). */
  terminal?: boolean;
}

/** A user error in how the command was called or configured: exit 2 with this message. */
export class UsageError extends Error {
  override name = "UsageError";
}

export type RegisterCommand = (program: Command, ctx: CliContext) => void;
