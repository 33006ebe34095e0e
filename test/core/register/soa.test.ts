import { describe, expect, it } from "vitest";
import { ANNEX_A_CONTROLS } from "../../../src/core/controls.js";
import {
  buildRegister,
  buildSoa,
  SOA_DISCLAIMER,
  SoaSchema,
} from "../../../src/core/register/index.js";
import { lending, OPTIONS } from "./fixtures.js";

const soa = buildSoa(buildRegister([lending()], OPTIONS));

describe("the draft Statement of Applicability", () => {
  it("lists exactly the 38 Annex A controls, A.2.2 to A.10.4, with their real ids and titles", () => {
    expect(soa.controls).toHaveLength(38);
    expect(soa.controls[0]).toMatchObject({ id: "A.2.2", title: "AI policy", area: "A.2" });
    expect(soa.controls.at(-1)).toMatchObject({ id: "A.10.4", title: "Customers", area: "A.10" });
    expect(soa.controls.map((c) => c.id)).toEqual([
      "A.2.2",
      "A.2.3",
      "A.2.4",
      "A.3.2",
      "A.3.3",
      "A.4.2",
      "A.4.3",
      "A.4.4",
      "A.4.5",
      "A.4.6",
      "A.5.2",
      "A.5.3",
      "A.5.4",
      "A.5.5",
      "A.6.1.2",
      "A.6.1.3",
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
      "A.8.2",
      "A.8.3",
      "A.8.4",
      "A.8.5",
      "A.9.2",
      "A.9.3",
      "A.9.4",
      "A.10.2",
      "A.10.3",
      "A.10.4",
    ]);
    expect(soa.controls.map((c) => c.title)).toEqual(ANNEX_A_CONTROLS.map((c) => c.title));
  });

  it("is valid against its own schema", () => {
    expect(SoaSchema.safeParse(soa).success).toBe(true);
  });

  it("never claims what a repository cannot evidence", () => {
    for (const row of soa.controls) {
      const control = ANNEX_A_CONTROLS.find((c) => c.id === row.id);
      if (row.aigate === "evidenced") expect(control?.repositoryEvidence, row.id).toBe(true);
    }
    const outside = soa.controls
      .filter((c) => c.aigate === "not evidenced by aigate")
      .map((c) => c.id);
    expect(outside).toEqual(expect.arrayContaining(["A.2.2", "A.4.6", "A.8.5", "A.10.4"]));
    expect(soa.controls.find((c) => c.id === "A.4.2")?.aigate).toBe("partial");
  });

  it("names the gate that evidences a control, from the gates' own references", () => {
    expect(soa.controls.find((c) => c.id === "A.5.2")?.gate).toBe("AI governance: risk assessment");
    expect(soa.controls.find((c) => c.id === "A.6.2.5")?.gate).toBe(
      "AI governance: human oversight",
    );
    expect(soa.controls.find((c) => c.id === "A.8.3")?.gate).toBeNull();
  });

  it("gives counts from the register", () => {
    expect(soa.controls.find((c) => c.id === "A.5.2")?.counts).toBe(
      "2 of 2 required assessment(s) current (0 expiring); 0 expired, 0 missing, 0 invalid",
    );
    expect(soa.controls.find((c) => c.id === "A.4.2")?.counts).toBe(
      "4 AI system(s) in 1 governed repository(ies) of 1",
    );
    expect(soa.controls.find((c) => c.id === "A.6.2.5")?.counts).toMatch(/--with-approvals/);
  });

  it("leaves the organisation's columns empty and says it is a draft that certifies nothing", () => {
    for (const row of soa.controls) {
      expect([row.applicable, row.justification, row.implementation_status]).toEqual([
        null,
        null,
        null,
      ]);
    }
    expect(soa.disclaimer).toBe(SOA_DISCLAIMER);
    expect(SOA_DISCLAIMER).toContain("DRAFT");
    expect(SOA_DISCLAIMER).toContain("only an accredited certification body certifies");
    expect(SOA_DISCLAIMER).not.toMatch(/\bconforms\b|\bcompliant\b/i);
  });
});
