import type { RegisterCommand } from "../context.js";

// Placeholder until the keys command lands.
export const registerKeys: RegisterCommand = () => {};
