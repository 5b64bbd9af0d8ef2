// A simulated array sized to the network: `sim:` and `sim:PRESET` without rows or cols get the default 64×64
// when the network fits it, and otherwise the smallest array (by cells) that holds every layer's conductance
// pairs. A URI that names rows or cols is the user's choice and is kept as written (a network that does not
// fit it is then refused, naming both sizes).
import { DEFAULT_SIM_COLS, DEFAULT_SIM_ROWS } from "../../sim/crossbar/open.js";
import { parseDeviceUri } from "../hal/uri.js";
import { placeBlocks, PlacementError } from "../train/placement.js";

/** Sides tried, smallest first; the simulator's limit is 4096 lines. Fewest cells wins, then the squarer array. */
const SIDES = [64, 128, 256, 512, 1024, 2048, 4096] as const;

export interface SizedUri {
  /** The URI to open: as given, or with rows and cols that hold the network. */
  uri: string;
  /** Rows and cols added, when the URI was resized. */
  resized: { rows: number; cols: number } | null;
}

export function sizeSimArray(uriText: string, sizes: readonly number[]): SizedUri {
  const uri = parseDeviceUri(uriText);
  if (uri.scheme !== "sim" || uri.params.rows !== undefined || uri.params.cols !== undefined) return { uri: uriText, resized: null };
  if (fits(sizes, DEFAULT_SIM_ROWS, DEFAULT_SIM_COLS)) return { uri: uriText, resized: null };
  let best: { rows: number; cols: number } | null = null;
  for (const rows of SIDES) {
    for (const cols of SIDES) {
      if (best !== null && (rows * cols > best.rows * best.cols || (rows * cols === best.rows * best.cols && Math.max(rows, cols) >= Math.max(best.rows, best.cols)))) continue;
      if (fits(sizes, rows, cols)) best = { rows, cols };
    }
  }
  if (best === null) return { uri: uriText, resized: null }; // too large for any array: the placement refuses it, naming both sizes
  const sep = uriText.includes("?") ? "&" : "?";
  return { uri: `${uriText}${sep}rows=${best.rows}&cols=${best.cols}`, resized: best };
}

function fits(sizes: readonly number[], rows: number, cols: number): boolean {
  try {
    placeBlocks(sizes, rows, cols);
    return true;
  } catch (e) {
    if (e instanceof PlacementError) return false;
    throw e;
  }
}
