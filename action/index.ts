import { run } from "./run.js";
import { runtimeFromActions } from "./runtime.js";

await run(runtimeFromActions());
