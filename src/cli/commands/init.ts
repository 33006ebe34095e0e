import { mkdir, stat, writeFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import type { Command } from "commander";
import { globMatchesAny, repositoryTree } from "../../core/dead-paths.js";
import { MANIFEST_PATH, TIERS } from "../../core/manifest/schema.js";
import { type CliContext, UsageError } from "../context.js";
import { LocalGit } from "../git.js";
import { joinRepo } from "../repo.js";
import { POLICY_PATH, type ScaffoldSystem, scaffoldFiles, scaffoldProblems } from "../scaffold.js";
import { type ScanResult, scanFiles } from "../scan.js";
import { repositoryFiles } from "../tree.js";

interface InitOptions {
  system: string;
  tier?: string;
  approver: string[];
  team: string[];
  owner: string[];
  force?: boolean;
  scan?: boolean;
  write?: boolean;
  json?: boolean;
}

/**
 * `aigate init`: scaffolds a manifest, one assessment and a policy stub. `--scan` proposes the
 * systems from the repository's AI assets instead, and writes them only with `--write`. A
 * scaffold passes `aigate validate` as written, or init refuses with what validate would say.
 */
export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command("init")
    .description(
      "scaffold a governance manifest, risk assessments and an AI policy stub (--scan: from the repository's AI assets)",
    )
    .option("--scan", "propose systems from the AI assets git lists (models, data, prompts, code)")
    .option("--write", "with --scan: write the proposal (never over an existing manifest)")
    .option("--json", "with --scan: print the proposal as JSON (evidence and what was left out)")
    .option("--system <id>", "id of the first AI system (without --scan)", "my-model")
    .option("--tier <tier>", `the EU AI Act tier of every system (${TIERS.join(", ")})`)
    .option("--approver <login>", "GitHub login allowed to approve (repeatable)", collect, [])
    .option("--team <org/slug>", "GitHub team allowed to approve (repeatable)", collect, [])
    .option(
      "--owner <org/slug>",
      "team that approves changes to the manifest and owns the systems (repeatable)",
      collect,
      [],
    )
    .option("--force", "without --scan: overwrite files that already exist")
    .action(async (options: InitOptions) => {
      if (options.json && !options.scan) {
        throw new UsageError("--json goes with --scan: it prints the proposal as JSON");
      }
      if (options.json && options.write) {
        throw new UsageError("--json prints the proposal only: run --write without --json");
      }
      if (options.write && !options.scan) {
        throw new UsageError("--write goes with --scan: plain 'aigate init' always writes");
      }
      const git = new LocalGit(ctx.cwd);
      const top = await git.topLevel().catch(() => null);
      const root = top ?? ctx.cwd;
      if (options.scan) {
        if (top === null) {
          throw new UsageError(
            `${ctx.cwd} is not inside a git repository: --scan reads the files git lists (run 'git init' and add your files first)`,
          );
        }
        await initFromScan(ctx, root, options);
        return;
      }
      await initOne(ctx, root, options);
    });
}

/** The plain scaffold: one system whose globs are guesses until its files exist. */
async function initOne(ctx: CliContext, root: string, options: InitOptions): Promise<void> {
  if (options.approver.length === 0 && options.team.length === 0) {
    throw new UsageError("name who may approve: --approver LOGIN and/or --team ORG/SLUG");
  }
  if (options.owner.length === 0) {
    throw new UsageError("name the team that approves manifest changes: --owner ORG/SLUG");
  }
  const tree = await repositoryFiles(root);
  const paths = {
    model: [`models/${options.system}/**`],
    data: [`data/${options.system}/**`],
  };
  // Paths that hold no file yet describe a system not built yet: `design`, whose dead paths
  // are warnings, until its files exist.
  const files = repositoryTree(tree);
  const built = Object.values(paths).every((globs) => globs.every((g) => globMatchesAny(files, g)));
  const system: ScaffoldSystem = {
    id: options.system,
    lifecycle: built ? "development" : "design",
    paths,
    ...(built
      ? {}
      : { comment: "design: its paths match no file yet; set the lifecycle once they do" }),
  };
  const scaffold = scaffoldFiles([system], people(options, options.tier ?? "limited"), new Date());
  refuseProblems(scaffold, tree, options);
  if (!options.force) {
    for (const path of Object.keys(scaffold)) {
      if (await stat(joinRepo(root, path)).catch(() => null)) {
        throw new UsageError(`${path} already exists: pass --force to overwrite`);
      }
    }
  }
  await writeFiles(ctx, root, scaffold);
  ctx.stdout(
    "next: describe the system and its risks in the files above, then run 'aigate validate'.\n" +
      "The risk-assessment gate passes once acceptance.decision is accepted.\n",
  );
  const assets = tree.filter((path) => !Object.hasOwn(scaffold, path)).length;
  if (!built && assets > 0) {
    ctx.stdout(
      `hint: this repository has ${assets} file(s), and the paths above match none of them: 'aigate init --scan' proposes systems from the models, data, prompts and AI code it finds.\n`,
    );
  }
}

/** `--scan`: prints the proposal; with `--write`, writes it. */
async function initFromScan(ctx: CliContext, root: string, options: InitOptions): Promise<void> {
  const git = new LocalGit(root);
  const listed = await git.workingTreeFiles();
  const scan = scanFiles(root, listed, basename(root));
  if (options.json) {
    ctx.stdout(`${JSON.stringify(scan, null, 2)}\n`);
    return;
  }
  ctx.stdout(describeScan(scan));
  const systems: ScaffoldSystem[] = scan.systems.map((s) => {
    const paths: ScaffoldSystem["paths"] = {};
    for (const g of s.globs) paths[g.kind] = [...(paths[g.kind] ?? []), g.glob];
    // One total per kind, with what gave its files away.
    const kinds = new Map<string, { files: number; evidence: Set<string> }>();
    for (const g of s.globs) {
      if (g.glob.startsWith("!")) continue;
      const entry = kinds.get(g.kind) ?? {
        files: s.files[g.kind] ?? 0,
        evidence: new Set<string>(),
      };
      for (const e of g.evidence) entry.evidence.add(e);
      kinds.set(g.kind, entry);
    }
    const found = [...kinds].map(
      ([kind, k]) => `${k.files} ${kind} file(s) (${[...k.evidence].join(", ")})`,
    );
    return { id: s.id, lifecycle: "development", paths, comment: `found ${found.join("; ")}` };
  });
  const files = scaffoldFiles(systems, people(options, options.tier), new Date());
  refuseProblems(files, listed, options);
  const manifestExists = Boolean(await stat(joinRepo(root, MANIFEST_PATH)).catch(() => null));
  if (!options.write) {
    ctx.stdout(
      manifestExists
        ? `${MANIFEST_PATH} already exists: --write never replaces it; add the systems above to it by hand.\n`
        : `Nothing written. Run again with --write to create ${Object.keys(files).length} file(s): ${Object.keys(files).join(", ")}.\n`,
    );
    return;
  }
  if (manifestExists) {
    throw new UsageError(
      `${MANIFEST_PATH} already exists: --scan --write never replaces a manifest; add the systems above to it by hand`,
    );
  }
  const written: Record<string, string> = {};
  for (const [path, content] of Object.entries(files)) {
    const exists = Boolean(await stat(joinRepo(root, path)).catch(() => null));
    if (!exists) written[path] = content;
    else if (path === POLICY_PATH) ctx.stdout(`kept ${path} (it exists)\n`);
    else
      throw new UsageError(`${path} already exists: move it away, or write the proposal by hand`);
  }
  await writeFiles(ctx, root, written);
  const placeholders = !options.tier || options.owner.length === 0 || noApprovers(options);
  ctx.stdout(
    placeholders
      ? "next: fill in every value that starts with FILL-IN: ('aigate validate' lists them), then describe each system and its risks.\n"
      : "next: describe each system and its risks in the files above, then run 'aigate validate'.\n",
  );
}

/** Left-out folders printed on the terminal; `--json` lists them all. */
const LEFT_OUT_SHOWN = 12;

function describeScan(scan: ScanResult): string {
  const lines = [
    `aigate init --scan: ${scan.listed} file(s) listed by git${scan.vendored > 0 ? `, ${scan.vendored} in vendored folders skipped` : ""}, ${scan.governed} AI file(s) to govern`,
  ];
  if (scan.systems.length === 0) {
    lines.push(
      "No AI assets found (model weights and artefacts, prompts, ML pipelines, code importing AI libraries).",
      "With --write, a manifest with no systems is written, to add systems to as they come.",
    );
  } else {
    lines.push("Proposed AI systems:");
    for (const system of scan.systems) {
      lines.push(`  ${system.id}${system.root ? ` (package ${system.root}/)` : ""}`);
      for (const g of system.globs) {
        const why = g.glob.startsWith("!")
          ? `left out: ${g.evidence.join(", ")}`
          : `${g.files} file(s): ${g.evidence.join(", ")}`;
        lines.push(`    ${`${g.kind}:`.padEnd(12)}${g.glob.padEnd(32)} ${why}`);
      }
    }
  }
  if (scan.leftOut.length > 0) {
    lines.push("Left out:");
    for (const l of scan.leftOut.slice(0, LEFT_OUT_SHOWN)) {
      lines.push(`  ${l.path.padEnd(34)} ${l.files} file(s): ${l.reason}`);
    }
    if (scan.leftOut.length > LEFT_OUT_SHOWN) {
      lines.push(`  … and ${scan.leftOut.length - LEFT_OUT_SHOWN} more (--json lists them all)`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function people(options: InitOptions, tier: string | undefined) {
  return {
    ...(tier !== undefined ? { tier } : {}),
    approvers: options.approver,
    teams: options.team,
    owners: options.owner,
  };
}

function noApprovers(options: InitOptions): boolean {
  return options.approver.length === 0 && options.team.length === 0;
}

/** A usage error (exit 2) carrying what `aigate validate` would say about the scaffold. */
function refuseProblems(
  files: Record<string, string>,
  tree: readonly string[],
  options: InitOptions,
): void {
  const problems = scaffoldProblems(files, tree, {
    system: [options.system],
    tier: options.tier !== undefined ? [options.tier] : [],
    owner: options.owner,
    team: options.team,
    approver: options.approver,
  });
  if (problems.length > 0) throw new UsageError(problems.join("\naigate: "));
}

async function writeFiles(
  ctx: CliContext,
  root: string,
  files: Record<string, string>,
): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const full = joinRepo(root, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
    ctx.stdout(`created ${path}\n`);
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
