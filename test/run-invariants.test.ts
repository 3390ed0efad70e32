import { describe, expect, it } from 'vitest';
import { checkRunInvariants, InvariantError, type ReleaseAccount } from '../src/metrics/invariants.ts';
import { rolloutSeconds } from '../src/metrics/result.ts';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';
import { holds } from '../src/report/thresholds.ts';
import { metrics } from './report-fixture.ts';

/** A fixture whose numbers agree with each other. */
function consistent() {
  const m = metrics({ pulls_failed: 3, pulls_failed_by_reason: { 'rate-limited': 3 } });
  m.ingress_bytes = m.layer_bytes + m.metadata_bytes;
  m.ingress_by_source_bytes = { 'docker-hub': m.ingress_bytes };
  m.cost_usd = { total: 3, nat_processing: 1, nat_hours: 2 };
  const accounts: ReleaseAccount[] = Array.from({ length: m.releases }, (_, r) => ({ release: r, targets: 500, ready: r < 3 ? 499 : 500, dropped: r < 3 ? 1 : 0, failedPulls: r < 3 ? 1 : 0 }));
  m.releases_rolled_out = m.releases;
  return { m, accounts };
}

function broken(mutate: (c: ReturnType<typeof consistent>) => void): InvariantError {
  const c = consistent();
  mutate(c);
  try {
    checkRunInvariants(c.m, c.accounts);
  } catch (e) {
    if (e instanceof InvariantError) return e;
    throw e;
  }
  throw new Error('no invariant fired');
}

describe('run invariants', () => {
  it('hold for numbers that agree', () => {
    const c = consistent();
    expect(() => checkRunInvariants(c.m, c.accounts)).not.toThrow();
  });

  it('name the invariant and the entities when one breaks', () => {
    expect(broken((c) => (c.m.cost_usd.nat_hours = 2.5))).toMatchObject({ invariant: 'cost items sum to the total', detail: 'Σ items = 3.5, cost_usd.total = 3' });
    expect(broken((c) => (c.m.cost_usd_per_day = NaN))).toMatchObject({ invariant: 'every metric is a finite non-negative number', detail: 'cost_usd_per_day = NaN' });
    expect(broken((c) => (c.m.rollout_s.p90 = c.m.rollout_s.p99 + 1)).invariant).toBe('percentiles are ordered');
    expect(broken((c) => (c.m.pulls_failed_by_reason = { 'rate-limited': 2 })).invariant).toBe('every failed pull has a reason');
    expect(broken((c) => (c.accounts[5].ready = 499))).toMatchObject({
      invariant: 'every target of every release ends ready or counted failed',
      detail: 'release 5: 500 targets, 499 ready, 0 dropped — 1 unaccounted',
    });
    expect(broken((c) => ((c.accounts[0].failedPulls = 0))).invariant).toBe('a dropped target has a failed pull');
    expect(broken((c) => (c.m.ingress_by_source_bytes = { a: 1 })).invariant).toBe('ingress by source sums to ingress');
  });

  it('are checked on every simulated run (a run whose pulls all fail still accounts for every target)', () => {
    const run = RunConfig.parse({
      duration: '2h',
      cluster: { nodes: 30, egress: 'nat', natGateways: 'single', pullRetry: { attempts: 1 } },
      images: { count: 2, size: '10 MB', layers: 2 },
      releases: { every: '1h', delta: '1 MB' },
      distribution: { kind: 'hosted', preset: 'dockerhub', plan: 'anonymous' },
      faults: { outages: [{ service: 'registry', at: 0, duration: '3h' }] },
    });
    const m = simulateRun(run);
    expect(m.releases).toBe(2);
    expect(m.pulls_failed).toBe(m.pulls);
    // No release had a ready node: rollout_s holds zeros, which readers must not take for "instant".
    expect(m.releases_rolled_out).toBe(0);
    expect(m.rollout_s.p99).toBe(0);
    expect(rolloutSeconds(m, 'p99')).toBeNaN();
    expect(holds('<', rolloutSeconds(m, 'p99'), 600)).toBe(false);
    expect(holds('!=', rolloutSeconds(m, 'p99'), 0)).toBe(false);
  });
});
