// The repository keeps its layering rules (.dependency-cruiser.cjs): the contract below its users,
// drivers and sim on the contract and protocol/ only, emulators on sim/ and protocol/, protocol/ on the contract
// only, run on telemetry's index, no cycles.
import { describe, expect, it } from "vitest";
import { CODE_FOLDERS, cruise, explain } from "./depcruise.js";

describe("layering of the repository", () => {
  it("has no dependency-cruiser violations in src, protocol, drivers, sim, emulators, bench and calibration", () => {
    const { violations, modules } = cruise(process.cwd(), CODE_FOLDERS);
    expect(modules).toBeGreaterThan(100); // the cruise saw the tree, not an empty folder
    expect(violations.map(explain)).toEqual([]);
  });
});
