/**
 * A production install from the repository: the package as `npm pack` makes it, installed
 * without development dependencies, runs the CLI and starts the App until it answers its
 * liveness route, then stops cleanly on SIGTERM.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../sim/ports.js";
import { appIdentity } from "../../sim/stack.js";
import { HEALTHZ_PATH } from "../../src/server/health.js";

const ROOT = join(import.meta.dirname, "..", "..");
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
});

describe("a production install of the packed package", () => {
  it("installs with --omit=dev, runs aigate --version and starts the App", async () => {
    const work = mkdtempSync(join(tmpdir(), "aigate-install-"));
    execFileSync("npm", ["pack", "--silent", "--pack-destination", work], { cwd: ROOT });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    expect(tarball).toBeDefined();
    const app = join(work, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), '{ "name": "operator", "private": true }\n');
    execFileSync(
      "npm",
      [
        "install",
        "--omit=dev",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        join(work, tarball ?? ""),
      ],
      { cwd: app, stdio: "pipe" },
    );
    const installed = readdirSync(join(app, "node_modules"));
    for (const dev of ["typescript", "vitest", "esbuild", "@biomejs"]) {
      expect(installed, `${dev} must not be installed`).not.toContain(dev);
    }

    const bin = join(app, "node_modules", ".bin");
    const version = execFileSync(join(bin, "aigate"), ["--version"], { encoding: "utf8" });
    expect(version.trim()).toMatch(/^\d+\.\d+\.\d+/);

    const port = await freePort();
    const identity = appIdentity();
    const child = spawn(join(bin, "aigate-app"), [], {
      cwd: app,
      env: {
        PATH: process.env.PATH ?? "",
        NODE_ENV: "production",
        APP_ID: "1",
        PRIVATE_KEY: identity.privateKey,
        WEBHOOK_SECRET: identity.secret,
        AIGATE_SIGNING_KEY: identity.signingKeyPem,
        HOST: "127.0.0.1",
        PORT: String(port),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let output = "";
    child.stdout?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));

    let status = 0;
    for (let attempt = 0; attempt < 200 && status !== 200 && child.exitCode === null; attempt++) {
      status = await fetch(`http://127.0.0.1:${port}${HEALTHZ_PATH}`).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status, output).toBe(200);
    child.kill("SIGTERM");
    expect(await exited, output).toBe(0);
  }, 180_000);
});
