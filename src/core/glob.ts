import picomatch from "picomatch";

/**
 * How aigate reads a manifest glob, in one place: the matcher, the syntax check and the
 * dead-path check all use these options.
 */

// `s`: a path may hold any character git allows, new lines included; without dotAll a
// `**` would not match `models/a<LF>b` and such a file would escape its system's gate.
export const PICOMATCH_OPTIONS: picomatch.PicomatchOptions = { dot: true, flags: "s" };

/** What picomatch compiles a pattern it cannot read into: a regular expression that matches nothing. */
const MATCHES_NOTHING = "$^";

/**
 * Why a glob is not valid glob syntax, or undefined when it is. Picomatch quietly turns an
 * unclosed `{`, `[` or `(` into a pattern that matches nothing or only itself, which would
 * gate nothing; a manifest names it as an error instead.
 */
export function globSyntaxProblem(glob: string): string | undefined {
  const pattern = glob.startsWith("!") ? glob.slice(1) : glob;
  try {
    const re = picomatch.makeRe(pattern, { ...PICOMATCH_OPTIONS, strictBrackets: true });
    if (re.source === MATCHES_NOTHING) return "it can never match a path";
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Picomatch says e.g. `Missing closing: "}" - use "\\}" to match literal characters`.
    const missing = /Missing closing: "(.)"/.exec(message);
    if (missing) {
      const char = missing[1] ?? "";
      return `an opening bracket has no closing "${char}" (write "\\${char}" to match the character itself)`;
    }
    return message;
  }
}

/**
 * A glob's static base (`picomatch.scan`) when it is a plain folder or file path that every
 * match starts with, else "" (the root). A base with escapes or `.` segments is not a literal
 * prefix of the paths it matches.
 */
export function literalBase(base: string, isGlob: boolean): string {
  if (base.includes("\\")) return "";
  const segments = base.split("/");
  if (segments.some((s) => s === "." || s === "..")) return "";
  // `picomatch.scan` keeps a trailing slash of a literal directory; a path never has one.
  if (!isGlob && base.endsWith("/")) return "";
  return base;
}

/** A literal path as a glob that matches exactly it: glob syntax in the name is escaped. */
export function escapeGlob(path: string): string {
  return path.replace(/[*?[\]{}()!+@\\]/g, "\\$&");
}
