import { describe, expect, it } from 'vitest';
import { harness } from './storage-harness.ts';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';
import type { MirrorRuntime } from '../src/distribution/mirror.ts';

const F = 20e6;
const N = 10;

function burst(coalescing: boolean) {
  const h = harness({ kind: 'mirror', preset: 'harbor', coalescing, upstream: { kind: 'hosted', preset: 'ecr' } });
  for (let i = 0; i < N; i++) h.get(i, 'layer', F, 42);
  h.sim.run({});
  return { h, m: h.dist as MirrorRuntime };
}

describe('mirror request coalescing', () => {
  it('on: N simultaneous misses for one blob → one upstream fetch; the mirror NIC takes F in, N·F out', () => {
    const { h, m } = burst(true);
    expect(m.stats.upstream.layer).toBe(1);
    expect(m.stats.misses).toBe(N);
    expect(h.net.linkBytes(m.nicDown[0])).toBeCloseTo(F + 150, -1); // + ECR's 401 challenge (Basic auth)
    expect(h.net.linkBytes(m.nicUp[0])).toBeCloseTo(N * F, -1);
    expect(h.net.linkBytes(m.registryLinks[0])).toBeCloseTo(F + 150, -1);
  });

  it('off: N simultaneous misses → N upstream fetches', () => {
    const { h, m } = burst(false);
    expect(m.stats.upstream.layer).toBe(N);
    expect(h.net.linkBytes(m.nicDown[0])).toBeCloseTo(N * F + 150, -1);
    expect(h.net.linkBytes(m.nicUp[0])).toBeCloseTo(N * F, -1);
  });

  it('a request after the fill is a hit served from the mirror, with no upstream traffic', () => {
    const { h, m } = burst(true);
    h.get(0, 'layer', F, 42);
    h.sim.run({});
    expect(m.stats.hits).toBe(1);
    expect(m.stats.upstream.layer).toBe(1);
    expect(h.transfers.at(-1)!.source).toBe('mirror');
  });

  it('end to end: each new blob goes upstream once per zone mirror (3 zones, 30 nodes, Artifactory)', () => {
    const delta = 50e6;
    const r = simulateRun(
      RunConfig.parse({
        duration: '1h',
        cluster: { nodes: 30, zones: 3 },
        images: { count: 1, size: '800 MB', layers: 8, multiArch: false },
        releases: { every: '2h', delta: '50 MB' },
        distribution: { kind: 'mirror', preset: 'artifactory', upstream: { kind: 'hosted', preset: 'dockerhub' } },
      }),
    );
    // Per mirror: challenge 150 B, token 1,500 B, tag HEAD 0 B, manifest 2 KB, config 6 KB, the layer.
    const perMirror = 150 + 1500 + 0 + 2000 + 6000 + delta;
    expect(r.registry_egress_bytes).toBe(3 * perMirror);
    expect(r.internet_bytes).toBe(3 * perMirror);
    // Nodes received every byte from their mirror; the upstream's name is not a node source.
    expect(r.layer_bytes).toBe(30 * delta);
    expect(Object.keys(r.ingress_by_source_bytes).every((s) => s.startsWith('mirror'))).toBe(true);
    const bySource = Object.values(r.ingress_by_source_bytes).reduce((a, b) => a + b, 0);
    expect(bySource).toBe(r.ingress_bytes);
    // The fills went through the per-zone NAT gateways: charged at $0.045/GB.
    expect(r.cost_usd.nat_processing).toBeCloseTo((3 * perMirror * 0.045) / 1e9, 12);
  });

  it('fills through a single NAT gateway cross zones for two mirrors in three; nodes never do', () => {
    const delta = 10e6;
    const r = simulateRun(
      RunConfig.parse({
        duration: '1h',
        cluster: { nodes: 30, zones: 3, natGateways: 'single' },
        images: { count: 1, size: '800 MB', layers: 8, multiArch: false },
        releases: { every: '2h', delta: '10 MB' },
        distribution: { kind: 'mirror', preset: 'artifactory', upstream: { kind: 'hosted', preset: 'dockerhub' } },
      }),
    );
    const perMirror = 150 + 1500 + 0 + 2000 + 6000 + delta;
    expect(r.cross_zone_bytes).toBe(2 * perMirror);
    expect(r.cost_usd.cross_zone).toBeCloseTo((2 * perMirror * 0.02) / 1e9, 12);
  });

  it('two tiers: zone mirrors fill from one central cache, which fetches each blob upstream once', () => {
    const delta = 30e6;
    const r = simulateRun(
      RunConfig.parse({
        duration: '1h',
        cluster: { nodes: 30, zones: 3 },
        images: { count: 1, size: '800 MB', layers: 8, multiArch: false },
        releases: { every: '2h', delta: '30 MB' },
        distribution: {
          kind: 'mirror',
          preset: 'harbor',
          placement: 'per-zone',
          upstream: { kind: 'mirror', preset: 'artifactory', placement: 'per-cluster', upstream: { kind: 'hosted', preset: 'dockerhub' } },
        },
      }),
    );
    // Docker Hub sees the central cache only: one auth dance, the tag HEAD (0 B), manifest, config, layer.
    const central = 150 + 1500 + 0 + 2000 + 6000 + delta;
    expect(r.registry_egress_bytes).toBe(central);
    expect(r.internet_bytes).toBe(central);
    // The central cache sits in the first zone: the other two zones' mirrors fill across zones, nodes never do.
    expect(r.cross_zone_bytes).toBe(2 * (2000 + 6000 + delta));
    expect(r.layer_bytes).toBe(30 * delta);
  });
});
