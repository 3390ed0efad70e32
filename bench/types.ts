/**
 * The shape every benchmark suite returns, so the runner (and later the CI baseline check) can print and
 * compare rows without knowing the suite.
 */
export interface BenchRow {
  /** Stable identifier, e.g. `kernel-vs-flatqueue-1e5`; baselines are keyed by it. */
  name: string;
  /** Unit of `value`, e.g. `ops/s`, `x` (a ratio), `ms`. */
  unit: string;
  value: number;
  /** Spread of `value` as printed, e.g. `±2.1%`. */
  range?: string;
  /** Anything else worth a glance: sample count, what was compared. */
  extra?: string;
}

/** Options the runner passes to every suite; a suite may use them to skip work nobody asked for. */
export interface BenchSuiteOptions {
  /** Only rows whose name contains this text are wanted. */
  filter?: string;
}

export type BenchSuite = (options?: BenchSuiteOptions) => Promise<BenchRow[]>;
