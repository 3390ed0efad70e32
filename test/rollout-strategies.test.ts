import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';

/**
 * 20 nodes with public IPs pull one 1 MB delta from a hosted registry whose per-connection cap (60 MB/s)
 * binds long before any shared link does, so every node's pull takes the same time T whatever the
 * others do, and a rollout's length is its strategy's schedule plus T.
 */
function run(rollout: unknown) {
  return simulateRun(
    RunConfig.parse({
      duration: '1h',
      cluster: { nodes: 20, egress: 'public-ip' },
      images: { count: 1, size: '8 MB', layers: 8, multiArch: false },
      releases: { every: '2h', delta: '1 MB' },
      rollout,
      distribution: { kind: 'hosted', preset: 'dockerhub', rtt: '20ms', perConnection: '60 MB/s' },
    }),
  );
}

const T = run({ strategy: 'all-at-once' }).rollout_s.max;

describe('rollout strategies shape the rollout exactly', () => {
  it('all-at-once: every node is ready after one pull time', () => {
    expect(T).toBeGreaterThan(0.1);
    const m = run({ strategy: 'all-at-once' });
    expect(m.node_ready_s.p50).toBeCloseTo(T, 9);
  });

  it('rolling with a readiness gate: B batches and pause P take B·T + (B−1)·P', () => {
    const m = run({ strategy: 'rolling', batch: 5, pause: '30s', gate: 'ready' });
    expect(m.rollout_s.max).toBeCloseTo(4 * T + 3 * 30, 9);
    // Issue 4 acceptance: exceeds all-at-once by at least (B−1)·P.
    expect(m.rollout_s.max - T).toBeGreaterThanOrEqual(3 * 30);
  });

  it('rolling by percentage: 25 % of 20 nodes is batches of 5', () => {
    expect(run({ strategy: 'rolling', batch: '25%', pause: '30s' }).rollout_s.max).toBeCloseTo(4 * T + 90, 9);
  });

  it('rolling without a gate: batches start every P regardless', () => {
    expect(run({ strategy: 'rolling', batch: 5, pause: '30s', gate: 'none' }).rollout_s.max).toBeCloseTo(3 * 30 + T, 9);
  });

  it('canary: the canaries, the soak, then everyone else', () => {
    const m = run({ strategy: 'canary', canary: 2, soak: '10m' });
    expect(m.rollout_s.max).toBeCloseTo(T + 600 + T, 9);
    expect(m.node_ready_s.p50).toBeCloseTo(T + 600 + T, 9);
    expect(m.node_ready_s.p50).toBeGreaterThan(600);
  });

  it('stagger uniform: node i starts at window·i/N', () => {
    const m = run({ strategy: 'stagger', window: '100s', spread: 'uniform' });
    expect(m.rollout_s.max).toBeCloseTo((100 * 19) / 20 + T, 9);
  });

  it('stagger random and jitter stay inside their windows and are deterministic', () => {
    const a = run({ strategy: 'stagger', window: '100s', spread: 'random' });
    expect(a.rollout_s.max).toBeGreaterThan(T);
    expect(a.rollout_s.max).toBeLessThan(100 + T);
    expect(run({ strategy: 'stagger', window: '100s', spread: 'random' })).toEqual(a);
    const j = run({ jitter: '10s' });
    expect(j.rollout_s.max).toBeGreaterThan(T);
    expect(j.rollout_s.max).toBeLessThan(10 + T);
  });

  it('every node gets every release whatever the strategy', () => {
    for (const r of [{ strategy: 'rolling', batch: 3 }, { strategy: 'canary', canary: '10%' }, { strategy: 'stagger', window: '1m' }]) {
      const m = run(r);
      expect(m.pulls).toBe(20);
      expect(m.pulls_failed).toBe(0);
      expect(m.layer_bytes).toBe(20e6);
    }
  });
});
