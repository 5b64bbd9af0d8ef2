// Datasets for training: the mnist package's digits, IDX files, CSV, a toy set; real, random or teacher labels.
// The sources are dataset-sources.ts (package and toy) and dataset-files.ts (IDX, CSV); this file splits
// them into train and test and draws the labels.
import { Rng } from "../random/rng.js";
import { parseLabelMode, type LabelMode, type TrainConfig } from "./config.js";
import { loadCsv, loadIdxDir } from "./dataset-files.js";
import { DatasetError, downsampleRaw, loadMnistPackage, makeToy2d, type RawData } from "./dataset-sources.js";
import { makeTeacher, replaceFraction } from "./teacher-labels.js";

// The readers' names stay importable from here, where callers found them first.
export { DatasetError } from "./dataset-sources.js";
export { loadCsv, readIdxImages, readIdxLabels } from "./dataset-files.js";

export interface Dataset {
  /** n × inputSize, row-major, values in [0, 1]. */
  trainX: Float64Array;
  trainY: Int32Array;
  testX: Float64Array;
  testY: Int32Array;
  inputSize: number;
  numClasses: number;
  labelMode: LabelMode;
  /** One line saying what this is, e.g. "mnist package digits 14×14, 8000 train / 2000 test, real labels". */
  description: string;
}

/**
 * Loads the configured dataset. Inputs are fixed by the source (and, for mnist/CSV/toy, by a fixed
 * permutation independent of the seed); labels that are drawn (random, teacher noise) use `rng`.
 */
export async function loadDataset(config: TrainConfig, rng: Rng): Promise<Dataset> {
  const spec = config.dataset;
  const colon = spec.indexOf(":");
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const arg = colon < 0 ? "" : spec.slice(colon + 1);
  let downsample = config.downsample;
  let raw: RawData;
  switch (kind) {
    case "mnist":
      if (arg === "14x14" || arg === "7x7") downsample = arg;
      else if (arg !== "" && arg !== "28x28") throw new DatasetError(spec, `unknown mnist variant "${arg}" (mnist, mnist:14x14, mnist:7x7)`);
      // Pooled as it loads: the full-size float64 pixels (63 MB) are never written when they are not wanted.
      raw = loadMnistPackage(downsample === "none" ? null : downsample === "14x14" ? 14 : 7);
      downsample = "none";
      break;
    case "idx":
      if (arg === "") throw new DatasetError(spec, "idx needs a directory: idx:DIR");
      raw = loadIdxDir(arg);
      break;
    case "csv":
      if (arg === "") throw new DatasetError(spec, "csv needs a file: csv:PATH");
      raw = loadCsv(arg);
      break;
    case "toy":
      if (arg !== "2d") throw new DatasetError(spec, `unknown toy set "${arg}" (toy:2d)`);
      raw = makeToy2d(config.samples + config.testSamples);
      break;
    default:
      throw new DatasetError(spec, `unknown dataset kind "${kind}" (mnist, mnist:14x14, mnist:7x7, idx:DIR, csv:PATH, toy:2d)`);
  }
  if (downsample !== "none") raw = downsampleRaw(raw, downsample === "14x14" ? 14 : 7);
  return splitAndLabel(raw, config, rng);
}

function splitAndLabel(raw: RawData, config: TrainConfig, rng: Rng): Dataset {
  const labelMode = parseLabelMode(config.labels);
  const d = raw.inputSize;
  const numClasses = labelMode.kind === "real" ? Math.min(config.classes, raw.sourceClasses) : config.classes;
  if (numClasses < 2) throw new DatasetError(raw.name, `only ${numClasses} class(es) available; need at least 2`);
  // With real labels only classes 0..C−1 are kept; a fixed permutation (the seed does not move the inputs).
  const keep = (y: Int32Array, count: number): number[] => {
    const idx: number[] = [];
    for (let i = 0; i < count; i++) if (labelMode.kind !== "real" || y[i]! < numClasses) idx.push(i);
    return idx;
  };
  let trainIdx: number[];
  let testIdx: number[];
  let testSource = raw;
  if (raw.test) {
    trainIdx = keep(raw.y, raw.count).slice(0, config.samples);
    testSource = { ...raw, x: raw.test.x, y: raw.test.y, count: raw.test.count };
    testIdx = keep(raw.test.y, raw.test.count).slice(0, config.testSamples);
    if (trainIdx.length < config.samples) throw new DatasetError(raw.name, `has ${trainIdx.length} usable training rows; samples = ${config.samples}`);
    if (testIdx.length < config.testSamples) throw new DatasetError(raw.name, `has ${testIdx.length} usable test rows; testSamples = ${config.testSamples}`);
  } else {
    const all = keep(raw.y, raw.count);
    new Rng("dataset-permutation").shuffle(all);
    if (config.samples + config.testSamples > all.length) {
      throw new DatasetError(raw.name, `has ${all.length} usable rows; samples ${config.samples} + testSamples ${config.testSamples} = ${config.samples + config.testSamples} needed`);
    }
    // Train from the front, test from the back: 8,000/2,000 of 10,000 mirrors the anchor's split.
    trainIdx = all.slice(0, config.samples);
    testIdx = all.slice(all.length - config.testSamples);
  }
  const gather = (src: RawData, idx: number[]) => {
    const x = new Float64Array(idx.length * d);
    const y = new Int32Array(idx.length);
    idx.forEach((r, i) => {
      x.set(src.x.subarray(r * d, (r + 1) * d), i * d);
      y[i] = src.y[r]!;
    });
    return { x, y };
  };
  const tr = gather(raw, trainIdx);
  const te = gather(testSource, testIdx);
  const labelRng = rng.fork("labels");
  // The control's fixed labels are the random draw itself; training redraws them per epoch (controlEpochLabels).
  if (labelMode.kind === "random" || labelMode.kind === "control") {
    for (let i = 0; i < tr.y.length; i++) tr.y[i] = labelRng.int(numClasses);
    for (let i = 0; i < te.y.length; i++) te.y[i] = labelRng.int(numClasses);
  } else if (labelMode.kind === "teacher") {
    const teacher = makeTeacher(tr.x, d, numClasses, labelRng.fork("teacher"));
    teacher(tr.x, tr.y);
    teacher(te.x, te.y);
    const noise = labelRng.fork("teacher-noise");
    replaceFraction(tr.y, labelMode.replaceFraction, numClasses, noise);
    replaceFraction(te.y, labelMode.replaceFraction, numClasses, noise);
  }
  const sideText = raw.side !== null ? ` ${raw.side}×${raw.side}` : ` ${d} features`;
  return {
    trainX: tr.x,
    trainY: tr.y,
    testX: te.x,
    testY: te.y,
    inputSize: d,
    numClasses,
    labelMode,
    description: `${raw.name}${sideText}, ${tr.y.length} train / ${te.y.length} test, ${numClasses} classes, ${config.labels} labels`,
  };
}
