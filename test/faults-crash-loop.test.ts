import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';
import { CRASH_BACKOFF } from '../src/faults/churn.ts';

/**
 * One node behind a NAT gateway runs a 500 MB single-layer image from Docker Hub (paid plan); a release at
 * t = 0 pulls it in full (T seconds). From 1 h on its pod crash-loops: runs 10 s, crashes, and kubelet
 * restarts it after 10, 20, 40, … 300 s.
 */
function run(crash: Record<string, unknown> | null, images: Record<string, unknown> = {}) {
  const starts: number[] = [];
  const m = simulateRun(
    RunConfig.parse({
      duration: '24h',
      cluster: { nodes: 1, egress: 'nat' },
      images: { count: 1, size: '500 MB', layers: 1, multiArch: false, ...images },
      releases: { every: '24h', delta: '500 MB' },
      distribution: { kind: 'hosted', preset: 'dockerhub', plan: 'team' },
      faults: { crashLoops: crash ? [{ from: '1h', runFor: '10s', ...crash }] : [] },
    }),
    { observers: [{ pullDone: (_n, _r, _ok, t) => starts.push(t) }] },
  );
  return { m, starts };
}

/** Restarts before the end of the day, given that each restart's pull takes `pullS`. */
function restartsByHand(pullS: number): number {
  let t = 3600;
  let k = 0;
  let restarts = 0;
  for (;;) {
    t += 10; // runs 10 s, crashes
    const delay = Math.min(CRASH_BACKOFF.maxS, CRASH_BACKOFF.initialS * 2 ** k++);
    if (t + delay >= 86400) return restarts;
    t += delay + pullS;
    restarts++;
  }
}

describe('crash-looping pods', () => {
  const base = run(null);
  const T = base.m.rollout_s.max; // one full pull of the image

  it('cache lost at every restart: a full 500 MB pull per restart, through the NAT gateway', () => {
    const { m } = run({ cacheLost: true });
    const n = restartsByHand(T);
    expect(m.pulls).toBe(1 + n);
    expect(m.layer_bytes).toBe((1 + n) * 500e6);
    // ≈ 250 restarts in 23 h at about 5 min each: over 120 GB through NAT in a day, from one pod.
    expect(n).toBeGreaterThan(250);
    expect(m.cost_usd.nat_processing).toBeCloseTo((m.internet_bytes / 1e9) * 0.045, 9);
    expect(m.internet_bytes).toBeGreaterThan(120e9);
  });

  it('cache kept, imagePullPolicy Always: each restart re-resolves the tag (challenge, token, HEAD) and moves no layer', () => {
    const { m } = run({}, { pullPolicy: 'Always' });
    expect(m.layer_bytes).toBe(base.m.layer_bytes);
    const checks = m.pulls - 1;
    expect(checks).toBeGreaterThan(250);
    expect(m.requests - base.m.requests).toBe(3 * checks);
    expect(m.metadata_bytes - base.m.metadata_bytes).toBe(checks * (150 + 1500));
  });

  it('cache kept, IfNotPresent: restarts make no request at all', () => {
    const { m } = run({});
    expect(m.requests).toBe(base.m.requests);
    expect(m.pulls).toBe(1);
  });
});
