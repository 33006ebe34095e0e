/**
 * The Dockerfile and compose.yaml, kept honest without a container engine: every file the
 * image copies exists and is not excluded, the image runs as a non-root user with production
 * dependencies only, and its start command and health check name a real script and route.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DockerfileParser, type Instruction } from "dockerfile-ast";
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { HEALTHZ_PATH } from "../../src/server/health.js";
import { DEFAULT_SHUTDOWN_TIMEOUT_S } from "../../src/server/settings.js";

const ROOT = join(import.meta.dirname, "..", "..");
const dockerfile = DockerfileParser.parse(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
const instructions = dockerfile.getInstructions();
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
};

/** The instructions of each stage, split at FROM. */
function stages(): Instruction[][] {
  const out: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.getKeyword() === "FROM") out.push([]);
    out.at(-1)?.push(instruction);
  }
  return out;
}
const args = (i: Instruction) => i.getArguments().map((a) => a.getValue());
/** A COPY's flags, e.g. `from=build`. */
const flags = (i: Instruction): string[] =>
  "getFlags" in i && typeof i.getFlags === "function"
    ? (i.getFlags() as { getName(): string; getValue(): string | null }[]).map(
        (f) => `${f.getName()}=${f.getValue() ?? ""}`,
      )
    : [];
const jsonForm = (i: Instruction): string[] => JSON.parse(i.getArgumentsContent() ?? "[]");

describe("the Dockerfile", () => {
  const [build, runtime] = stages();

  it("has a build stage and a runtime stage", () => {
    expect(stages()).toHaveLength(2);
    expect(args(build?.[0] as Instruction)).toEqual(["node:20-bookworm-slim", "AS", "build"]);
  });

  it("copies only files that exist in the repository and are not excluded by .dockerignore", () => {
    const ignored = picomatch(
      readFileSync(join(ROOT, ".dockerignore"), "utf8")
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("#")),
    );
    const copies = instructions.filter((i) => i.getKeyword() === "COPY" && flags(i).length === 0);
    expect(copies.length).toBeGreaterThan(3);
    for (const copy of copies) {
      const sources = args(copy)
        .filter((a) => !a.startsWith("--"))
        .slice(0, -1);
      for (const source of sources) {
        expect(existsSync(join(ROOT, source)), `COPY ${source}`).toBe(true);
        expect(ignored(source), `${source} is excluded by .dockerignore`).toBe(false);
      }
    }
  });

  it("builds dist/ in the build stage and copies exactly that into the runtime stage", () => {
    expect(
      build?.some((i) => i.getKeyword() === "RUN" && args(i).join(" ") === "npm run build"),
    ).toBe(true);
    expect(pkg.scripts.build).toBe("tsc -p tsconfig.build.json");
    const tsconfig = JSON.parse(readFileSync(join(ROOT, "tsconfig.build.json"), "utf8"));
    expect(tsconfig.compilerOptions.outDir).toBe("dist");
    const fromBuild = runtime?.find(
      (i) => i.getKeyword() === "COPY" && flags(i).includes("from=build"),
    );
    expect(fromBuild && args(fromBuild).slice(-2)).toEqual(["/app/dist", "./dist"]);
  });

  it("installs production dependencies only and runs as a non-root user", () => {
    const installs = (runtime ?? []).filter(
      (i) => i.getKeyword() === "RUN" && args(i).slice(0, 2).join(" ") === "npm ci",
    );
    expect(installs).toHaveLength(1);
    expect(args(installs[0] as Instruction)).toContain("--omit=dev");
    const user = runtime?.findLast((i) => i.getKeyword() === "USER");
    expect(user && args(user)[0]).toBe("node");
    expect(
      runtime?.some((i) => i.getKeyword() === "ENV" && args(i).includes("NODE_ENV=production")),
    ).toBe(true);
  });

  it("starts with npm start, whose script is a file the image contains", () => {
    const cmd = instructions.findLast((i) => i.getKeyword() === "CMD");
    expect(cmd && jsonForm(cmd)).toEqual(["npm", "start"]);
    const start = pkg.scripts.start ?? "";
    expect(start).toBe("node bin/aigate-app.js");
    expect(existsSync(join(ROOT, "bin", "aigate-app.js"))).toBe(true);
    // The start script loads dist/server/main.js, compiled from src/server/main.ts.
    expect(readFileSync(join(ROOT, "bin", "aigate-app.js"), "utf8")).toContain(
      "../dist/server/main.js",
    );
    expect(existsSync(join(ROOT, "src", "server", "main.ts"))).toBe(true);
  });

  it("checks health on the App's liveness route", () => {
    const check = instructions.find((i) => i.getKeyword() === "HEALTHCHECK");
    const content = check?.getArgumentsContent() ?? "";
    const command = JSON.parse(content.slice(content.indexOf("["))) as string[];
    expect(command[0]).toBe("node");
    expect(command.join(" ")).toContain(`/aigate/healthz`);
    expect(HEALTHZ_PATH).toBe("/aigate/healthz");
  });
});

describe("compose.yaml", () => {
  const compose = parse(readFileSync(join(ROOT, "compose.yaml"), "utf8")) as {
    services: Record<string, Record<string, unknown>>;
  };
  const app = compose.services.aigate ?? {};

  it("runs two replicas of the image built here, sharing the compose file's Redis", () => {
    expect(app.build).toBe(".");
    expect(app.deploy).toEqual({ replicas: 2 });
    expect(compose.services.redis).toBeDefined();
    expect((app.environment as Record<string, string>).REDIS_URL).toBe("redis://redis:6379");
  });

  it("gives in-flight work longer to finish than the App's shutdown bound", () => {
    const grace = Number(String(app.stop_grace_period).replace(/s$/, ""));
    const bound = Number((app.environment as Record<string, string>).AIGATE_SHUTDOWN_TIMEOUT);
    expect(bound).toBe(DEFAULT_SHUTDOWN_TIMEOUT_S);
    expect(grace).toBeGreaterThan(bound);
  });
});
