import type { JsonSchemaSpec } from "../manifest/json-schema.js";
import { RiskAssessmentSchema } from "./schema.js";

export const ASSESSMENT_JSON_SCHEMA: JsonSchemaSpec = {
  fileName: "risk-assessment.schema.json",
  title: "aigate risk assessment",
  description:
    "The risk assessment of one AI system: intended use, affected parties, harms with likelihood, severity, mitigations and residual risk, data, oversight, monitoring and the acceptance decision (ISO/IEC 42001 cl. 8.2/8.4, A.5).",
  schema: RiskAssessmentSchema,
};
