import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../fixtures/", import.meta.url));

/** The text of a fixture file, e.g. `readFixture("manifests/empty.yml")`. */
export function readFixture(name: string): string {
  return readFileSync(`${root}${name}`, "utf8");
}
