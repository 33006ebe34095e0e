import * as z from "zod";
import { ManifestSchema } from "./schema.js";

/** Where the published JSON Schemas live; editors resolve `$schema=` lines against it. */
export const SCHEMA_BASE_URL = "https://raw.githubusercontent.com/aigate/aigate/main/schemas/";

/** One generated JSON Schema file. */
export interface JsonSchemaSpec {
  fileName: string;
  title: string;
  description: string;
  schema: z.ZodType;
}

export const MANIFEST_JSON_SCHEMA: JsonSchemaSpec = {
  fileName: "ai-governance.schema.json",
  title: "aigate governance manifest",
  description:
    "The governance manifest (.github/ai-governance.yml): the repository's AI systems, their risk tiers, governed paths, risk assessments, evidence and approvers.",
  schema: ManifestSchema,
};

/**
 * The JSON Schema (draft 2020-12) of what people write: the input side of the zod
 * schema, so defaults are optional and a `@login` is accepted as written.
 */
function toJsonSchema(spec: JsonSchemaSpec): Record<string, unknown> {
  const generated = z.toJSONSchema(spec.schema, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
  });
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: `${SCHEMA_BASE_URL}${spec.fileName}`,
    title: spec.title,
    description: spec.description,
    ...rest,
  };
}

/** The file text: stable key order, two-space indent, trailing newline. */
export function renderJsonSchema(spec: JsonSchemaSpec): string {
  return `${JSON.stringify(toJsonSchema(spec), null, 2)}\n`;
}
