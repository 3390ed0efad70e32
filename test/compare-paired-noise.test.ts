/**
 * With replications, a lead is called clear only when the 95 % CI of the paired (same-seed) difference
 * excludes zero; the hyperfine ratio is the mean of the paired ratios with its CI.
 */
import { describe, expect, it } from 'vitest';
import { relatives, verdicts } from '../src/report/compare.ts';
import { meanMetrics, replicatedStats, tCritical975 } from '../src/report/replications.ts';
import { findCrossovers, type SweepPoint } from '../src/report/sweep.ts';
import type { RunResult, VariantMetrics, VariantResult } from '../src/metrics/result.ts';

function metrics(p99: number, cost = 1): VariantMetrics {
  const pct = { p50: p99, p90: p99, p99, max: p99 };
  return {
    simulated_s: 1, releases: 1, releases_rolled_out: 1, pulls: 1, pulls_failed: 0, pulls_failed_by_reason: {}, requests: 1, throttled_requests: 0, retries: 0, ingress_bytes: 1, layer_bytes: 1,
    metadata_bytes: 0, ingress_by_source_bytes: {}, internet_bytes: 0, cross_zone_bytes: 0, registry_egress_bytes: 1, registry_peak_Bps: 1, rollout_s: pct, node_ready_s: pct,
    cost_usd: { total: cost }, cost_usd_per_day: cost, cost_usd_per_month: cost * 30.4, events: 1, wall_ms: null,
  };
}

function variant(name: string, p99s: number[]): VariantResult {
  const runs = p99s.map((x, r) => ({ replication: r, seed: r, metrics: metrics(x) }));
  const ms = runs.map((r) => r.metrics);
  return { name, description: '', metrics: meanMetrics(ms), replicated: replicatedStats(ms), runs };
}

const result = (a: number[], b: number[]): RunResult => ({
  schemaVersion: 1, tool: { name: 'pullsim', version: 't' }, scenario: { name: 's' }, seed: 1, replications: a.length, variants: [variant('a', a), variant('b', b)],
});

describe('paired comparisons over replications', () => {
  it('call a lead clear when every paired difference agrees, and noise when they do not', () => {
    const steady = verdicts(result([1, 1.2, 1.1], [1.05, 1.25, 1.15]))[0];
    expect(steady).toMatchObject({ winners: ['a'], runnerUp: 'b', clear: true });
    const noisy = verdicts(result([1, 1.2, 1.1], [1.3, 1.0, 1.1]))[0];
    expect(noisy).toMatchObject({ winners: ['a'], runnerUp: 'b', clear: false });
  });

  it('give the speedup as the mean paired ratio with its t interval', () => {
    const [rel] = relatives(result([1, 2, 4], [2, 5, 8]));
    const ratios = [2, 2.5, 2];
    const m = (2 + 2.5 + 2) / 3;
    const sd = Math.sqrt(ratios.reduce((s, x) => s + (x - m) ** 2, 0) / 2);
    expect(rel.speedup).toBeCloseTo(m, 12);
    expect(rel.speedupHalfWidth).toBeCloseTo((tCritical975(2) * sd) / Math.sqrt(3), 12);
  });

  it('mark a sweep crossover as noise when the paired difference at a neighbour straddles zero', () => {
    const point = (index: number, n: string, a: number[], b: number[]): SweepPoint => ({ index, parameters: { n }, result: result(a, b) });
    const params = [{ name: 'n', values: ['1', '2'] }];
    // a − b goes from −1 (every run) to +1 (every run): a clear crossing at n ≈ 1.5.
    const clear = findCrossovers(params, [point(0, '1', [1, 2, 3], [2, 3, 4]), point(1, '2', [3, 4, 5], [2, 3, 4])]).find((c) => c.measure === 'rollout p99');
    expect(clear).toMatchObject({ winner: 'b', loser: 'a', estimate: 1.5, clear: true });
    // Same means, but at n = 2 the runs disagree on the sign.
    const noisy = findCrossovers(params, [point(0, '1', [1, 2, 3], [2, 3, 4]), point(1, '2', [5, 2, 5], [2, 3, 4])]).find((c) => c.measure === 'rollout p99');
    expect(noisy).toMatchObject({ winner: 'b', clear: false });
  });
});
