import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';
import { Simulator, RngStreams } from '../src/kernel/index.ts';
import { Network } from '../src/network/index.ts';
import { Topology } from '../src/cluster/topology.ts';
import { World } from '../src/cluster/world.ts';
import { NodeRuntime } from '../src/cluster/node.ts';
import { MetricsCollector } from '../src/metrics/collector.ts';
import { buildCatalog } from '../src/cost/catalog.ts';
import { ImageCatalog } from '../src/workload/images.ts';
import { installNodeFaults } from '../src/faults/churn.ts';
import { Faults } from '../src/faults/schema.ts';
import type { ClusterConfig } from '../src/cluster/config.ts';
import type { DistributionRuntime } from '../src/distribution/types.ts';

function run(nodes: unknown[], over: Record<string, unknown> = {}) {
  const ready = new Set<string>();
  const failed = new Map<string, string>();
  const m = simulateRun(
    RunConfig.parse({
      duration: '3h',
      cluster: { nodes: 50, egress: 'public-ip' },
      images: { count: 2, size: '80 MB', layers: 8, multiArch: false },
      releases: { every: '2h', delta: '1 MB' },
      rollout: { strategy: 'rolling', batch: 10, pause: '30s' },
      distribution: { kind: 'hosted', preset: 'ecr' },
      faults: { nodes },
      ...over,
    }),
    {
      observers: [{
        nodeReady: (n, r) => ready.add(`${n}/${r}`),
        pullDone: (n, r, ok, _t, reason) => {
          if (!ok) failed.set(`${n}/${r}`, reason ?? '');
        },
      }],
    },
  );
  return { m, ready, failed };
}

describe('node churn during a rollout', () => {
  it('10 nodes leave mid-rollout: their unfinished pulls are counted node-left and the rollout completes without them', () => {
    const calm = run([]);
    const r = run([{ at: '45s', leave: 10 }]);
    // Every target is accounted for: ready, or failed with node-left.
    for (let n = 0; n < 50; n++) {
      const key = `${n}/0`;
      expect(r.ready.has(key) !== r.failed.has(key)).toBe(true);
      if (r.failed.has(key)) expect(r.failed.get(key)).toBe('node-left');
    }
    const left = [...r.failed.keys()].length;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(10);
    // The second release (at 2 h) goes to the 40 nodes still there.
    expect([...r.ready].filter((k) => k.endsWith('/1')).length).toBe(40);
    expect(r.m.pulls).toBe(50 * 2 + 40 * 2);
    expect(r.m.pulls_failed_by_reason['node-left']).toBe(r.m.pulls_failed);
    // Both rollouts complete (rollout_s only counts releases whose every remaining target is ready).
    expect(r.m.rollout_s.p50).toBeGreaterThan(0);
    expect(r.m.rollout_s.max).toBeLessThanOrEqual(calm.m.rollout_s.max);
  });

  it('5 fresh nodes join: they pull every image in full (outside any rollout), then take part in the next release', () => {
    const r = run([{ at: '1m', join: 5 }], { rollout: { strategy: 'all-at-once' } });
    // Release 0: 50 nodes × 2 images × 1 MB. The joiners: 2 images × (7 × 10 MB + 1 MB). Release 1: 55 × 2 × 1 MB.
    expect(r.m.layer_bytes).toBe(50 * 2 * 1e6 + 5 * 2 * 71e6 + 55 * 2 * 1e6);
    expect(r.m.pulls).toBe(50 * 2 + 5 * 2 + 55 * 2);
    expect(r.m.pulls_failed).toBe(0);
    expect([...r.ready].filter((k) => k.endsWith('/1')).length).toBe(55);
    // Joiners are not targets of the release that was rolling when they came.
    expect([...r.ready].filter((k) => k.endsWith('/0')).length).toBe(50);
  });

  it('a churn event is either a leave or a join', () => {
    expect(Faults.safeParse({ nodes: [{ at: '1m', leave: 1, join: 1 }] }).success).toBe(false);
    expect(Faults.safeParse({ nodes: [{ at: '1m' }] }).success).toBe(false);
  });
});

describe('the churn interface a strategy sees', () => {
  it('nodeLeft / nodeJoined are called with the node ids, in time order', () => {
    const sim = new Simulator();
    const net = new Network(sim, {});
    const cluster = {
      nodes: 6,
      region: 'r',
      zones: ['r-a'],
      nodesPerRack: 40,
      nicBps: 1e9,
      rackOversubscription: 1,
      zoneBps: 1e10,
      latency: { nicS: 0, rackS: 0, crossZoneS: 0, natS: 0 },
      egress: 'public-ip',
      natGateways: 'single',
      natBps: 1e10,
      internetFlowCapBps: 1e9,
      maxConcurrentDownloads: 3,
      serializeImagePulls: true,
      unpackBps: 1e9,
      cache: 'warm',
    } as ClusterConfig;
    const rng = new RngStreams(7);
    const world = new World(sim, net, new Topology(net, cluster), rng, new MetricsCollector(), cluster, buildCatalog());
    const calls: string[] = [];
    const dist: DistributionRuntime = {
      needsToken: false,
      registryLinks: [],
      fetch: (_req, done) => sim.call(0.001, () => done(true)),
      addCosts: () => {},
      nodeLeft: (n) => calls.push(`left ${n} @${sim.now}`),
      nodeJoined: (n) => calls.push(`joined ${n} @${sim.now}`),
    };
    const catalog = new ImageCatalog({ count: 1, sizeBytes: 8e6, layers: 2, baseLayers: 0, baseBytes: 0 });
    const meta = { manifestBytes: 1, configBytes: 1, indexBytes: 0 };
    const nodes = Array.from({ length: 6 }, (_, i) => new NodeRuntime(i, world, dist, catalog.layers, meta));
    nodes[4].present = false;
    nodes[5].present = false;
    installNodeFaults(Faults.parse({ nodes: [{ at: 20, join: 2 }, { at: 10, leave: 1 }] }), {
      world,
      nodes,
      firstSpare: 4,
      dist,
      catalog,
      rng,
      pullPolicy: 'IfNotPresent',
      horizonS: 100,
    });
    sim.run({});
    expect(calls).toHaveLength(3);
    expect(calls[0]).toMatch(/^left [0-3] @10$/);
    expect(calls.slice(1)).toEqual(['joined 4 @20', 'joined 5 @20']);
    expect(nodes.filter((n) => n.present).map((n) => n.id)).toHaveLength(5);
    // The joiners pulled the image in full.
    expect(nodes[4].cache.size).toBe(2);
  });
});
