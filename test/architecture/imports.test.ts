import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { cruise, type IViolation } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/git-repo.js";

/** The rule violations dependency-cruiser finds under `paths`, one line each. */
async function violations(paths: string[]): Promise<string[]> {
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const options = await extractDepcruiseOptions("./.dependency-cruiser.mjs");
    const result = await cruise(paths, { ...options, validate: true });
    if (typeof result.output === "string") throw new Error(result.output);
    const found: IViolation[] = result.output.summary.violations;
    return found.map(
      (v) => `${v.rule.name}: ${v.from} → ${v.cycle?.map((c) => c.name).join(" → ") ?? v.to}`,
    );
  } finally {
    process.chdir(cwd);
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("the source tree's imports (docs/architecture.md#the-tree)", () => {
  it("have no circle between files, keep the core pure, and never let the policy consult the report", async () => {
    expect(await violations(["src", "action"])).toEqual([]);
  }, 60_000);

  it("are read by a tool that does see a circle, even one of type imports only", async () => {
    const found = await violations(["test/fixtures/import-circle"]);
    expect(found.some((line) => line.startsWith("no-circular:"))).toBe(true);
  }, 60_000);
});

describe("the GitHub adapter's rooms", () => {
  const adapter = join(ROOT, "src", "github");

  it("keep only the client, its errors and its retries at the top; every stage is a folder with an opening line", () => {
    const top = readdirSync(adapter);
    const files = top.filter((name) => statSync(join(adapter, name)).isFile());
    expect(files.sort()).toEqual(["backoff.ts", "client.ts", "errors.ts"]);
    for (const room of top.filter((name) => statSync(join(adapter, name)).isDirectory())) {
      const readme = readFileSync(join(adapter, room, "README.md"), "utf8").trim();
      expect(readme.split("\n"), `src/github/${room}/README.md is one line`).toHaveLength(1);
    }
  });

  it("hold no file over 400 lines, and each file opens with a comment saying what it is", () => {
    for (const path of filesUnder(adapter).filter((p) => p.endsWith(".ts"))) {
      const text = readFileSync(path, "utf8");
      const where = relative(ROOT, path);
      expect(text.split("\n").length - 1, where).toBeLessThanOrEqual(400);
      expect(text.startsWith("/**"), `${where} opens with a comment`).toBe(true);
    }
  });
});
