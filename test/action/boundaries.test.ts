import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/git-repo.js";

/** Every source file of the repository the Action's entry reaches, as esbuild resolves them. */
async function actionSources(): Promise<string[]> {
  const result = await build({
    entryPoints: [join(ROOT, "action", "index.ts")],
    absWorkingDir: ROOT,
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    write: false,
    metafile: true,
    logLevel: "silent",
    outfile: join(ROOT, "action", "dist", "boundaries.js"),
  });
  return Object.keys(result.metafile.inputs);
}

describe("the Action's sources", () => {
  it("reach the engine, the GitHub adapter and the register's renderers, never the CLI's internals", async () => {
    const sources = await actionSources();
    expect(sources).toContain("src/core/register/render/html.ts");
    expect(sources).toContain("src/github/reads/inventory.ts");
    expect(sources.filter((path) => path.startsWith("src/cli/"))).toEqual([]);
  });
});
