/**
 * YAML text → plain value, and every problem with it (syntax, schema, cross-field) → a
 * `LocatedError` pointing at the line and column a person has to edit, in words they can
 * act on. Nothing here throws: bad input of any kind comes back as errors.
 */
export { errorAt, formatField, locate, type PathSegment, type YamlSource } from "./locate.js";
export { closestMatch, describeValue } from "./messages.js";
export { MAX_ALIAS_COUNT, MAX_YAML_CHARS, parseYaml, type YamlResult } from "./parse.js";
export { limitErrors, MAX_REPORTED_ERRORS, type ValidatedYaml, validateYaml } from "./validate.js";
