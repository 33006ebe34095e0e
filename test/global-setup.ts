import { execFileSync } from "node:child_process";

/** The CLI and Action tests run the built artefacts, so build them once per run. */
export default function setup(): void {
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
}
