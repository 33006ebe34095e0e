import { describe, expect, it } from "vitest";
import {
  ANNEX_A_AREAS,
  ANNEX_A_CONTROLS,
  ASSESSMENT_REFERENCES,
  annexA,
  OVERSIGHT_REFERENCES,
  referencesFor,
} from "../../src/core/controls.js";

const ids = (refs: ReadonlyArray<{ id: string }>) => refs.map((r) => r.id);

describe("controls: ISO/IEC 42001 Annex A", () => {
  it("lists exactly the 38 Annex A controls, each once", () => {
    expect(ANNEX_A_CONTROLS).toHaveLength(38);
    expect(new Set(ids(ANNEX_A_CONTROLS)).size).toBe(38);
  });

  it("covers the nine areas A.2 to A.10 and nothing else", () => {
    expect(new Set(ANNEX_A_CONTROLS.map((c) => c.area))).toEqual(
      new Set(Object.keys(ANNEX_A_AREAS)),
    );
    expect(Object.keys(ANNEX_A_AREAS)).toHaveLength(9);
  });

  it("counts the controls per area as the standard does", () => {
    const perArea = Object.fromEntries(
      Object.keys(ANNEX_A_AREAS).map((a) => [
        a,
        ANNEX_A_CONTROLS.filter((c) => c.area === a).length,
      ]),
    );
    expect(perArea).toEqual({
      "A.2": 3,
      "A.3": 2,
      "A.4": 5,
      "A.5": 4,
      "A.6": 9,
      "A.7": 5,
      "A.8": 4,
      "A.9": 3,
      "A.10": 3,
    });
  });

  it("uses the standard's control titles", () => {
    expect(annexA("A.5.4").title).toBe(
      "Assessing AI system impact on individuals or groups of individuals",
    );
    expect(annexA("A.6.2.4").title).toBe("AI system verification and validation");
    expect(annexA("A.9.4").title).toBe("Intended use of the AI system");
    expect(() => annexA("A.11.1")).toThrow(/unknown/);
  });

  it("claims repository evidence only for the controls a repository can evidence", () => {
    const evidenced = ANNEX_A_CONTROLS.filter((c) => c.repositoryEvidence).map((c) => c.id);
    expect(evidenced).toEqual([
      "A.3.2",
      "A.4.2",
      "A.4.3",
      "A.4.4",
      "A.5.2",
      "A.5.3",
      "A.5.4",
      "A.5.5",
      "A.6.2.2",
      "A.6.2.3",
      "A.6.2.4",
      "A.6.2.5",
      "A.6.2.6",
      "A.6.2.7",
      "A.6.2.8",
      "A.7.2",
      "A.7.3",
      "A.7.4",
      "A.7.5",
      "A.7.6",
      "A.9.4",
      "A.10.3",
    ]);
    for (const id of ["A.2.2", "A.2.3", "A.2.4", "A.4.6", "A.8.3", "A.8.4", "A.8.5", "A.10.4"]) {
      expect(annexA(id).repositoryEvidence).toBe(false);
    }
  });
});

describe("controls: what each gate evidences", () => {
  it("maps the risk-assessment gate to cl. 8.2/8.4, A.5, A.6.2.4, A.7, Art. 9/10, GOVERN 1.6 and MAP 1.1", () => {
    expect(ids(ASSESSMENT_REFERENCES)).toEqual([
      "cl. 8.2",
      "cl. 8.4",
      "A.5.2",
      "A.5.3",
      "A.5.4",
      "A.5.5",
      "A.6.2.4",
      "A.7.2",
      "A.7.3",
      "A.7.4",
      "A.7.5",
      "A.7.6",
      "Art. 9",
      "Art. 10",
      "GOVERN 1.6",
      "MAP 1.1",
    ]);
  });

  it("maps the human-oversight gate to A.3.2, A.6.2.5, A.9.2-A.9.4, Art. 14, MAP 3.5 and MANAGE 1.1", () => {
    expect(ids(OVERSIGHT_REFERENCES)).toEqual([
      "A.3.2",
      "A.6.2.5",
      "A.9.2",
      "A.9.3",
      "A.9.4",
      "Art. 14",
      "MAP 3.5",
      "MANAGE 1.1",
    ]);
  });

  it("says how a gate contributes where it references a control a repository cannot evidence", () => {
    for (const ref of [...ASSESSMENT_REFERENCES, ...OVERSIGHT_REFERENCES]) {
      if (ref.framework !== "ISO/IEC 42001" || ref.id.startsWith("cl.")) continue;
      if (!annexA(ref.id).repositoryEvidence) expect(ref.note).toMatch(/^contributes/);
    }
  });

  it("adds Art. 5 to both gates when a prohibited system is touched", () => {
    expect(ids(referencesFor("assessment", ["prohibited"]))).toContain("Art. 5");
    expect(ids(referencesFor("oversight", ["prohibited"]))).toContain("Art. 5");
    expect(ids(referencesFor("oversight", ["high"]))).not.toContain("Art. 5");
  });

  it("adds Art. 50 to the risk-assessment gate when a limited-risk system is touched", () => {
    expect(ids(referencesFor("assessment", ["limited"]))).toContain("Art. 50");
    expect(ids(referencesFor("assessment", ["high"]))).not.toContain("Art. 50");
  });

  it("adds cl. 6.3 planning of changes to the oversight gate when the manifest changes", () => {
    expect(ids(referencesFor("oversight", [], true))).toContain("cl. 6.3");
    expect(ids(referencesFor("oversight", [], false))).not.toContain("cl. 6.3");
    expect(ids(referencesFor("assessment", [], true))).not.toContain("cl. 6.3");
  });
});
