/** aigate's version, as the CLI reports it and SARIF logs name their tool. */
export const AIGATE_VERSION = "0.1.0";
