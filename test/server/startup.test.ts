/**
 * What an operator sees when `npm start` cannot start: one line naming what is wrong and how to
 * fix it, exit code 1, no stack trace, and nothing connecting before the settings are checked.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appIdentity } from "../../sim/stack.js";

const ROOT = join(import.meta.dirname, "..", "..");
const { privateKey, secret, signingKeyPem } = appIdentity();
const COMPLETE = {
  NODE_ENV: "production",
  APP_ID: "1",
  PRIVATE_KEY: privateKey,
  WEBHOOK_SECRET: secret,
  AIGATE_SIGNING_KEY: signingKeyPem,
  HOST: "127.0.0.1",
  PORT: "1",
};

/** Runs `npm start`'s command with exactly `env` (plus PATH), in an empty directory. */
function start(env: Record<string, string | undefined>) {
  const run = spawnSync(process.execPath, [join(ROOT, "bin", "aigate-app.js")], {
    cwd: mkdtempSync(join(tmpdir(), "aigate-startup-")),
    env: { PATH: process.env.PATH ?? "", ...env } as NodeJS.ProcessEnv,
    encoding: "utf8",
    timeout: 20_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function expectOneLine(run: ReturnType<typeof start>, message: RegExp) {
  expect(run.status, run.stderr).toBe(1);
  expect(run.stdout).toBe("");
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at |Error:|ECONNREFUSED/);
}

describe("start-up errors", () => {
  it("production without the webhook secret or the signing key", () => {
    expectOneLine(
      start({ ...COMPLETE, WEBHOOK_SECRET: undefined, AIGATE_SIGNING_KEY: undefined }),
      /^aigate refuses to start in production without WEBHOOK_SECRET and AIGATE_SIGNING_KEY: .*aigate keys generate/,
    );
  });

  it("production without APP_ID or the App's private key", () => {
    expectOneLine(start({ ...COMPLETE, APP_ID: undefined }), /^aigate: APP_ID is not set/);
    expectOneLine(
      start({ ...COMPLETE, PRIVATE_KEY: undefined }),
      /^aigate: the App's private key is missing: set PRIVATE_KEY .* or PRIVATE_KEY_PATH/,
    );
  });

  it("a REDIS_URL that is not a Redis URL, before anything tries to connect", () => {
    expectOneLine(
      start({ ...COMPLETE, REDIS_URL: "localhost:6379" }),
      /^aigate: REDIS_URL must start with redis:\/\/ or rediss:\/\/ \(for example redis:\/\/localhost:6379\)$/,
    );
  });

  it("a signing key that is not Ed25519, and operations settings out of range", () => {
    expectOneLine(
      start({ ...COMPLETE, AIGATE_SIGNING_KEY: privateKey }),
      /^aigate: AIGATE_SIGNING_KEY is a rsa key; attestations are signed with Ed25519/,
    );
    expectOneLine(
      start({ ...COMPLETE, AIGATE_SHUTDOWN_TIMEOUT: "soon" }),
      /^aigate: AIGATE_SHUTDOWN_TIMEOUT must be a number of seconds between 0 and 3600, not "soon"$/,
    );
    expectOneLine(
      start({ ...COMPLETE, AIGATE_METRICS_PORT: "99999" }),
      /^aigate: AIGATE_METRICS_PORT must be a TCP port between 1 and 65535/,
    );
  });
});
