/** A problem in a file a person wrote, located so an editor can jump to it. */
export interface LocatedError {
  file: string;
  /** 1-based; 0 when the problem is the file as a whole (missing, unreadable). */
  line: number;
  /** 1-based; 0 when unknown. */
  column: number;
  /** Dotted path of the field, e.g. `systems[0].tier`; empty for file-level errors. */
  field: string;
  /** What is wrong and what to do, in a sentence a person can act on. */
  message: string;
}

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
