import { describe, expect, it } from 'vitest';
import { harness } from './storage-harness.ts';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';
import { SECONDS_PER_MONTH } from '../src/scenario/units.ts';
import type { MirrorRuntime } from '../src/distribution/mirror.ts';

const N = 6;

function resolves(preset: 'harbor' | 'artifactory') {
  const h = harness({ kind: 'mirror', preset, upstream: { kind: 'private', instances: 1 } });
  for (let i = 0; i < N; i++) h.get(i, 'resolve', 0, 5);
  h.sim.run({});
  // A second wave, a minute later, for the same tag resolution.
  h.sim.call(60, () => {
    for (let i = 0; i < N; i++) h.get(i, 'resolve', 0, 5);
  });
  h.sim.run({});
  return h.dist as MirrorRuntime;
}

describe('mirror tag revalidation', () => {
  it('Harbor HEADs the upstream on every wave of tag requests (concurrent ones share a HEAD, no TTL)', () => {
    const m = resolves('harbor');
    expect(m.stats.upstream.resolve).toBe(2);
    expect(m.stats.hits).toBe(0);
  });

  it('Harbor without coalescing (older versions) sends one HEAD per tag request', () => {
    const h = harness({ kind: 'mirror', preset: 'harbor', coalescing: false, upstream: { kind: 'private', instances: 1 } });
    for (let i = 0; i < N; i++) h.get(i, 'resolve', 0, 5);
    h.sim.run({});
    expect((h.dist as MirrorRuntime).stats.upstream.resolve).toBe(N);
  });

  it('Artifactory coalesces the first wave and trusts the tag for its cache period', () => {
    const m = resolves('artifactory');
    expect(m.stats.upstream.resolve).toBe(1);
    expect(m.stats.hits).toBe(N);
  });
});

describe('mirror configuration', () => {
  const base = {
    duration: '1h',
    cluster: { nodes: 6, zones: 3 },
    images: { count: 1, size: '100 MB', layers: 2, multiArch: false },
    releases: { every: '2h', delta: '1 MB' },
  };

  it('accepts a mirror in front of a mirror; rejects a third tier and a P2P upstream, with hints', () => {
    const harbor = (upstream: unknown) => ({ kind: 'mirror', preset: 'harbor', upstream });
    const ecr = { kind: 'hosted', preset: 'ecr' };
    expect(RunConfig.safeParse({ ...base, distribution: harbor(harbor(ecr)) }).success).toBe(true);
    const deep = RunConfig.safeParse({ ...base, distribution: harbor(harbor(harbor(ecr))) });
    expect(deep.success).toBe(false);
    const deepIssue = deep.error!.issues.find((i) => i.path.join('.') === 'distribution.upstream.upstream') as { params?: { hint?: string } } | undefined;
    expect(deepIssue?.params?.hint).toMatch(/kind: hosted or kind: private/);
    const p2p = RunConfig.safeParse({ ...base, distribution: harbor({ kind: 'p2p', preset: 'kraken' }) });
    expect(p2p.success).toBe(false);
    const p2pIssue = p2p.error!.issues.find((i) => i.path.join('.') === 'distribution.upstream') as { params?: { hint?: string } } | undefined;
    expect(p2pIssue?.params?.hint).toMatch(/p2p upstream: \{ kind: mirror/);
  });

  it("checks a private upstream's zones against the cluster's", () => {
    const r = RunConfig.safeParse({
      ...base,
      distribution: { kind: 'mirror', preset: 'harbor', upstream: { kind: 'private', zones: ['us-east-1z'] } },
    });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual(['distribution', 'upstream', 'zones', 0]);
    // Also two tiers down, and behind a P2P tier.
    const tiered = RunConfig.safeParse({
      ...base,
      distribution: { kind: 'mirror', preset: 'harbor', upstream: { kind: 'mirror', preset: 'artifactory', upstream: { kind: 'private', zones: ['us-east-1z'] } } },
    });
    expect(tiered.error!.issues[0].path).toEqual(['distribution', 'upstream', 'upstream', 'zones', 0]);
    const p2p = RunConfig.safeParse({ ...base, distribution: { kind: 'p2p', preset: 'dragonfly', upstream: { kind: 'private', zones: ['us-east-1z'] } } });
    expect(p2p.error!.issues[0].path).toEqual(['distribution', 'upstream', 'zones', 0]);
  });

  it('charges mirror instances by the hour and each mirror disk for its provisioned size', () => {
    const perZone = simulateRun(RunConfig.parse({ ...base, distribution: { kind: 'mirror', preset: 'harbor', upstream: { kind: 'hosted', preset: 'ecr' } } }));
    expect(perZone.cost_usd.mirror_instances).toBeCloseTo(3 * 0.192, 12);
    expect(perZone.cost_usd.mirror_disk).toBeCloseTo((3 * 1e12 * 3600 * 0.08) / 1e9 / SECONDS_PER_MONTH, 12);
    const single = simulateRun(
      RunConfig.parse({ ...base, distribution: { kind: 'mirror', preset: 'harbor', placement: 'per-cluster', instances: 2, upstream: { kind: 'hosted', preset: 'ecr' } } }),
    );
    expect(single.cost_usd.mirror_instances).toBeCloseTo(2 * 0.192, 12);
    // One mirror in the first zone: nodes of the other two zones cross zones to reach it.
    expect(single.cross_zone_bytes).toBeGreaterThan(0);
    expect(perZone.cross_zone_bytes).toBe(0);
  });
});
