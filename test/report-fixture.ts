/** A hand-built RunResult for the exporter tests: three variants, sources and cost items that differ. */
import type { RunResult, VariantMetrics } from '../src/metrics/result.ts';

const GB = 1e9;
const MB = 1e6;

export function metrics(overrides: Partial<VariantMetrics> = {}): VariantMetrics {
  return {
    simulated_s: 86_400,
    releases: 24,
    releases_rolled_out: 24,
    pulls: 12_000,
    pulls_failed: 3,
    pulls_failed_by_reason: { 'rate-limited': 3 },
    requests: 60_000,
    throttled_requests: 40,
    retries: 37,
    ingress_bytes: 6 * GB,
    layer_bytes: 5.98 * GB,
    metadata_bytes: 20 * MB,
    ingress_by_source_bytes: { 'docker-hub': 6 * GB },
    internet_bytes: 6 * GB,
    cross_zone_bytes: 1.5 * GB,
    registry_egress_bytes: 6 * GB,
    registry_peak_Bps: 156_250_000, // 1.25 Gbit/s
    rollout_s: { p50: 62, p90: 95.5, p99: 125, max: 131.2 },
    node_ready_s: { p50: 48, p99: 118, p90: 90, max: 130 },
    cost_usd: { total: 12.34, nat_processing: 7.5, internet_egress: 4.2, cross_zone: 0.64 },
    cost_usd_per_day: 12.34,
    cost_usd_per_month: (12.34 * 730) / 24,
    events: 1_234_567,
    wall_ms: null,
    ...overrides,
  };
}

export function fixture(): RunResult {
  return {
    schemaVersion: 1,
    tool: { name: 'pullsim', version: '0.1.0' },
    scenario: { name: 'seed-500-nodes' },
    seed: 42,
    variants: [
      { name: 'hosted', description: 'hosted: Docker Hub', metrics: metrics() },
      {
        name: 'mirror',
        description: 'mirror: per-zone Harbor proxy cache',
        metrics: metrics({
          pulls_failed: 0,
          ingress_by_source_bytes: { 'mirror-zone-b': 4 * GB, 'docker-hub': 0.2 * GB, 'mirror-zone-a': 1.8 * GB },
          internet_bytes: 0.2 * GB,
          cross_zone_bytes: 0,
          registry_egress_bytes: 0.2 * GB,
          registry_peak_Bps: 12_500_000,
          rollout_s: { p50: 20, p90: 31, p99: 42.5, max: 44 },
          cost_usd: { instances: 2.16, total: 2.5, storage: 0.3, nat_processing: 0.04 },
          cost_usd_per_day: 2.5,
          events: 987_654,
        }),
      },
      {
        name: 'p2p',
        description: 'p2p: Dragonfly',
        metrics: metrics({
          pulls_failed: 1,
          ingress_by_source_bytes: { peer: 5.7 * GB, origin: 0.3 * GB },
          internet_bytes: 0.3 * GB,
          registry_egress_bytes: 0.3 * GB,
          registry_peak_Bps: 125_000_000,
          rollout_s: { p50: 25, p90: 40, p99: 3_725, max: 4_000 },
          cost_usd: { total: 1.1, instances: 1.1 },
          cost_usd_per_day: 1.1,
          events: 5_000_000,
        }),
      },
    ],
  };
}
