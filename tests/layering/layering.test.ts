// The repository keeps its layering rules (.dependency-cruiser.cjs): the contract below its users,
// drivers and sim on the contract and protocol/ only, protocol/ on the contract only, no cycles.
import { describe, expect, it } from "vitest";
import { CODE_FOLDERS, cruise, explain } from "./depcruise.js";

describe("layering of the repository", () => {
  it("has no dependency-cruiser violations in src, protocol, drivers, sim, bench and calibration", () => {
    const { violations, modules } = cruise(process.cwd(), CODE_FOLDERS);
    expect(modules).toBeGreaterThan(100); // the cruise saw the tree, not an empty folder
    expect(violations.map(explain)).toEqual([]);
  });
});
