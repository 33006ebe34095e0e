import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { readSettings } from "../../action/inputs.js";
import { ROOT } from "../support/git-repo.js";

const text = readFileSync(join(ROOT, "action", "action.yml"), "utf8");

describe("action/action.yml", () => {
  it("is valid YAML", () => {
    expect(parseDocument(text).errors.map((e) => e.message)).toEqual([]);
  });

  it("runs the committed bundle on node24", () => {
    const runs = parseDocument(text).toJS().runs;
    expect(runs).toEqual({ using: "node24", main: "dist/index.js" });
  });

  it("declares exactly the inputs the input helper reads", () => {
    const declared = Object.keys(parseDocument(text).toJS().inputs).sort();
    const read = new Set<string>();
    readSettings((name) => {
      read.add(name);
      return name === "token" ? "t" : "";
    });
    expect([...read].sort()).toEqual(declared);
  });

  it("declares the outputs the Action sets", () => {
    const outputs = Object.keys(parseDocument(text).toJS().outputs).sort();
    expect(outputs).toEqual([
      "affected-systems",
      "assessments-due",
      "human-oversight",
      "merge-verifications",
      "register-html",
      "register-json",
      "register-markdown",
      "report",
      "risk-assessment",
      "sarif",
      "tracking-issue",
    ]);
  });
});
