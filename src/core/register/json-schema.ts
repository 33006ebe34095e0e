import type { JsonSchemaSpec } from "../manifest/json-schema.js";
import { RegisterSchema } from "./schema.js";
import { SoaSchema } from "./soa.js";

export const REGISTER_JSON_SCHEMA: JsonSchemaSpec = {
  fileName: "ai-register.schema.json",
  title: "aigate AI system register",
  description:
    "The output of aigate register --format json: every AI system with its tier, owner, lifecycle and assessment status, the risk register (one row per harm), and the repositories that contribute no system, with the reason.",
  schema: RegisterSchema,
};

export const SOA_JSON_SCHEMA: JsonSchemaSpec = {
  fileName: "statement-of-applicability.schema.json",
  title: "aigate draft Statement of Applicability",
  description:
    "The output of aigate soa --format json: the 38 ISO/IEC 42001 Annex A controls, what aigate evidences for each, and empty columns for the organisation's decisions. A draft: it claims no conformity.",
  schema: SoaSchema,
};
