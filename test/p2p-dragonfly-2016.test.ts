/**
 * FACTS.md V2, Dragonfly's 2016 comparison, from scenarios/dragonfly-2016.yaml: P2P mean download time stays
 * flat as clients grow from 100 to 1,000, plain downloads from the source grow linearly (N × 0.4 s floor).
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/run.ts';
import { simulateRun } from '../src/simulate.ts';

const scenario = await loadScenario('scenarios/dragonfly-2016.yaml');
const run = (name: string) => {
  const v = scenario.variants.find((x) => x.name === name);
  if (!v) throw new Error(`scenarios/dragonfly-2016.yaml has no variant ${name}`);
  return simulateRun(v.run);
};

describe('Dragonfly 2016: 200 MB to N clients of 200 Mbit/s from 2 × 2,000 Mbit/s', () => {
  it('P2P download time stays within ±25 % from 100 to 1,000 clients, near the 8 s per-client floor', () => {
    const small = run('dragonfly-100');
    const large = run('dragonfly-1000');
    // node_ready_s is publish → file ready on the node; the median stands in for the mean.
    for (const m of [small, large]) {
      expect(m.pulls_failed).toBe(0);
      // F/d = 1,600 Mbit / 200 Mbit/s = 8 s is a floor for every client.
      expect(m.node_ready_s.p50).toBeGreaterThanOrEqual(8);
      expect(m.node_ready_s.p50).toBeLessThan(16);
    }
    expect(large.node_ready_s.p50 / small.node_ready_s.p50).toBeGreaterThan(0.75);
    expect(large.node_ready_s.p50 / small.node_ready_s.p50).toBeLessThan(1.25);
    expect(large.node_ready_s.p90 / small.node_ready_s.p90).toBeLessThan(1.25);
    // The supernodes pull the file from the source once each: 2 × 200 MB whatever N; dfdaemon passes each
    // client's manifest and config requests (2 KB + 6 KB) through to the source.
    expect(small.registry_egress_bytes).toBe(400e6 + 100 * 8000);
    expect(large.registry_egress_bytes).toBe(400e6 + 1000 * 8000);
  });

  it('plain downloads grow linearly with N: N·F/u_s = N × 0.4 s', () => {
    for (const [name, N] of [['wget-100', 100], ['wget-1000', 1000]] as const) {
      const m = run(name);
      const floor = N * 0.4;
      expect(m.rollout_s.max).toBeGreaterThanOrEqual(floor);
      expect(m.rollout_s.max / floor).toBeLessThan(1.02);
    }
  });
});
