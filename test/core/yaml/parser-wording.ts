/**
 * Words the YAML parser uses in its own messages and a person should never have to read:
 * a message of ours that matches says what the parser said instead of what to do.
 */
export const PARSER_WORDING =
  /indicator|implicit|flow (?:sequence|map|collection)|block (?:collection|sequence|scalar)|compact mapping|scalar|token|map (?:keys|values)|sufficiently indented|node end|resource exhaustion|invalid yaml/i;
