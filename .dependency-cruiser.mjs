/**
 * The import rules of the source tree (docs/architecture.md#the-tree), read by
 * `npx depcruise src action` and by test/architecture/imports.test.ts.
 */
export default {
  forbidden: [
    {
      name: "no-circular",
      comment: "Two files never import each other, directly or through others: shared types live with the module that owns the concept.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "policy-never-consults-the-report",
      comment: "A report draws what the policy decided; the policy never imports it.",
      severity: "error",
      from: { path: "^src/core/policy/" },
      to: { path: "^src/core/report/" },
    },
    {
      name: "core-is-pure",
      comment: "src/core takes facts and returns decisions: no GitHub, no door, no I/O.",
      severity: "error",
      from: { path: "^src/core/" },
      to: {
        path: "^(src/(github|cli|server|facts|app\\.ts)|action/)|node_modules/(probot|@octokit|@actions|ioredis|undici)/",
      },
    },
    {
      name: "core-uses-no-io-builtins",
      severity: "error",
      from: { path: "^src/core/" },
      to: { dependencyTypes: ["core"], path: "^(fs|net|http|https|child_process|node:(fs|net|http|https|child_process))" },
    },
  ],
  options: {
    parser: "swc",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
  },
};
