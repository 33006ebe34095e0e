import type { JsonSchemaSpec } from "../manifest/json-schema.js";
import { OrgPolicySchema } from "./schema.js";

export const POLICY_JSON_SCHEMA: JsonSchemaSpec = {
  fileName: "ai-governance-policy.schema.json",
  title: "aigate organisation policy",
  description:
    "An organisation's AI-governance policy: the governance owners and the tier defaults that every repository extending it (extends: OWNER/REPO:PATH@REF in its manifest) may tighten but never loosen.",
  schema: OrgPolicySchema,
};
