import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { trustedJwksFromText } from "../../core/attestation/index.js";
import { readArgumentFile } from "../commands/keys.js";
import { type CliContext, UsageError } from "../context.js";
import { bundleVerifierOf } from "../keyless.js";
import { createExportClient } from "./client.js";
import { toCsv } from "./csv.js";
import { toHtml } from "./html.js";
import { type ExportOptions, exportSettings } from "./options.js";
import { buildEvidencePack } from "./pack.js";
import { type EvidenceRecord, type SummaryRecord, toJsonLines } from "./records.js";

/** The trusted keys, read and checked before any request is made: a bad JWKS is exit 2. */
export function readJwks(ctx: CliContext, file: string): unknown {
  return trustedJwksFromText(readArgumentFile(ctx, file, "JWKS"), file);
}

function render(records: readonly EvidenceRecord[], format: "jsonl" | "csv" | "html"): string {
  if (format === "csv") return toCsv(records);
  if (format === "html") return toHtml(records);
  return toJsonLines(records);
}

/**
 * `aigate export`: reads the evidence from GitHub, writes the pack to standard output or
 * `--out`, and settles the exit code: 1 only when a JWKS was given and an attestation does not
 * verify. Nothing is written when a read fails.
 */
export async function runExport(options: ExportOptions, ctx: CliContext): Promise<void> {
  const settings = exportSettings(options, ctx.env);
  // Online already: without --trusted-root, Sigstore's is fetched when signers are allowed.
  const bundles = await bundleVerifierOf(ctx, options, true);
  const jwks =
    settings.jwksFile !== undefined
      ? readJwks(ctx, settings.jwksFile)
      : bundles !== undefined
        ? { keys: [] }
        : undefined;
  const client = await createExportClient({
    token: settings.token,
    apiUrl: settings.apiUrl,
    notice: (message) => ctx.stderr(`aigate: ${message}\n`),
  });
  const records = await buildEvidencePack(client, settings, {
    ...(jwks !== undefined ? { jwks } : {}),
    ...(bundles !== undefined ? { bundles } : {}),
    now: new Date(),
  });
  const output = render(records, settings.format);
  if (settings.outFile !== undefined) {
    try {
      writeFileSync(resolve(ctx.cwd, settings.outFile), output, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unwritable";
      throw new UsageError(`cannot write ${settings.outFile} (${code})`);
    }
  } else {
    ctx.stdout(output);
  }

  const summary = records.find((r): r is SummaryRecord => r.type === "summary");
  const pulls = summary?.pull_requests.length ?? 0;
  if (settings.outFile !== undefined) {
    ctx.stderr(
      `aigate: wrote ${records.length} record(s) for ${pulls} pull request(s) to ${settings.outFile}\n`,
    );
  }
  const verification = summary?.verification;
  if (verification && !verification.ok) {
    const bad = Object.entries(verification.counts)
      .map(([verdict, n]) => `${n} ${verdict}`)
      .join(", ");
    ctx.stderr(`aigate: evidence INVALID: ${verification.total} attestation(s): ${bad}\n`);
    ctx.exitCode = 1;
  } else {
    ctx.exitCode = 0;
  }
}
