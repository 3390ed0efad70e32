/**
 * FACTS.md V2, Dragonfly's 2016 comparison, from scenarios/dragonfly-2016.yaml: P2P mean download time stays
 * flat as clients grow from 100 to 1,000, plain downloads from the source grow linearly (N × 0.4 s floor).
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/run.ts';
import { simulateRun } from '../src/simulate.ts';

const scenario = await loadScenario('scenarios/dragonfly-2016.yaml');

/** Runs a variant; also returns the mean publish → ready time over the clients (the figure Dragonfly reported). */
function run(name: string) {
  const v = scenario.variants.find((x) => x.name === name);
  if (!v) throw new Error(`scenarios/dragonfly-2016.yaml has no variant ${name}`);
  let sum = 0;
  let n = 0;
  const metrics = simulateRun(v.run, {
    observers: [
      {
        // One release published at t = 0, one image: ready time = download time.
        nodeReady: (_node, _release, time) => {
          sum += time;
          n++;
        },
      },
    ],
  });
  return { metrics, meanS: sum / n, clients: n };
}

describe('Dragonfly 2016: 200 MB to N clients of 200 Mbit/s from 2 × 2,000 Mbit/s', () => {
  it('P2P mean download time stays within ±25 % from 100 to 1,000 clients, near the 8 s per-client floor', () => {
    const small = run('dragonfly-100');
    const large = run('dragonfly-1000');
    expect([small.clients, large.clients]).toEqual([100, 1000]);
    for (const r of [small, large]) {
      expect(r.metrics.pulls_failed).toBe(0);
      // F/d = 1,600 Mbit / 200 Mbit/s = 8 s is a floor for every client; Dragonfly reported about 12 s.
      expect(r.metrics.node_ready_s.p50).toBeGreaterThanOrEqual(8);
      expect(r.meanS).toBeGreaterThanOrEqual(8);
      expect(r.meanS).toBeLessThan(16);
    }
    expect(large.meanS / small.meanS).toBeGreaterThan(0.75);
    expect(large.meanS / small.meanS).toBeLessThan(1.25);
    // The supernodes pull the file from the source once each: 2 × 200 MB whatever N; dfdaemon passes each
    // client's manifest and config requests (2 KB + 6 KB) through to the source.
    expect(small.metrics.registry_egress_bytes).toBe(400e6 + 100 * 8000);
    expect(large.metrics.registry_egress_bytes).toBe(400e6 + 1000 * 8000);
  });

  it('plain downloads grow linearly with N: N·F/u_s = N × 0.4 s', () => {
    for (const [name, N] of [['wget-100', 100], ['wget-1000', 1000]] as const) {
      const { metrics, meanS } = run(name);
      const floor = N * 0.4;
      expect(metrics.rollout_s.max).toBeGreaterThanOrEqual(floor);
      expect(metrics.rollout_s.max / floor).toBeLessThan(1.02);
      // Max-min sharing of the source: every client finishes together at the floor, so the mean is it too.
      expect(meanS / floor).toBeGreaterThan(0.98);
      expect(meanS / floor).toBeLessThan(1.02);
    }
  });
});
