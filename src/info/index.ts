// The bits-learned bracket: lower bounds, estimate, upper bounds (see each module for formula and assumptions).
export { h2, pluginEntropyBits, occupiedCells } from "./entropy.js";
export { binomialCdf, clopperPearsonLower, clopperPearsonUpper } from "./binomial.js";
export { fanoLowerBound, fanoPerSampleBits, type FanoBound, type FanoInput } from "./fano.js";
export { confusionMutualInformation, confusionTable, type ConfusionInformation } from "./mutual-information.js";
export { confusionMutualInformationLower, type ConfusionBootstrap, type ConfusionBootstrapInput } from "./confusion-bootstrap.js";
export { prequentialEstimateBits, codeLengthBits } from "./prequential.js";
export { generalizationGapLowerBound, type ErrorCount, type GeneralizationGapBound, type GeneralizationGapInput } from "./generalization.js";
export {
  labelEntropyUpperBits,
  biasBits,
  deviceCapacityUpperBits,
  writeNoiseChannelUpperBits,
  gaussianChannelUpperBits,
  type BiasParameters,
  type WriteNoise,
} from "./upper.js";
export { bitsBracket, type BitsBracket, type BitsEnd, type BoundResult, type BracketInput, type LabelMode } from "./bracket.js";
