/**
 * The Action's `mode: register` (docs/audit.md, "On a schedule"): the register of the repository
 * itself, of `repositories` or of an `org`, written to the job summary and as files for an
 * artifact, and one tracking issue kept in line with what is due.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildRegister,
  buildSoa,
  type RepositorySnapshot,
  registerFails,
  registerHtml,
  registerMarkdown,
} from "../src/core/register/index.js";
import { dueSystems } from "../src/core/register/tracking.js";
import { describeFailure, redact } from "../src/github/errors.js";
import { syncTrackingIssue } from "../src/github/flow/tracking-issue.js";
import {
  listRepositories,
  memoryStore,
  readListing,
  readRepositorySnapshot,
} from "../src/github/reads/inventory.js";
import type { ActionSettings } from "./inputs.js";
import type { ActionRuntime } from "./runtime.js";

function describeSource(settings: ActionSettings, self: { owner: string; repo: string }): string {
  const { org, repositories } = settings.register;
  if (org !== undefined) return `organisation ${org}`;
  const repos = repositories.length > 0 ? repositories : [self];
  return `repositories ${repos.map((r) => `${r.owner}/${r.repo}`).join(", ")}`;
}

/** Runs the register once. Every failure ends in `setFailed` with the call and request id. */
export async function runRegisterMode(
  runtime: ActionRuntime,
  settings: ActionSettings,
): Promise<void> {
  const client = runtime.client(settings.token);
  const self = runtime.context.repo;
  const description = describeSource(settings, self);
  const store = memoryStore();
  let snapshots: RepositorySnapshot[];
  try {
    const listings =
      settings.register.org !== undefined
        ? await listRepositories(client, settings.register.org)
        : await Promise.all(
            (settings.register.repositories.length > 0
              ? settings.register.repositories
              : [self]
            ).map((r) => readListing(client, r.owner, r.repo)),
          );
    snapshots = [];
    for (const listing of listings) {
      snapshots.push(
        "kind" in listing ? listing : await readRepositorySnapshot(client, store, listing),
      );
    }
  } catch (error) {
    runtime.setFailed(
      `aigate could not read ${description}: ${redact(describeFailure(error).description)}`,
    );
    return;
  }

  const now = runtime.now();
  const register = buildRegister(snapshots, {
    today: now.toISOString().slice(0, 10),
    expiringWithinDays: settings.register.expiringWithinDays,
    generatedAt: now.toISOString(),
    source: { kind: "github", description },
  });
  const markdown = registerMarkdown(register);
  const dir = join(runtime.env.RUNNER_TEMP || tmpdir(), "aigate-register");
  mkdirSync(dir, { recursive: true });
  const files = {
    "register-json": join(dir, "register.json"),
    "register-html": join(dir, "register.html"),
    "register-markdown": join(dir, "register.md"),
  };
  writeFileSync(files["register-json"], `${JSON.stringify(register, null, 2)}\n`);
  writeFileSync(files["register-html"], registerHtml(register, buildSoa(register)));
  writeFileSync(files["register-markdown"], markdown);
  for (const [name, path] of Object.entries(files)) runtime.setOutput(name, path);
  runtime.setOutput("assessments-due", String(dueSystems(register).length));
  await runtime.writeSummary(markdown);

  const tracking = settings.register.trackingRepo ?? self;
  try {
    const { plan, number } = await syncTrackingIssue(client, tracking, register);
    runtime.setOutput("tracking-issue", number === null ? "" : String(number));
    const where = `${tracking.owner}/${tracking.repo}${number === null ? "" : `#${number}`}`;
    const said: Record<typeof plan.kind, string> = {
      none:
        number === null
          ? "no assessment is due: no tracking issue"
          : `tracking issue ${where} is up to date`,
      create: `opened tracking issue ${where}`,
      update: `updated tracking issue ${where}`,
      close: `closed tracking issue ${where}: nothing is left to list`,
    };
    runtime.log.notice(`aigate: ${said[plan.kind]}`);
  } catch (error) {
    runtime.setFailed(
      `aigate could not keep the tracking issue in ${tracking.owner}/${tracking.repo}: ${redact(describeFailure(error).description)} (the token needs issues: write there)`,
    );
    return;
  }

  if (settings.failOn === "gates" && registerFails(register)) {
    const t = register.totals;
    runtime.setFailed(
      `${t.by_status.expired} expired, ${t.by_status.missing} missing and ${t.by_status.invalid} invalid assessment(s); ${t.by_problem.invalid_manifest + t.by_problem.unreadable} repository(ies) with an invalid manifest or unreadable`,
    );
  }
}
