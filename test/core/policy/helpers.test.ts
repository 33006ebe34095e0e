import { describe, expect, it } from "vitest";
import { parseManifest } from "../../../src/core/manifest/parse.js";
import type { Manifest } from "../../../src/core/manifest/schema.js";
import {
  approverEligibilities,
  eligibility,
  governanceEligibility,
  planReads,
  resolveApprovalSystems,
  systemFor,
} from "../../../src/core/policy/index.js";
import type { AffectedSystem } from "../../../src/core/types.js";
import { ALICE, BOB, BOT, CAROL, DAVE, MANIFEST_YAML } from "./fixtures.js";

function manifest(): Manifest {
  const parsed = parseManifest(MANIFEST_YAML);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join("\n"));
  return parsed.manifest;
}

function affected(...ids: string[]): AffectedSystem[] {
  return ids.map((id) => ({
    id,
    name: id,
    tier: "high",
    lifecycle: id === "legacy-ranker" ? "retired" : "production",
    kinds: id === "aigate:manifest" ? ["manifest"] : ["model"],
    files: [],
    moreFiles: 0,
  }));
}

const credit = () => {
  const system = systemFor(manifest(), "credit-scoring");
  if (!system) throw new Error("fixture has no credit-scoring");
  return system;
};

describe("eligibility: who may approve a system", () => {
  it("accepts a listed user, case-insensitively", () => {
    expect(eligibility(credit(), { ...ALICE, login: "Alice" }, [])).toEqual({
      system: "credit-scoring",
      reason: "listed user",
    });
  });

  it("accepts a member of a listed team", () => {
    expect(eligibility(credit(), CAROL, ["acme/model-risk"])).toEqual({
      system: "credit-scoring",
      reason: "member of acme/model-risk",
    });
  });

  it("refuses anyone else", () => {
    expect(eligibility(credit(), BOB, ["acme/other"])).toBeNull();
  });

  it("refuses bots even when listed", () => {
    expect(eligibility(credit(), { ...BOT, login: "alice" }, [])).toBeNull();
  });

  it("refuses organisations", () => {
    expect(eligibility(credit(), { id: 5, login: "alice", type: "Organization" }, [])).toBeNull();
  });

  it("makes governance owners eligible for the manifest pseudo-system", () => {
    expect(governanceEligibility(manifest(), CAROL, ["acme/ai-governance"])).toEqual({
      system: "aigate:manifest",
      reason: "governance owner (member of acme/ai-governance)",
    });
    expect(governanceEligibility(manifest(), CAROL, ["acme/model-risk"])).toBeNull();
  });

  it("gives a retired system's approvers and governance owners their own eligibility", () => {
    const m = manifest();
    const affectedNow = affected("legacy-ranker");
    expect(approverEligibilities(m, affectedNow, DAVE, [])).toEqual([
      { system: "legacy-ranker", reason: "listed user" },
    ]);
    expect(approverEligibilities(m, affectedNow, CAROL, ["acme/ai-governance"])).toEqual([
      { system: "legacy-ranker", reason: "governance owner (member of acme/ai-governance)" },
    ]);
  });
});

describe("resolveApprovalSystems: what one approval covers", () => {
  const all = [
    { system: "credit-scoring", reason: "listed user" },
    { system: "chat-helper", reason: "listed user" },
    { system: "fraud-profiler", reason: "listed user" },
  ];

  it("covers every affected system the approver is eligible for", () => {
    expect(resolveApprovalSystems(affected("credit-scoring", "chat-helper"), all)).toEqual(
      all.slice(0, 2),
    );
  });

  it("covers only the systems named with /approve", () => {
    expect(
      resolveApprovalSystems(affected("credit-scoring", "chat-helper"), all, ["chat-helper"]),
    ).toEqual([all[1]]);
  });

  it("ignores named systems that are not affected or not eligible", () => {
    expect(
      resolveApprovalSystems(affected("credit-scoring"), all, ["nope", "chat-helper"]),
    ).toEqual([]);
  });
});

describe("planReads: what the adapter reads before evaluating", () => {
  it("reads nothing when no system is affected", () => {
    expect(planReads(manifest(), [])).toEqual({ head: [], base: [] });
  });

  it("reads each affected system's assessment and evidence at the head, the policy at the base", () => {
    expect(planReads(manifest(), affected("credit-scoring"))).toEqual({
      head: [
        "governance/assessments/credit-scoring.yml",
        "docs/model-cards/credit-scoring.md",
        "docs/data/credit.md",
      ],
      base: ["docs/ai-policy.md"],
    });
  });

  it("reads the proposed manifest at the head when the manifest changed", () => {
    expect(planReads(manifest(), affected("aigate:manifest")).head).toEqual([
      ".github/ai-governance.yml",
    ]);
  });
});
