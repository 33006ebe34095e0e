/** The register and the draft SoA for people: Markdown, one HTML page, CSV tables. */
export { tableCsv } from "./csv.js";
export { registerHtml, soaHtml } from "./html.js";
export { registerHeadline, registerMarkdown, soaMarkdown } from "./markdown.js";
export {
  REGISTER_TABLES,
  type RegisterTableName,
  registerTableNames,
  registerTables,
  soaTable,
  type Table,
} from "./tables.js";
