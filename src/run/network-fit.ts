// Sizing a default network to the device: when the hidden layers are a default (config.fitLayers) and the
// network does not fit the crossbar, the widest network that does is trained instead and one line says which.
// Layers the user chose are kept, and a network that does not fit is refused (PlacementError), all before any
// pulse. A 2×4 Firmata test board holds 2 inputs × 2 outputs as conductance pairs: no hidden layer at all.
import type { TrainConfig } from "../train/config.js";
import { PlacementError, placeBlocks } from "../train/placement.js";

export interface FittedNetwork {
  config: TrainConfig;
  /** What was chosen and why, when the network changed; null when it fitted as configured. */
  note: string | null;
}

/** Whether the network with these hidden layers can be placed on a rows × cols crossbar. */
function fits(inputSize: number, hidden: readonly number[], classes: number, rows: number, cols: number): boolean {
  try {
    placeBlocks([inputSize, ...hidden, classes], rows, cols);
    return true;
  } catch (e) {
    if (e instanceof PlacementError) return false;
    throw e;
  }
}

/**
 * The widest hidden layers that fit: the configured ones, else all of them narrowed in proportion (one unit
 * at a time off the widest), else no hidden layer; null when not even inputs straight to outputs fit.
 */
export function fittingLayers(inputSize: number, layers: readonly number[], classes: number, rows: number, cols: number): number[] | null {
  if (fits(inputSize, layers, classes, rows, cols)) return [...layers];
  const widest = Math.max(0, ...layers);
  for (let w = widest - 1; w >= 1; w--) {
    const narrowed = layers.map((n) => Math.max(1, Math.floor((n * w) / widest)));
    if (fits(inputSize, narrowed, classes, rows, cols)) return narrowed;
  }
  return fits(inputSize, [], classes, rows, cols) ? [] : null;
}

/**
 * The config to train on a rows × cols crossbar for data of `inputSize` inputs and `classes` classes.
 * Throws PlacementError (the smallest network's, naming its cells) when nothing fits.
 */
export function fitNetworkToDevice(config: TrainConfig, inputSize: number, classes: number, rows: number, cols: number): FittedNetwork {
  if (!config.fitLayers) return { config, note: null };
  const layers = fittingLayers(inputSize, config.layers, classes, rows, cols);
  if (layers === null) {
    // The refusal names the network asked for and (when it had hidden layers) the smallest tried, with that one's cells.
    let cells: number | undefined;
    try {
      placeBlocks([inputSize, classes], rows, cols);
    } catch (e) {
      if (!(e instanceof PlacementError)) throw e;
      cells = e.cellsNeeded;
    }
    throw new PlacementError([inputSize, classes], rows, cols, cells, undefined, config.layers.length > 0 ? [inputSize, ...config.layers, classes] : undefined);
  }
  if (layers.join() === config.layers.join()) return { config, note: null };
  const network = (hidden: readonly number[]) => [inputSize, ...hidden, classes].join("-");
  // With the hidden layers gone, the one weight layer left feeds the outputs: it keeps the output layer's rate.
  const rates = config.learningRates;
  const learningRates = Array.isArray(rates) && rates.length === config.layers.length + 1 && layers.length !== config.layers.length ? [rates[rates.length - 1]!] : rates;
  return {
    config: { ...config, layers, learningRates },
    note:
      `network ${network(config.layers)} does not fit on the ${rows}×${cols} crossbar: training ${network(layers)}` +
      `${layers.length === 0 ? " (no hidden layer)" : ""}, the widest network that fits (set layers to choose another)`,
  };
}
