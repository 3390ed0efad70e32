/** Behaviour of the p2p strategy beyond the bound: paths, limits, origins, preheat, back-to-source, schema. */
import { describe, expect, it } from 'vitest';
import { simulateRun } from '../src/simulate.ts';
import { P2PConfig } from '../src/distribution/p2p-config.ts';
import { p2pRun } from './p2p-helpers.ts';

/** Metadata a pull fetches (no index: single-platform image): manifest 2 KB + config 6 KB. */
const METADATA = 2000 + 6000;

describe('p2p strategy', () => {
  it('same seed, same result: byte-identical metrics', () => {
    const cfg = { nodes: 40, size: '100 MB', zones: 2, distribution: { kind: 'p2p', preset: 'kraken' } };
    expect(JSON.stringify(simulateRun(p2pRun(cfg)))).toBe(JSON.stringify(simulateRun(p2pRun(cfg))));
  });

  it('a per-host upload limit caps an origin: one node takes F / limit', () => {
    const m = simulateRun(
      p2pRun({ nodes: 1, size: '200 MB', distribution: { kind: 'p2p', preset: 'kraken', preheat: true, replicas: 1, originUploadLimit: '100 MB/s' } }),
    );
    expect(m.rollout_s.max).toBeGreaterThanOrEqual(2);
    expect(m.rollout_s.max).toBeLessThan(2 * 1.02);
    expect(m.ingress_by_source_bytes).toEqual({ origin: 200e6 + METADATA });
  });

  it('pieces cross the real topology: a 10:1 oversubscribed rack downlink bounds an origin → node transfer', () => {
    // One node per rack: rack downlink = 1 × 10 Gbit/s / 10 = 125 MB/s, below the node's 300 MiB/s limit.
    const run = p2pRun({ nodes: 1, size: '250 MB', rackOversubscription: 10, distribution: { kind: 'p2p', preset: 'kraken', preheat: true, replicas: 1 } });
    const m = simulateRun(run);
    expect(m.rollout_s.max).toBeGreaterThanOrEqual(2);
    expect(m.rollout_s.max).toBeLessThan(2 * 1.02);
  });

  it('each origin replica pulls a new blob from the upstream once, however many nodes ask', () => {
    const egress: number[] = [];
    for (const nodes of [5, 50]) {
      const m = simulateRun(p2pRun({ nodes, size: '100 MB', distribution: { kind: 'p2p', preset: 'kraken', replicas: 2 } }));
      // Two copies of the blob, plus each origin's token dance (150 B + 1,500 B) and the zone's origin
      // fetching the tag, manifest and config once (0 + 2 KB + 6 KB): at most 3 dances + 8 KB.
      expect(m.registry_egress_bytes).toBeGreaterThanOrEqual(2 * 100e6 + 8000);
      expect(m.registry_egress_bytes).toBeLessThanOrEqual(2 * 100e6 + 8000 + 3 * 1650);
      egress.push(m.registry_egress_bytes);
      // The upstream (ECR by default) is on the internet: the origins' copies count there, not as node ingress.
      expect(m.internet_bytes).toBe(m.registry_egress_bytes);
      expect(m.layer_bytes).toBeGreaterThanOrEqual(nodes * 100e6);
      expect(m.layer_bytes).toBeLessThan(1.15 * nodes * 100e6);
    }
    expect(egress[1]).toBe(egress[0]);
  });

  it('preheat: origins hold the blob when the rollout starts, so the first pieces do not wait for the upstream', () => {
    const cfg = (preheat: boolean) =>
      p2pRun({ nodes: 20, size: '1 GB', distribution: { kind: 'p2p', preset: 'kraken', preheat, upstream: { kind: 'hosted', preset: 'ecr', perConnection: '1 Gbit/s' } } });
    const cold = simulateRun(cfg(false));
    const hot = simulateRun(cfg(true));
    // Without preheat the origins first pull 1 GB at 1 Gbit/s: at least 8 s before they can seed.
    expect(cold.rollout_s.max).toBeGreaterThan(8);
    expect(hot.rollout_s.max).toBeLessThan(cold.rollout_s.max - 7);
    // The same blob copies either way; preheated (pushed through Kraken), the origins also hold the
    // manifest and config, which cold origins fetch on first demand (8 KB + ECR's Basic-auth 401, 150 B).
    expect(cold.registry_egress_bytes - hot.registry_egress_bytes).toBe(2000 + 6000 + 150);
  });

  it('pieces that cross zones are counted and charged; zone-aware handouts keep most of them local', () => {
    const m = simulateRun(p2pRun({ nodes: 60, zones: 3, size: '200 MB', distribution: { kind: 'p2p', preset: 'kraken', preheat: true } }));
    expect(m.cross_zone_bytes).toBeGreaterThan(0);
    // Random peers would put two thirds of the bytes across zones.
    expect(m.cross_zone_bytes).toBeLessThan(0.5 * m.ingress_bytes);
    expect(m.cost_usd.cross_zone).toBeCloseTo((m.cross_zone_bytes / 1e9) * 0.02, 12);
  });

  it('back-to-source: with no usable seed a Dragonfly peer fetches from the upstream after the timeout', () => {
    const m = simulateRun(
      p2pRun({
        nodes: 3,
        size: '100 MB',
        distribution: { kind: 'p2p', preset: 'dragonfly', preheat: true, originUploadLimit: '1 kB/s', backToSource: '2s' },
      }),
    );
    expect(m.pulls_failed).toBe(0);
    expect(m.ingress_by_source_bytes.ecr).toBeGreaterThan(0);
    expect(m.rollout_s.max).toBeGreaterThan(2);
  });

  it('charges origins and trackers by the hour', () => {
    const m = simulateRun(p2pRun({ nodes: 2, size: '10 MB', distribution: { kind: 'p2p', preset: 'kraken' } }));
    expect(m.cost_usd.p2p_origins).toBeCloseTo(5 * 0.192, 12);
    expect(m.cost_usd.p2p_trackers).toBeCloseTo(5 * 0.192, 12);
  });

  it('rejects more opened connections than a host may hold, with a hint', () => {
    const r = P2PConfig.safeParse({ kind: 'p2p', preset: 'kraken', maxParents: 12 });
    expect(r.success).toBe(false);
    const issue = r.error?.issues[0];
    expect(issue?.path).toEqual(['maxParents']);
    expect((issue as { params?: { hint?: string } }).params?.hint).toMatch(/maxConnections/);
  });
});
