import { execFileSync } from "node:child_process";

/**
 * The CLI and Action tests run the built artefacts, so build them once per run.
 * AIGATE_SKIP_BUILD=1 skips it when only in-process unit tests are run.
 */
export default function setup(): void {
  if (process.env.AIGATE_SKIP_BUILD === "1") return;
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
}
