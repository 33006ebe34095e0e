#!/usr/bin/env node
// Starts the aigate GitHub App's server (`npm start`); see docs/deployment.md.
import { existsSync } from "node:fs";

const entry = new URL("../dist/server/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("aigate: the App is not built yet: run `npm run build` first\n");
  process.exit(1);
}
await import(entry.href);
