/**
 * The code cites the design a maintainer can read: every `docs/*.md#section` named in a source
 * comment is a page of this repository with that section, and nothing cites a document the
 * repository does not hold.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import GithubSlugger from "github-slugger";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/git-repo.js";

const SOURCES = ["src", "action", "sim", "scripts", "bench", "bin"];

function sourceFiles(): string[] {
  const listed = execFileSync(
    "git",
    ["ls-files", "--cached", "--others", "--exclude-standard", ...SOURCES],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );
  return listed.split("\n").filter((f) => /\.(ts|mjs|js)$/.test(f) && !f.startsWith("action/dist"));
}

/** The anchors GitHub gives a Markdown page's headings. */
function anchors(page: string): Set<string> {
  const slugger = new GithubSlugger();
  const text = readFileSync(join(ROOT, page), "utf8").replace(/^```[\s\S]*?^```/gm, "");
  return new Set(
    [...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slugger.slug((m[1] ?? "").trim())),
  );
}

describe("citations in the code", () => {
  const files = sourceFiles();

  it("finds the sources to check", () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it("never cite a design document outside the repository", () => {
    const cited = files.filter((f) => /DESIGN\s*§/.test(readFileSync(join(ROOT, f), "utf8")));
    expect(cited).toEqual([]);
  });

  it("name pages and sections that exist", () => {
    const missing: string[] = [];
    for (const file of files) {
      // Comments only: string literals name files of governed repositories (docs/ai-policy.md).
      const comments = readFileSync(join(ROOT, file), "utf8")
        .split("\n")
        .filter((line) => /^\s*(\/\/|\/\*|\*)/.test(line))
        .join("\n");
      for (const [, page, section] of comments.matchAll(
        /\b(docs\/[a-z0-9-]+\.md)(?:#([a-z0-9-]+))?/g,
      )) {
        if (!page) continue;
        if (!existsSync(join(ROOT, page))) missing.push(`${file}: ${page}`);
        else if (section && !anchors(page).has(section))
          missing.push(`${file}: ${page}#${section}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
