// What a benchmark is: a named measurement, reported beside its anchor when one exists.

export interface BenchResult {
  ours: number;
  anchor?: number;
  ratio?: number;
  unit: string;
  /** Anything a reader needs to interpret the figure (settings, sizes). */
  notes?: Record<string, unknown>;
}

export interface Benchmark {
  name: string;
  run(): Promise<BenchResult>;
}

export function withRatio(ours: number, anchor: number, unit: string, notes?: Record<string, unknown>): BenchResult {
  return { ours, anchor, ratio: ours / anchor, unit, ...(notes ? { notes } : {}) };
}
