import type { Command } from "commander";
import type { PolicyReference } from "../../core/org-policy/reference.js";
import { evaluate } from "../../core/policy/evaluate.js";
import type { CliContext } from "../context.js";
import { UsageError } from "../context.js";
import { formatDecisionText } from "../format.js";
import { LocalGit } from "../git.js";
import { localFacts } from "../local-facts.js";
import { orgPolicyFor } from "../org-policy.js";
import { evaluationTime } from "../time.js";

interface CheckOptions {
  base?: string;
  json?: boolean;
  policyFile?: string;
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
    .option("--json", "print the Decision as JSON (see docs/cli.md)")
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
      const { facts, range, prepared } = await localFacts(new LocalGit(root), root, base, {
        readPolicy,
      });
      const decision = evaluate(facts, now, prepared);

      if (options.json) {
        ctx.stdout(`${JSON.stringify(decision, null, 2)}\n`);
      } else {
        ctx.stdout(formatDecisionText(decision, { base: range.base, head: "HEAD" }));
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
