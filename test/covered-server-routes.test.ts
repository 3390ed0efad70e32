/**
 * Several servers feeding the nodes (a private registry's or a mirror's instances) have the racks and zone
 * links between them and the nodes covered by their own narrowest links (Topology.coverServerRoutes), so
 * each server's flows are a sharing component of their own. The reference is the same run on a network
 * where no link may be covered: every link shares, as before covers. Max-min fairness gives both the same
 * allocation, so the answers agree to rounding — with a fraction of the solving.
 */
import { describe, expect, it, vi } from 'vitest';
import { MaxMinSolver, Network } from '../src/network/index.ts';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';

type Metrics = ReturnType<typeof simulateRun>;

/** The run, and the flows its solves took in all. */
function solved(run: RunConfig): { m: Metrics; flows: number } {
  const solve = vi.spyOn(MaxMinSolver.prototype, 'solve');
  try {
    const m = simulateRun(run);
    return { m, flows: solve.mock.calls.reduce((sum, call) => sum + (call[2] as number), 0) };
  } finally {
    solve.mockRestore();
  }
}

/** The run with covers, and the reference without (declareCovered refuses every link). */
function againstReference(run: RunConfig): { covered: { m: Metrics; flows: number }; reference: { m: Metrics; flows: number } } {
  const covered = solved(run);
  const refuse = vi.spyOn(Network.prototype, 'declareCovered').mockReturnValue(false);
  try {
    return { covered, reference: solved(run) };
  } finally {
    refuse.mockRestore();
  }
}

function expectSameAnswers(covered: Metrics, reference: Metrics): void {
  const close = (a: number, b: number, what: string) => expect(Math.abs(a - b), what).toBeLessThanOrEqual(1e-9 * Math.abs(b));
  for (const q of ['p50', 'p90', 'max'] as const) {
    close(covered.rollout_s[q], reference.rollout_s[q], `rollout ${q}`);
    close(covered.node_ready_s[q], reference.node_ready_s[q], `node ready ${q}`);
  }
  for (const k of ['registry_egress_bytes', 'registry_peak_Bps', 'ingress_bytes', 'cross_zone_bytes', 'internet_bytes'] as const) close(covered[k], reference[k], k);
}

/** 120 nodes in 3 zones pull a cold 800 MB image (8 layers) served by `distribution` (`over` changes them). */
function coldPull(distribution: Record<string, unknown>, over: { cluster?: object; images?: object } = {}): RunConfig {
  return RunConfig.parse({
    duration: '1h',
    cluster: { nodes: 120, zones: 3, cache: 'cold', ...over.cluster },
    images: { count: 1, size: '800 MB', layers: 8, multiArch: false, ...over.images },
    releases: { every: '2h', delta: '100 KB' },
    distribution,
  });
}

describe('servers with covered routes to the nodes', () => {
  it("a private registry's two instances, each disk-bound: the reference's answers, each instance its own component", () => {
    // Zone-aware: zone c's nodes go round robin to the instances in zones a and b, across zones.
    const { covered, reference } = againstReference(
      coldPull({ kind: 'private', instances: 2, requestRate: 1e4, loadBalancing: 'zone-aware', zones: ['us-east-1a', 'us-east-1b'] }),
    );
    expectSameAnswers(covered.m, reference.m);
    // The peak of the two NICs' summed load: both 1 GB/s disks full at once.
    expect(Math.abs(covered.m.registry_peak_Bps - 2 * 1000e6)).toBeLessThanOrEqual(1e-9 * 2000e6);
    // Every node pulled the release whole: 7 of the 8 layers of 100 MB, and the 100 KB delta replacing one.
    expect(covered.m.registry_egress_bytes).toBeGreaterThan(120 * (7 * 100e6 + 100e3));
    expect(covered.flows).toBeLessThan(reference.flows / 5);
  });

  it('lazy pulling into cold caches through per-zone NAT gateways: the endpoint covered by them, the registry metered over them', () => {
    // SOCI range reads of 90 cold nodes (ten 500 MB images) fill each zone's 10 Gbit/s gateway; the zones
    // share ECR's endpoint (1,000 Gbit/s). HostedRuntime.coverEgress covers it by the three gateways.
    const { covered, reference } = againstReference(
      coldPull(
        { kind: 'hosted', preset: 'ecr' },
        { cluster: { nodes: 90, natBandwidth: '10 Gbit/s' }, images: { count: 10, size: '500 MB', lazy: { format: 'soci' } } },
      ),
    );
    expectSameAnswers(covered.m, reference.m);
    // The three gateways were full at once, and the meter over them saw it.
    expect(Math.abs(covered.m.registry_peak_Bps - 3 * 1.25e9)).toBeLessThanOrEqual(1e-9 * 3.75e9);
    expect(covered.flows).toBeLessThan(reference.flows / 5);
  });

  it('cold pulls through per-zone NAT gateways, staggered by jitter: the endpoint covered, the same answers', () => {
    // Docker Hub's endpoint (1,000 Gbit/s) feeds three 10 Gbit/s gateways, each full with its zone's 40
    // nodes pulling five cold images; starts spread over a minute, so every finish is its own event.
    const run = RunConfig.parse({
      duration: '1h',
      cluster: { nodes: 120, zones: 3, cache: 'cold', natGateways: 'per-zone', natBandwidth: '10 Gbit/s' },
      images: { count: 5, size: '800 MB', layers: 8, multiArch: false },
      releases: { every: '2h', delta: '100 KB' },
      rollout: { strategy: 'all-at-once', jitter: '1m' },
      distribution: { kind: 'hosted', preset: 'dockerhub', plan: 'team' },
    });
    const { covered, reference } = againstReference(run);
    expectSameAnswers(covered.m, reference.m);
    expect(Math.abs(covered.m.registry_peak_Bps - 3 * 1.25e9)).toBeLessThanOrEqual(1e-9 * 3.75e9);
    expect(covered.flows).toBeLessThan(reference.flows / 5);
  });

  it("a per-cluster mirror's two instances serving every node: the reference's answers in a fraction of the solving", () => {
    const { covered, reference } = againstReference(
      coldPull({ kind: 'mirror', preset: 'artifactory', placement: 'per-cluster', instances: 2, upstream: { kind: 'hosted', preset: 'ecr' } }),
    );
    expectSameAnswers(covered.m, reference.m);
    expect(covered.m.ingress_bytes).toBeGreaterThan(120 * (7 * 100e6 + 100e3));
    expect(covered.flows).toBeLessThan(reference.flows / 5);
  });
});
