// The run's event streams as records.jsonl declares them: "primary" (one event per completed epoch) and
// "device" (what the device and its link said, declared at the first one so quiet runs look as before).
import type { DataKeys } from "./run-events.js";

export const PRIMARY_KEYS: DataKeys = {
  epoch: { dtype: "integer" },
  train_loss: { dtype: "number", description: "mean ½‖ρ(o) − onehot(y)‖² at the free fixed point" },
  train_accuracy: { dtype: "number", description: "running free-phase accuracy" },
  updates: { dtype: "integer" },
  pulses: { dtype: "integer" },
  weight_path_l1: { dtype: "number", description: "Σ‖Δθ‖₁, weight units" },
  prequential_bits: { dtype: "number", units: "bit" },
  samples: { dtype: "integer", description: "samples trained on this epoch" },
  device_joules_total: { dtype: "number", units: "J", description: "cumulative ledger total" },
  host_cpu_joules: { dtype: "number", units: "J", description: "cumulative RAPL, null when unavailable" },
  checkpoint: { dtype: "string" },
  link: {
    dtype: "object",
    description: "on a device behind a damaging link: requests, lines sent, resends and why, timeouts, reconnects, counted since this attempt opened it (absent otherwise)",
  },
};

export const DEVICE_KEYS: DataKeys = { kind: { dtype: "string" }, message: { dtype: "string" } };
