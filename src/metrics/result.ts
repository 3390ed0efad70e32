/**
 * The result of a run: what every exporter reads. Base units only (bytes, bytes/s, seconds, USD); the
 * unit is in the field name. These field names are a contract (issue 2): scripts and later issues rely
 * on them.
 */
import type { VariantSeries } from './timeseries.ts';

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface CostBreakdown {
  total: number;
  /** One entry per cost item, e.g. nat_processing, nat_hours, storage, instances, cross_zone, internet_egress. */
  [item: string]: number;
}

export interface VariantMetrics {
  simulated_s: number;
  releases: number;
  /**
   * Releases at least one of whose targets became ready: the releases rollout_s is taken over (targets
   * whose pulls failed, or that left, stop counting). 0 with releases > 0 means rollout_s is empty (all
   * zeros), not fast.
   */
  releases_rolled_out: number;
  pulls: number;
  pulls_failed: number;
  /** Failed pulls by reason, e.g. { "rate-limited": 12 } (every failure has one). */
  pulls_failed_by_reason: Record<string, number>;
  /** Registry requests of every kind (token, HEAD, index, manifest, config, blobs), answered or refused. */
  requests: number;
  /** Requests refused with 429 (quota) or 503 (overload). */
  throttled_requests: number;
  /** Pull attempts repeated after a failure (kubelet's image-pull back-off). */
  retries: number;
  ingress_bytes: number;
  layer_bytes: number;
  metadata_bytes: number;
  ingress_by_source_bytes: Record<string, number>;
  internet_bytes: number;
  cross_zone_bytes: number;
  registry_egress_bytes: number;
  registry_peak_Bps: number;
  rollout_s: Percentiles;
  node_ready_s: Percentiles;
  cost_usd: CostBreakdown;
  cost_usd_per_day: number;
  /** cost_usd_per_day × 730 h / 24 h (a billing month). */
  cost_usd_per_month: number;
  /** Kernel events dispatched. */
  events: number;
  /**
   * Wall-clock milliseconds the simulation took. null unless timing was asked for (`--timing`), because
   * JSON/CSV output must be byte-identical for the same scenario and seed.
   */
  wall_ms: number | null;
}

/**
 * A rollout percentile as readers must take it: NaN (no number) when releases were published but none
 * rolled out, where rollout_s holds zeros that would otherwise read as instant.
 */
export function rolloutSeconds(m: VariantMetrics, p: keyof Percentiles): number {
  return m.releases > 0 && m.releases_rolled_out === 0 ? NaN : m.rollout_s[p];
}

export interface VariantResult {
  name: string;
  /** What the variant is, in a few words (e.g. "hosted: Docker Hub"). */
  description: string;
  metrics: VariantMetrics;
  /** Time series for charts (issue 5); bucketed by simulated time, ≤ 200 points per series. */
  series?: VariantSeries;
  /** The price catalog this variant was costed with (defaults plus the scenario's overrides). */
  prices?: PriceRow[];
  /** With --replications: mean, sd and 95 % CI of each numeric metric, by its dotted path. */
  replicated?: Record<string, MetricStats>;
  /** With --replications: every run's own metrics, in replication order (the raw samples behind `replicated`). */
  runs?: ReplicationRun[];
}

/** One replication of a variant: its seed and metrics. Replication r has the same seed in every variant (CRN). */
export interface ReplicationRun {
  replication: number;
  seed: number;
  metrics: VariantMetrics;
}

/** One price as the report shows it: value as quoted, as-of date and source. */
export interface PriceRow {
  id: string;
  display: string;
  asOf: string;
  source: string;
  basis: 'sourced' | 'assumption' | 'scenario';
  note?: string;
}

/** A metric over R replications: mean, sample sd and a Student-t 95 % confidence interval of the mean. */
export interface MetricStats {
  n: number;
  mean: number;
  sd: number;
  ci95: [number, number];
}

/** A threshold checked on one variant (see report/thresholds.ts). */
export interface ThresholdOutcomeRow {
  variant: string;
  metric: string;
  expression: string;
  actual: number;
  ok: boolean;
}

export interface RunResult {
  schemaVersion: 1;
  tool: { name: 'pullsim'; version: string };
  scenario: {
    name: string;
    description?: string;
    /** The scenario in plain words, one sentence each (for the report's assumptions). */
    summary?: string[];
  };
  seed: number;
  /** Replications per variant (absent: 1). */
  replications?: number;
  variants: VariantResult[];
  /** Thresholds from the scenario, checked per variant. */
  thresholds?: ThresholdOutcomeRow[];
}
