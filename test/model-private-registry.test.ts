import { describe, expect, it, vi } from 'vitest';
import { MaxMinSolver, Network } from '../src/network/index.ts';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';

function privateRun(over: { nodes?: number; instances?: number; requestRate?: number; zones?: number; lb?: string; delta?: string; nic?: string; cache?: string }) {
  return RunConfig.parse({
    duration: '1h',
    cluster: { nodes: over.nodes ?? 50, zones: over.zones ?? 1, ...(over.cache ? { cache: over.cache } : {}) },
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

  it("several instances' disks filling at once: the same answers as without covered links, each instance its own component", () => {
    // 120 nodes in 3 zones pull a cold 800 MB image from 2 instances (zone-aware: zone c's nodes go round
    // robin, across zones), each instance's 1 GB/s disk its bottleneck. The run with the nodes' NICs,
    // racks and zone links covered by the disks (PrivateRuntime.coverClientLinks) against one where no
    // link may be covered (the reference: every link shares, as before covers): the same max-min
    // allocation, so the same answers to rounding — in a fraction of the solving.
    const run = privateRun({ nodes: 120, zones: 3, instances: 2, requestRate: 1e4, lb: 'zone-aware', cache: 'cold' });
    const solved = (): { m: ReturnType<typeof simulateRun>; flows: number } => {
      const solve = vi.spyOn(MaxMinSolver.prototype, 'solve');
      const m = simulateRun(run);
      const flows = solve.mock.calls.reduce((sum, call) => sum + (call[2] as number), 0);
      solve.mockRestore();
      return { m, flows };
    };
    const covered = solved();
    const refuse = vi.spyOn(Network.prototype, 'declareCovered').mockReturnValue(false);
    const reference = solved();
    refuse.mockRestore();
    const close = (a: number, b: number, what: string) => expect(Math.abs(a - b), what).toBeLessThanOrEqual(1e-9 * Math.abs(b));
    for (const q of ['p50', 'p90', 'max'] as const) {
      close(covered.m.rollout_s[q], reference.m.rollout_s[q], `rollout ${q}`);
      close(covered.m.node_ready_s[q], reference.m.node_ready_s[q], `node ready ${q}`);
    }
    close(covered.m.registry_egress_bytes, reference.m.registry_egress_bytes, 'registry egress');
    close(covered.m.cross_zone_bytes, reference.m.cross_zone_bytes, 'cross-zone bytes');
    // The peak of the two NICs' summed load: both disks full at once.
    close(covered.m.registry_peak_Bps, 2 * 1000e6, 'registry peak');
    close(reference.m.registry_peak_Bps, 2 * 1000e6, 'reference registry peak');
    // Every node pulled the release whole: 7 of the 8 layers of 100 MB, and the 100 KB delta replacing one.
    expect(covered.m.registry_egress_bytes).toBeGreaterThan(120 * (7 * 100e6 + 100e3));
    expect(covered.flows).toBeLessThan(reference.flows / 5);
  });

  it('charges instances by the hour', () => {
    const m = simulateRun(privateRun({ instances: 2 }));
    expect(m.cost_usd.registry_instances).toBeCloseTo(2 * 0.192, 12);
  });
});
