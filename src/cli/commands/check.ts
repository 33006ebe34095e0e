import type { RegisterCommand } from "../context.js";

// Placeholder until the check command lands.
export const registerCheck: RegisterCommand = () => {};
