import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { HANDLED_EVENTS } from "../../src/github/events/router.js";

const manifest = parse(
  readFileSync(fileURLToPath(new URL("../../app.yml", import.meta.url)), "utf8"),
) as {
  default_events: string[];
  default_permissions: Record<string, string>;
};

describe("app.yml", () => {
  it("subscribes to exactly the events the App acts on", () => {
    const handled = [...new Set(HANDLED_EVENTS.map((e) => e.split(".")[0]))].sort();
    expect([...manifest.default_events].sort()).toEqual(handled);
  });

  it("asks for the least permissions that work", () => {
    expect(manifest.default_permissions).toEqual({
      checks: "write",
      contents: "read",
      pull_requests: "write",
      issues: "write",
      members: "read",
      merge_queues: "read",
      metadata: "read",
    });
  });
});
