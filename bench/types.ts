/**
 * The shape every benchmark suite returns, so the runner (table, machine formats, baseline gate) can
 * handle rows without knowing the suite.
 */
export interface BenchRow {
  /** Stable identifier, e.g. `kernel-vs-flatqueue-1e5`; baselines and CI dashboards are keyed by it. */
  name: string;
  /** Unit of `value`, e.g. `ops/s`, `x` (a ratio), `s`. */
  unit: string;
  value: number;
  /** Spread of `value` as printed, e.g. `±2.1%`. */
  range?: string;
  /** Anything else worth a glance: events/s, peak memory, what was compared. */
  extra?: string;
  /**
   * Which way is an improvement. Rows without it are informational: printed, but not written to the
   * machine formats or compared with the baseline.
   */
  better?: 'smaller' | 'bigger';
  /**
   * The noise-resistant figure the baseline gate compares (same direction as `value`): a ratio against
   * a reference measured in the same process at the same time, so a busy or slower machine moves
   * numerator and denominator together. Ratio rows use `value` itself; timings divide their CPU seconds
   * by the reference workload's CPU seconds (measure.ts), since other processes stretch wall time.
   */
  gate?: number;
  /** Kernel events dispatched per second of wall time, where the entry runs the simulator. */
  eventsPerSecond?: number;
  /** Highest resident set size of the bench process while the entry ran, MB. */
  peakRssMB?: number;
}

/** Options the runner passes to every suite; a suite may use them to skip work nobody asked for. */
export interface BenchSuiteOptions {
  /** Only rows whose name contains this text are wanted. */
  filter?: string;
  /** Only rows with exactly these names are wanted (the gate re-running the entries that regressed). */
  names?: readonly string[];
}

/** Whether a suite should produce the row `name` under these options (both selections apply). */
export function wants(options: BenchSuiteOptions, name: string): boolean {
  return (!options.filter || name.includes(options.filter)) && (!options.names || options.names.includes(name));
}

export type BenchSuite = (options?: BenchSuiteOptions) => Promise<BenchRow[]>;
