// The layering rules of the house, checked by dependency-cruiser (tests/layering/ runs it in `npm test`).
// Data flows one way: cli → run → train → Crossbar contract (src/hal) → backends (drivers/, sim/),
// which speak the wire formats in protocol/. emulators/ (the twins, the fault link, the pty) stand in for
// hardware and links: they use the simulator's physics and protocol/, and nothing in sim/ or drivers/ uses
// them. A rule here names the direction it protects.

/** Imports of files in this repository (npm packages and node: builtins are not layering). */
const LOCAL = ["local"];

/** Folders built on the Crossbar contract: src/hal must never reach up into them. */
const ABOVE_THE_CONTRACT = "^src/(train|run|cli|experiment|report|telemetry|backends|energy|info|wear)/";

/** The small shared leaves drivers and sim may use besides the contract. */
const CONTRACT_AND_LEAVES = "^src/(hal|random|wasm|files)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "hal-stays-below-its-users",
      severity: "error",
      comment: "src/hal is the Crossbar contract: it imports nothing built on top of it, and no backend or wire format (they import it).",
      from: { path: "^src/hal/" },
      to: { path: [ABOVE_THE_CONTRACT, "^(drivers|sim|emulators|protocol|bench|calibration)/"] },
    },
    {
      name: "backends-see-only-the-contract",
      severity: "error",
      comment:
        "drivers/ and sim/ implement the Crossbar contract: they import src/hal, the shared leaves (src/random, src/wasm, src/files), " +
        "protocol/ and their own top-level folder (a twin never imports a driver, nor a driver the simulator).",
      from: { path: "^(drivers|sim)/" },
      to: { dependencyTypes: LOCAL, pathNot: [CONTRACT_AND_LEAVES, "^protocol/", "^$1/"] },
    },
    {
      name: "emulators-see-physics-and-wire",
      severity: "error",
      comment:
        "emulators/ stand in for boards and links: they import the simulator's physics (sim/), protocol/, the contract and " +
        "the shared leaves, never a driver (a twin built from the driver would agree with it by construction).",
      from: { path: "^emulators/" },
      to: { dependencyTypes: LOCAL, pathNot: [CONTRACT_AND_LEAVES, "^protocol/", "^sim/", "^emulators/"] },
    },
    {
      name: "run-sees-telemetry-through-its-door",
      severity: "error",
      comment: "src/run emits run events; telemetry subscribes. run may name telemetry's public index, never its internals.",
      from: { path: "^src/run/" },
      to: { path: "^src/telemetry/", pathNot: "^src/telemetry/index[.]ts$" },
    },
    {
      name: "protocol-sees-only-the-contract",
      severity: "error",
      comment: "protocol/ holds the wire formats both ends share: it imports src/hal and itself, never a driver or a twin.",
      from: { path: "^protocol/" },
      to: { dependencyTypes: LOCAL, pathNot: ["^src/hal/", "^protocol/"] },
    },
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle makes two modules one: neither can be read, tested or moved alone.",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-unresolvable-imports",
      severity: "error",
      comment: "An import the cruiser cannot resolve is one no rule can check (and tsc would reject it too).",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^dist/" },
    // `import type` is a dependency of the design even though it vanishes from the JavaScript.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};
