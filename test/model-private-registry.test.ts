import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';

function privateRun(over: { nodes?: number; instances?: number; requestRate?: number; zones?: number; lb?: string; delta?: string; nic?: string }) {
  return RunConfig.parse({
    duration: '1h',
    cluster: { nodes: over.nodes ?? 50, zones: over.zones ?? 1 },
    images: { count: 1, size: '800 MB', layers: 8, multiArch: false },
    releases: { every: '2h', delta: over.delta ?? '100 KB' },
    distribution: {
      kind: 'private',
      instances: over.instances ?? 1,
      requestRate: over.requestRate ?? 100,
      loadBalancing: over.lb ?? 'round-robin',
      ...(over.nic ? { nic: over.nic } : {}),
    },
  });
}

describe('private registry', () => {
  it('request capacity bounds the rollout: N nodes × 4 requests / rate', () => {
    // resolve + manifest + config + one layer = 4 requests per node, 100 req/s on one instance.
    const m = simulateRun(privateRun({ nodes: 50, requestRate: 100 }));
    // The last of 200 requests starts service 199 slots after the first arrives.
    const floor = (50 * 4 - 1) / 100;
    expect(m.rollout_s.max).toBeGreaterThanOrEqual(floor);
    const alone = simulateRun(privateRun({ nodes: 1, requestRate: 100 })).rollout_s.max;
    expect(m.rollout_s.max).toBeLessThanOrEqual(floor + alone);
  });

  it('the instance NIC bounds a big release: N·F / u_s (client–server floor, FACTS.md §2)', () => {
    // 40 nodes fetch a 100 MB delta from one instance with a 1 Gbit/s NIC; disk 1 GB/s is not the bottleneck.
    const m = simulateRun(privateRun({ nodes: 40, requestRate: 1e6, delta: '100 MB', nic: '1 Gbit/s' }));
    const floor = (40 * 100e6) / 125e6;
    expect(m.rollout_s.max).toBeGreaterThanOrEqual(floor);
    expect(m.rollout_s.max / floor).toBeLessThan(1.02 + 1 / floor); // + unpack of the last 100 MB (1 s)
    expect(m.registry_egress_bytes).toBeCloseTo(40 * (100e6 + 2000 + 6000), -1);
    expect(m.registry_peak_Bps).toBeCloseTo(125e6, 0);
  });

  it('random balancing across zones sends cross-zone bytes; zone-aware keeps them local', () => {
    const rr = simulateRun(privateRun({ nodes: 30, zones: 3, instances: 3, requestRate: 1e4, lb: 'random' }));
    const za = simulateRun(privateRun({ nodes: 30, zones: 3, instances: 3, requestRate: 1e4, lb: 'zone-aware' }));
    expect(rr.cross_zone_bytes).toBeGreaterThan(0);
    expect(rr.cost_usd.cross_zone).toBeCloseTo((rr.cross_zone_bytes / 1e9) * 0.02, 12);
    expect(za.cross_zone_bytes).toBe(0);
    expect(za.ingress_bytes).toBe(rr.ingress_bytes);
  });

  it('charges instances by the hour', () => {
    const m = simulateRun(privateRun({ instances: 2 }));
    expect(m.cost_usd.registry_instances).toBeCloseTo(2 * 0.192, 12);
  });
});
