import type { RegisterCommand } from "../context.js";

// Placeholder until the verify command lands.
export const registerVerify: RegisterCommand = () => {};
