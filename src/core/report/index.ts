/** Check-run reports: a Decision rendered for people (DESIGN §4). */
export {
  ASSESSMENT_CHECK_NAME,
  CHECK_NAMES,
  type CheckAnnotation,
  type CheckOutput,
  MAX_ANNOTATIONS,
  MAX_SUMMARY_CHARS,
  OVERSIGHT_CHECK_NAME,
  renderCheck,
} from "./render.js";
