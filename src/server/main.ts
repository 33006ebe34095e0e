/**
 * `npm start`: runs the App's server until SIGTERM or SIGINT, then shuts down gracefully and
 * exits 0. A setting that stops start-up is one line on stderr and exit code 1. Without an
 * APP_ID outside production, Probot's setup page registers the App instead.
 */
import { existsSync } from "node:fs";
import { run } from "probot";
import { createApp } from "../app.js";
import { StartupError } from "../github/operator/config.js";
import { startServer } from "./server.js";

async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Probot's setup page writes the App's credentials to .env; read them as Probot would.
  if (existsSync(".env")) process.loadEnvFile(".env");
  if (!env.APP_ID?.trim() && env.NODE_ENV !== "production") {
    await run(createApp());
    return;
  }
  const server = await startServer({ env });
  const stop = (signal: string) => {
    process.stderr.write(`aigate: ${signal} received, shutting down\n`);
    void server.shutdown().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

main().catch((error: unknown) => {
  if (error instanceof StartupError) {
    const line = error.message.replace(/\s+/g, " ");
    process.stderr.write(`${line.startsWith("aigate ") ? line : `aigate: ${line}`}\n`);
    process.exit(1);
  }
  throw error;
});
