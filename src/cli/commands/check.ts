import type { RegisterCommand } from "../context.js";

// Placeholder until the check/validate/init commands land.
export const registerCheck: RegisterCommand = () => {};
export const registerValidate: RegisterCommand = () => {};
export const registerInit: RegisterCommand = () => {};
