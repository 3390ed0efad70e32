/**
 * The result of a run: what every exporter reads. Base units only (bytes, bytes/s, seconds, USD); the
 * unit is in the field name. These field names are a contract (issue 2): scripts and later issues rely
 * on them.
 */

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
  pulls: number;
  pulls_failed: number;
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
  /** Kernel events dispatched. */
  events: number;
  /**
   * Wall-clock milliseconds the simulation took. null unless timing was asked for (`--timing`), because
   * JSON/CSV output must be byte-identical for the same scenario and seed.
   */
  wall_ms: number | null;
}

export interface VariantResult {
  name: string;
  /** What the variant is, in a few words (e.g. "hosted: Docker Hub"). */
  description: string;
  metrics: VariantMetrics;
}

export interface RunResult {
  schemaVersion: 1;
  tool: { name: 'pullsim'; version: string };
  scenario: { name: string };
  seed: number;
  variants: VariantResult[];
}
