import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { LocatedError } from "../../../src/core/errors.js";
import { parseManifest } from "../../../src/core/manifest/parse.js";
import {
  INVALIDATE_ON_PUSH,
  LIFECYCLES,
  ManifestSchema,
  TIERS,
} from "../../../src/core/manifest/schema.js";
import { readFixture } from "./fixtures.js";

const FILE = ".github/ai-governance.yml";

/** Mostly a valid value, sometimes a plausible mistake, now and then anything at all. */
function mostly<T>(valid: fc.Arbitrary<T>, ...mistakes: unknown[]): fc.Arbitrary<unknown> {
  const arbitraries: fc.WeightedArbitrary<unknown>[] = [
    { weight: 40, arbitrary: valid },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2, maxKeys: 3 }) },
  ];
  if (mistakes.length > 0) arbitraries.push({ weight: 2, arbitrary: fc.constantFrom(...mistakes) });
  return fc.oneof(...arbitraries);
}

const login = mostly(fc.constantFrom("alice", "bob", "@carol", "Alice"), "not a login");
const team = mostly(fc.constantFrom("acme/model-risk", "acme/ai-governance"), "no-slash");
const glob = mostly(fc.constantFrom("models/**", "data/*.csv", "prompts/**"), "/abs/**", "a/../b");
const repoPath = mostly(fc.constantFrom("docs/a.md", "governance/x.yml"), "../x.md", "/etc/passwd");
const evidenceKind = fc.constantFrom("model_card", "data_sheet", "transparency_notice");
const approvers = fc.record(
  { teams: fc.array(team, { maxLength: 2 }), users: fc.array(login, { maxLength: 3 }) },
  { requiredKeys: [] },
);
const tierPolicy = fc.record(
  {
    approvals: mostly(fc.integer({ min: 0, max: 3 }), -1, 2.5),
    assessment: mostly(fc.constantFrom("required", "optional"), "sometimes"),
    update_on: mostly(fc.array(fc.constantFrom("model", "data", "prompts"), { maxLength: 2 })),
    evidence: mostly(fc.array(evidenceKind, { maxLength: 2 }), ["Bad-Kind"]),
    blocked: mostly(fc.boolean(), "yes"),
  },
  { requiredKeys: [] },
);

const system = fc.record(
  {
    id: mostly(fc.constantFrom("credit-scoring", "chatbot", "spell", "vision"), "Bad Id"),
    name: mostly(fc.constantFrom("A system", "Another"), ""),
    purpose: mostly(fc.string({ minLength: 1, maxLength: 20 })),
    owner: mostly(fc.constantFrom("@acme/ml", "acme")),
    lifecycle: mostly(fc.constantFrom(...LIFECYCLES), "prod"),
    tier: mostly(fc.constantFrom(...TIERS), "critical"),
    paths: mostly(
      fc.record(
        { model: fc.array(glob, { maxLength: 2 }), data: fc.array(glob, { maxLength: 2 }) },
        { requiredKeys: ["model"] },
      ),
      {},
    ),
    assessment: repoPath,
    evidence: mostly(fc.dictionary(evidenceKind, repoPath, { minKeys: 1, maxKeys: 3 }), {
      "Bad-Kind": "docs/a.md",
    }),
    approvers: mostly(approvers),
    approvals: mostly(fc.integer({ min: 0, max: 3 }), -1, 21, "two"),
  },
  { requiredKeys: ["id", "name", "purpose", "owner", "lifecycle", "tier", "paths"] },
);

const manifestShaped = fc.record(
  {
    version: mostly(fc.constant(1), 2, "1"),
    governance: mostly(
      fc.record(
        {
          owners: mostly(approvers),
          approvals: mostly(fc.integer({ min: 1, max: 3 }), 0),
          policy: repoPath,
        },
        { requiredKeys: ["owners", "policy"] },
      ),
    ),
    defaults: mostly(
      fc.record(
        {
          invalidate_on_push: mostly(fc.constantFrom(...INVALIDATE_ON_PUSH), "sometimes"),
          committers_can_approve: mostly(fc.boolean()),
          tiers: mostly(fc.dictionary(fc.constantFrom(...TIERS), tierPolicy, { maxKeys: 2 })),
        },
        { requiredKeys: [] },
      ),
    ),
    systems: mostly(fc.array(system, { maxLength: 3 })),
  },
  { requiredKeys: ["version", "governance", "systems"] },
);

function expectLocated(errors: LocatedError[], file: string): void {
  expect(errors.length).toBeGreaterThan(0);
  for (const error of errors) {
    expect(error.file).toBe(file);
    expect(error.line).toBeGreaterThanOrEqual(0);
    expect(error.column).toBeGreaterThanOrEqual(0);
    expect(error.message.trim()).not.toBe("");
  }
}

describe("parseManifest never throws", () => {
  it("on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), (text) => {
        const result = parseManifest(text, FILE);
        if (!result.ok) expectLocated(result.errors, FILE);
      }),
      { numRuns: 300 },
    );
  });

  it("on arbitrary YAML documents", () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4 }), (value) => {
        const result = parseManifest(stringify(value), FILE);
        expect(result.ok).toBe(false);
        if (!result.ok) expectLocated(result.errors, FILE);
      }),
      { numRuns: 300 },
    );
  });

  it("on a valid manifest with characters inserted or deleted anywhere", () => {
    const valid = readFixture("manifests/valid-full.yml");
    fc.assert(
      fc.property(
        fc.nat({ max: valid.length }),
        fc.nat({ max: 20 }),
        fc.constantFrom("", "\t", ":", "-", "[", "{", "'", '"', "&a ", "*a", "\n", " ", "#", "!!"),
        (at, remove, insert) => {
          const text = valid.slice(0, at) + insert + valid.slice(at + remove);
          const result = parseManifest(text, FILE);
          if (!result.ok) expectLocated(result.errors, FILE);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("parseManifest on manifest-shaped documents", () => {
  it("either returns a manifest that keeps the invariants, or located errors", () => {
    fc.assert(
      fc.property(manifestShaped, (shaped) => {
        const text = stringify(shaped);
        const result = parseManifest(text, FILE);
        const schemaAccepts = ManifestSchema.safeParse(parse(text)).success;
        if (!result.ok) {
          expectLocated(result.errors, FILE);
          return;
        }
        expect(schemaAccepts).toBe(true);
        const { manifest } = result;
        const ids = manifest.systems.map((s) => s.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(manifest.governance.approvals).toBeGreaterThanOrEqual(1);
        expect(
          manifest.governance.owners.teams.length + manifest.governance.owners.users.length,
        ).toBeGreaterThan(0);
        for (const s of manifest.systems) {
          expect(Number.isInteger(s.approvals) && s.approvals >= 0).toBe(true);
          // A blocked system fails every pull request anyway; the rest must be able to pass.
          if (s.blocked) continue;
          for (const kind of s.requiredEvidence) expect(s.evidence[kind]).toBeDefined();
          if (s.assessmentRequired) expect(s.assessment).toBeDefined();
          if (s.approvals > 0 && s.approvers.teams.length === 0) {
            expect(s.approvers.users.length).toBeGreaterThanOrEqual(s.approvals);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it("never accepts what the schema rejects", () => {
    fc.assert(
      fc.property(manifestShaped, (shaped) => {
        const text = stringify(shaped);
        if (!ManifestSchema.safeParse(parse(text)).success) {
          expect(parseManifest(text, FILE).ok).toBe(false);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("generates valid manifests (one in ten or more), so the invariants above are exercised", () => {
    const samples = fc.sample(manifestShaped, { numRuns: 400, seed: 42 });
    const accepted = samples.filter((shaped) => parseManifest(stringify(shaped), FILE).ok);
    expect(accepted.length).toBeGreaterThanOrEqual(40);
  });
});
