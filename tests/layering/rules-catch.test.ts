// The layering check fails when it should: a small tree in a temp dir, cruised with the repository's
// own rules, where each wrong import is reported under its rule's name and the right ones are not.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cruise, explain, type Violation } from "./depcruise.js";

/** Each file imports the files listed (paths from the tree's root). */
const TREE: Record<string, string[]> = {
  // wrong: the contract reaches up into the trainer
  "src/hal/contract.ts": ["src/train/trainer.ts"],
  "src/train/trainer.ts": [],
  // wrong: a twin imports a driver's codec instead of protocol/ (its physics from sim/ is right)
  "emulators/twin/twin.ts": ["drivers/serial/codec.ts", "sim/devices/model.ts", "protocol/line/frame.ts", "src/random/rng.ts"],
  // wrong: the simulator reaches into an emulator
  "sim/crossbar/array.ts": ["emulators/twin/twin.ts", "sim/devices/model.ts"],
  // wrong: the run loop reaches past telemetry's index into its journal
  "src/run/loop.ts": ["src/telemetry/journal.ts", "src/telemetry/index.ts"],
  "src/telemetry/index.ts": ["src/telemetry/journal.ts"],
  "src/telemetry/journal.ts": [],
  "drivers/serial/codec.ts": ["src/hal/limits.ts"],
  // wrong: a wire format imports a driver
  "protocol/line/frame.ts": ["src/hal/limits.ts", "drivers/serial/errors.ts"],
  "drivers/serial/errors.ts": [],
  // right: sim on its own folder, the contract and the leaves
  "sim/devices/model.ts": ["src/hal/limits.ts", "src/wasm/assembler.ts"],
  "src/hal/limits.ts": [],
  "src/random/rng.ts": [],
  "src/wasm/assembler.ts": [],
  // wrong: a cycle
  "src/report/a.ts": ["src/report/b.ts"],
  "src/report/b.ts": ["src/report/a.ts"],
};

const TSCONFIG = { compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true }, include: ["**/*.ts"] };

function importLine(from: string, to: string, i: number): string {
  const up = "../".repeat(from.split("/").length - 1);
  return `import * as m${i} from "${up}${to.replace(/\.ts$/, ".js")}";\nexport const use${i} = m${i};\n`;
}

let root: string;
let violations: Violation[];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "mhil-layering-"));
  writeFileSync(join(root, "tsconfig.json"), JSON.stringify(TSCONFIG));
  for (const [file, imports] of Object.entries(TREE)) {
    mkdirSync(join(root, dirname(file)), { recursive: true });
    writeFileSync(join(root, file), `${imports.map((to, i) => importLine(file, to, i)).join("")}export const here = "${file}";\n`);
  }
  ({ violations } = cruise(root, ["src", "sim", "emulators", "drivers", "protocol"]));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the layering check on a tree with wrong imports", () => {
  it("reports src/hal importing src/train as hal-stays-below-its-users", () => {
    expect(violations).toContainEqual({ rule: "hal-stays-below-its-users", from: "src/hal/contract.ts", to: "src/train/trainer.ts" });
  });

  it("reports a twin importing a driver as emulators-see-physics-and-wire", () => {
    expect(violations).toContainEqual({ rule: "emulators-see-physics-and-wire", from: "emulators/twin/twin.ts", to: "drivers/serial/codec.ts" });
  });

  it("reports the simulator importing an emulator as backends-see-only-the-contract", () => {
    expect(violations).toContainEqual({ rule: "backends-see-only-the-contract", from: "sim/crossbar/array.ts", to: "emulators/twin/twin.ts" });
  });

  it("reports src/run importing a telemetry internal as run-sees-telemetry-through-its-door", () => {
    expect(violations).toContainEqual({ rule: "run-sees-telemetry-through-its-door", from: "src/run/loop.ts", to: "src/telemetry/journal.ts" });
  });

  it("reports protocol/ importing a driver as protocol-sees-only-the-contract", () => {
    expect(violations).toContainEqual({ rule: "protocol-sees-only-the-contract", from: "protocol/line/frame.ts", to: "drivers/serial/errors.ts" });
  });

  it("reports a cycle as no-circular, once", () => {
    const cycles = violations.filter((v) => v.rule === "no-circular");
    expect(cycles).toHaveLength(1);
    expect([cycles[0]!.from, ...cycles[0]!.cycle!].sort()).toEqual(["src/report/a.ts", "src/report/a.ts", "src/report/b.ts"]);
  });

  it("reports nothing else: sim on its own folder, emulators on sim/, run on telemetry's index, protocol/, src/hal and the leaves", () => {
    expect(violations.map(explain).sort()).toEqual([
      "backends-see-only-the-contract: sim/crossbar/array.ts → emulators/twin/twin.ts",
      "emulators-see-physics-and-wire: emulators/twin/twin.ts → drivers/serial/codec.ts",
      "hal-stays-below-its-users: src/hal/contract.ts → src/train/trainer.ts",
      "no-circular: src/report/a.ts → src/report/b.ts → src/report/a.ts",
      "protocol-sees-only-the-contract: protocol/line/frame.ts → drivers/serial/errors.ts",
      "run-sees-telemetry-through-its-door: src/run/loop.ts → src/telemetry/journal.ts",
    ]);
  });
});
