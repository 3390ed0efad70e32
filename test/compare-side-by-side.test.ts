import { describe, expect, it } from 'vitest';
import { pullsim } from './cli-helpers.ts';
import { formatRatio, relatives, relativeSentence, verdicts } from '../src/report/compare.ts';
import type { RunResult, VariantMetrics } from '../src/metrics/result.ts';

function metrics(p99: number, costPerDay: number, egress: number): VariantMetrics {
  const pct = { p50: p99, p90: p99, p99, max: p99 };
  return {
    simulated_s: 1, releases: 1, releases_rolled_out: 1, pulls: 1, pulls_failed: 0, pulls_failed_by_reason: {}, requests: 5, throttled_requests: 0, retries: 0, ingress_bytes: 1, layer_bytes: 1, metadata_bytes: 0,
    ingress_by_source_bytes: {}, internet_bytes: 0, cross_zone_bytes: 0, registry_egress_bytes: egress, registry_peak_Bps: 1,
    rollout_s: pct, node_ready_s: pct, cost_usd: { total: costPerDay }, cost_usd_per_day: costPerDay, cost_usd_per_month: (costPerDay * 730) / 24, events: 1, wall_ms: null,
  };
}

const result: RunResult = {
  schemaVersion: 1,
  tool: { name: 'pullsim', version: 'test' },
  scenario: { name: 's' },
  seed: 1,
  variants: [
    { name: 'dockerhub', description: '', metrics: metrics(8, 2, 10) },
    { name: 'p2p', description: '', metrics: metrics(1, 0.08, 1) },
  ],
};

describe('compare', () => {
  it('states the fastest variant against the others, hyperfine style', () => {
    const r = relatives(result);
    expect(r).toEqual([{ winner: 'p2p', other: 'dockerhub', speedup: 8, costRatio: 0.04 }]);
    expect(relativeSentence(r[0])).toBe('p2p finished rollouts 8.00× faster than dockerhub, at 0.0400× the cost');
    expect(formatRatio(16.83)).toBe('16.8×');
    expect(relativeSentence({ winner: 'a', other: 'b', speedup: 1.004, costRatio: 1.42, speedupHalfWidth: 0.0475 })).toBe(
      'a finished rollouts 1.00 ± 0.05× faster than b, at 1.42× the cost',
    );
  });

  it('never lets a variant whose rollouts all failed win on latency', () => {
    const failed = metrics(0, 1, 1);
    failed.pulls_failed = 1;
    failed.releases_rolled_out = 0; // rollout_s then holds zeros: no release had a ready node
    const r: RunResult = { ...result, variants: [...result.variants, { name: 'broken', description: '', metrics: failed }] };
    expect(verdicts(r)[0].winners).toEqual(['p2p']);
    expect(relatives(r).map((x) => x.other)).toEqual(['dockerhub']);
  });

  it('calls values that print the same a tie ($1.081 vs $1.083)', () => {
    const r: RunResult = { ...result, variants: [{ name: 'a', description: '', metrics: metrics(1, 1.081, 1) }, { name: 'b', description: '', metrics: metrics(2, 1.083, 1) }] };
    const cost = verdicts(r)[1];
    expect(cost.values).toEqual(['$1.08', '$1.08']);
    expect(cost.winners).toEqual([]);
  });

  it('names a winner per criterion, and none on a tie', () => {
    const v = verdicts(result);
    expect(v.map((x) => [x.criterion, x.winners])).toEqual([
      ['latency', ['p2p']],
      ['cost', ['p2p']],
      ['registry load', ['p2p']],
      ['robustness', []],
    ]);
  });

  it('prints the side-by-side table with the best value marked ✓ without colour', () => {
    const r = pullsim(['compare', 'scenarios/seed-500-nodes.yaml', '--variant', 'ecr', '--variant', 'private-registry']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('\x1b[');
    expect(r.stdout).toMatch(/^rollout p99 .*313 ms ✓/m);
    expect(r.stdout).toMatch(/^\s+ecr finished rollouts 20\.7× faster than private-registry, at 0\.38\d× the cost$/m);
    expect(r.stdout).toMatch(/latency\s+ecr \(rollout p99 313 ms vs private-registry [\d.]+ s\)/);
  });
});
