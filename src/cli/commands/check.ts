import { type Command, Option } from "commander";
import type { PolicyReference } from "../../core/org-policy/reference.js";
import { evaluate } from "../../core/policy/evaluate.js";
import { decisionFindings, toSarif } from "../../core/sarif.js";
import type { Decision } from "../../core/types.js";
import { type CliContext, UsageError } from "../context.js";
import { formatDecisionText } from "../format.js";
import { LocalGit } from "../git.js";
import { localFacts } from "../local-facts.js";
import { orgPolicyFor } from "../org-policy.js";
import { evaluationTime } from "../time.js";
import { OUTPUT_FORMATS, type OutputFormat } from "./validate.js";

interface CheckOptions {
  base?: string;
  json?: boolean;
  policyFile?: string;
  format: OutputFormat;
}

/**
 * `aigate check [--base REF] [--json]`: the gates for the local change base...HEAD. Exit 1 for
 * what the author can fix before pushing (risk assessment, a prohibited system); approvals still
 * needed are reported, not failed, since they can only be given on the pull request.
 */
export function registerCheck(program: Command, ctx: CliContext): void {
  program
    .command("check")
    .description("evaluate the gates for this branch's change (base...HEAD), offline")
    .option(
      "--base <ref>",
      "the branch the change will merge into (default: origin's default branch, main or master)",
    )
    .addOption(
      new Option("--format <format>", "output format").choices(OUTPUT_FORMATS).default("text"),
    )
    .option("--json", "print the Decision as JSON, same as --format json (see docs/cli.md)")
    .option(
      "--policy-file <file>",
      "the organisation policy the manifest extends, from this file instead of the GitHub API",
    )
    .action(async (options: CheckOptions) => {
      const now = evaluationTime(ctx.env);
      const git = new LocalGit(ctx.cwd);
      const root = await git.topLevel();
      const base = options.base ?? (await git.defaultBase());
      if (!base)
        throw new UsageError("no main or master branch here: pass the base branch with --base REF");
      // The policy is needed only when the manifest extends one; then its absence is exit 2.
      const readPolicy = async (reference: PolicyReference) => ({
        ok: true as const,
        policy: await orgPolicyFor(reference, options.policyFile, ctx),
      });
      const repo = new LocalGit(root);
      const { facts, range, prepared } = await localFacts(repo, root, base, { readPolicy }).catch(
        async (error: unknown) => {
          throw await explainShallow(repo, error);
        },
      );
      facts.headTree = await repo.workingTreeFiles();
      const decision = evaluate(facts, now, prepared);

      const format: OutputFormat = options.json ? "json" : options.format;
      if (format === "json") {
        ctx.stdout(`${JSON.stringify(decision, null, 2)}\n`);
      } else if (format === "sarif") {
        const manifestText = facts.manifest.status === "present" ? facts.manifest.text : undefined;
        const findings = decisionFindings(decision, manifestText);
        ctx.stdout(`${JSON.stringify(toSarif(findings), null, 2)}\n`);
      } else {
        ctx.stdout(formatDecisionText(decision, { base: range.base, head: "HEAD" }));
        for (const path of await uncommittedAssessments(repo, decision)) {
          ctx.stdout(
            `\nnote: ${path} has changes not committed yet. check compares commits (${range.base}...HEAD), so the change counts once it is committed: git add ${path} && git commit\n`,
          );
        }
      }
      if (decision.manifest.status === "invalid") {
        // A configuration error, and not this change's: the manifest is read from the base.
        ctx.stderr(
          `the governance manifest at ${range.base} is invalid: fix it on that branch first\n`,
        );
        ctx.exitCode = 2;
        return;
      }
      // The oversight gate fails only for what no approval can fix here (a prohibited system).
      const failed = [decision.assessment, decision.oversight].some(
        (g) => g.conclusion === "failure",
      );
      ctx.exitCode = failed ? 1 : 0;
    });
}

/**
 * In a shallow clone (CI's default checkout) the base, or the history back to the merge base,
 * may simply not have been fetched: say so and what to run, instead of "no history".
 */
async function explainShallow(git: LocalGit, error: unknown): Promise<unknown> {
  if (!(error instanceof UsageError) || !(await git.isShallow())) return error;
  return new UsageError(
    `${error.message}\nThis clone is shallow, so its history may stop before the merge base: fetch the full history with 'git fetch --unshallow' (in GitHub Actions, give actions/checkout 'fetch-depth: 0').`,
  );
}

/**
 * Assessments of systems whose risk-assessment gate fails that have uncommitted changes: the
 * gate asks the change (commits) to update them, so an edit in the working tree is not seen.
 */
async function uncommittedAssessments(git: LocalGit, decision: Decision): Promise<string[]> {
  const paths = decision.assessment.systems
    .filter((result) => result.status === "fail" && result.assessment)
    .map((result) => result.assessment?.path ?? "");
  return git.uncommitted([...new Set(paths)].filter((path) => path !== ""));
}
