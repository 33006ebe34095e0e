import type { LocatedError } from "./types.js";

/**
 * A user's mistake (a manifest, an assessment, a flag): reported as theirs, with file
 * and line, never as a crash of ours. Everything else that is thrown is an internal error.
 */
export class ConfigurationError extends Error {
  readonly errors: LocatedError[];

  constructor(errors: LocatedError[], summary?: string) {
    super(summary ?? errors.map(formatLocatedError).join("\n"));
    this.name = "ConfigurationError";
    this.errors = errors;
  }
}

/** The one formatter for located errors: `file:line:column: field: message`. */
export function formatLocatedError(error: LocatedError): string {
  const where = error.line > 0 ? `${error.file}:${error.line}:${error.column || 1}` : error.file;
  const field = error.field ? `${error.field}: ` : "";
  return `${where}: ${field}${error.message}`;
}
