import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, simulate } from '../src/run.ts';
import { metricStats, replicationSeed, tCritical975 } from '../src/report/replications.ts';
import type { VariantMetrics } from '../src/metrics/result.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-repl-'));
const file = path.join(dir, 'jitter.yaml');
// Start jitter is the randomness: each node starts at a uniform offset within 60 s, so the rollout's
// end is the max of the nodes' offsets plus a pull, and varies from seed to seed.
writeFileSync(
  file,
  [
    'version: 1',
    'name: jitter',
    'seed: 7',
    'duration: 6h',
    'cluster: { nodes: 30, zones: 3 }',
    'releases: { every: 2h, delta: 100 KB }',
    'rollout: { jitter: 60s }',
    'variants:',
    '  - name: ecr',
    '    distribution: { kind: hosted, preset: ecr }',
    '  - name: private-registry',
    '    distribution: { kind: private, instances: 1 }',
    '',
  ].join('\n'),
);

const halfWidth = (s: { ci95: [number, number] }) => (s.ci95[1] - s.ci95[0]) / 2;

describe('replications', () => {
  it('Student t critical values match the table and approach the normal quantile', () => {
    expect(tCritical975(1)).toBe(12.706);
    expect(tCritical975(30)).toBe(2.042);
    expect(tCritical975(60)).toBeCloseTo(2.0003, 3);
    expect(tCritical975(1e9)).toBeCloseTo(1.96, 2);
    const s = metricStats([1, 2, 3, 4]);
    expect(s.mean).toBe(2.5);
    expect(s.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(halfWidth(s)).toBeCloseTo((3.182 * Math.sqrt(5 / 3)) / 2, 12);
  });

  it('derive seeds deterministically, keeping the scenario seed for the first replication', () => {
    expect(replicationSeed(42, 0)).toBe(42);
    const seeds = Array.from({ length: 100 }, (_, r) => replicationSeed(42, r));
    expect(new Set(seeds).size).toBe(100);
    expect(seeds.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 31)).toBe(true);
    expect(replicationSeed(42, 5)).toBe(replicationSeed(42, 5));
  });

  it('shrink the confidence interval roughly as 1/√R', async () => {
    const scenario = await loadScenario(file);
    scenario.variants = scenario.variants.slice(0, 1);
    const ci = (R: number) => simulate(scenario, { replications: R }).variants[0].replicated!['rollout_s.p50'];
    const s8 = ci(8);
    const s32 = ci(32);
    expect(s8.n).toBe(8);
    expect(s32.n).toBe(32);
    expect(s8.sd).toBeGreaterThan(0);
    // Standard errors (half-width / t) should shrink by √(32/8) = 2; allow for the sd estimates' noise.
    const se = (s: typeof s8) => halfWidth(s) / tCritical975(s.n - 1);
    const ratio = se(s8) / se(s32);
    expect(ratio).toBeGreaterThan(1.4);
    expect(ratio).toBeLessThan(2.8);
    // And the means agree within their intervals.
    expect(Math.abs(s8.mean - s32.mean)).toBeLessThan(halfWidth(s8) + halfWidth(s32));
  });

  it('compare on common random numbers gives a narrower CI of the difference than independent seeds', async () => {
    const scenario = await loadScenario(file);
    const diffCI = (independentSeeds: boolean) => {
      const by = new Map<string, VariantMetrics[]>();
      simulate(scenario, {
        replications: 12,
        independentSeeds,
        onReplication: (v, _r, m) => by.set(v, [...(by.get(v) ?? []), m]),
      });
      const a = by.get('ecr')!;
      const b = by.get('private-registry')!;
      return metricStats(a.map((m, r) => m.rollout_s.p99 - b[r].rollout_s.p99));
    };
    const crn = diffCI(false);
    const independent = diffCI(true);
    expect(halfWidth(crn)).toBeLessThan(halfWidth(independent) / 4);
  });

  it('puts mean, sd and CI beside each metric in the JSON, with metrics as means', async () => {
    const scenario = await loadScenario(file);
    const r = simulate(scenario, { replications: 3 });
    expect(r.replications).toBe(3);
    const v = r.variants[0];
    expect(v.replicated!['rollout_s.p99'].mean).toBe(v.metrics.rollout_s.p99);
    expect(v.replicated!['pulls'].sd).toBe(0);
    expect(Object.keys(v.replicated!)).toContain('cost_usd.total');
  });
});
