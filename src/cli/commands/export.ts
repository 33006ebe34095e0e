import type { RegisterCommand } from "../context.js";

// Placeholder until the export command lands.
export const registerExport: RegisterCommand = () => {};
