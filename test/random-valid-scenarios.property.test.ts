import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';

/**
 * Random valid scenarios, small: every strategy, preset and modifier. Each must terminate inside its
 * event budget, pass the invariants every run checks (metrics/invariants.ts, the network's conservation,
 * the kernel's clock) and give the same numbers twice from the same seed.
 */
fc.configureGlobal({ seed: Number(process.env.PULLSIM_FUZZ_SEED ?? 20261201) });

const ecr = { kind: 'hosted', preset: 'ecr' };
const distributions = [
  ecr,
  { kind: 'hosted', preset: 'dockerhub', plan: 'anonymous' },
  { kind: 'hosted', preset: 'dockerhub', plan: 'team' },
  { kind: 'hosted', preset: 'gcr' },
  { kind: 'hosted', preset: 'quay' },
  { kind: 'private', instances: 1 },
  { kind: 'private', instances: 2, storage: { kind: 's3' } },
  { kind: 'private', instances: 2, storage: { kind: 'gcs' } },
  { kind: 'private', instances: 1, storage: { kind: 'nfs' } },
  { kind: 'mirror', preset: 'harbor', upstream: ecr },
  { kind: 'mirror', preset: 'artifactory', placement: 'per-cluster', upstream: { kind: 'hosted', preset: 'dockerhub', plan: 'team' } },
  { kind: 'p2p', preset: 'kraken', upstream: ecr },
  { kind: 'p2p', preset: 'dragonfly', upstream: ecr },
  { kind: 'p2p', preset: 'kraken', preheat: true, upstream: { kind: 'private', instances: 1 } },
];
const rollouts = [
  { strategy: 'all-at-once' },
  { strategy: 'rolling', batch: 2, pause: '10s' },
  { strategy: 'canary', canary: 1, soak: '30s' },
  { strategy: 'stagger', window: '1m', spread: 'random' },
];

const scenario = fc.record({
  seed: fc.integer({ min: 0, max: 10_000 }),
  nodes: fc.integer({ min: 2, max: 16 }),
  zones: fc.integer({ min: 1, max: 2 }),
  images: fc.integer({ min: 1, max: 3 }),
  layers: fc.integer({ min: 1, max: 4 }),
  sizeMB: fc.integer({ min: 5, max: 60 }),
  deltaShare: fc.double({ min: 0.01, max: 1, noNaN: true }),
  everyMin: fc.integer({ min: 20, max: 90 }),
  durationH: fc.integer({ min: 1, max: 3 }),
  dist: fc.nat({ max: distributions.length - 1 }),
  rollout: fc.nat({ max: rollouts.length - 1 }),
  cache: fc.constantFrom('warm', 'cold'),
  compression: fc.constantFrom('gzip', 'zstd', 'none'),
  lazy: fc.constantFrom(undefined, 'estargz', 'nydus', 'soci'),
  egress: fc.constantFrom('nat', 'public-ip'),
});

type Drawn = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function build(s: Drawn) {
  const size = s.sizeMB * 1e6;
  return RunConfig.parse({
    seed: s.seed,
    duration: `${s.durationH}h`,
    cluster: { nodes: s.nodes, zones: s.zones, egress: s.egress, cache: s.cache },
    images: { count: s.images, size, layers: s.layers, compression: s.compression, ...(s.lazy ? { lazy: { format: s.lazy } } : {}) },
    releases: { every: `${s.everyMin}m`, delta: Math.max(1000, Math.round(size * s.deltaShare)) },
    rollout: rollouts[s.rollout],
    distribution: distributions[s.dist],
  });
}

describe('random valid scenarios', () => {
  it('terminate within their budget, keep every invariant and are deterministic per seed', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const run = build(s);
        const a = simulateRun(run, { maxEvents: 3_000_000 });
        const b = simulateRun(run, { maxEvents: 3_000_000 });
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
        expect(a.releases).toBe(Math.ceil((s.durationH * 60) / s.everyMin));
      }),
      { numRuns: Number(process.env.PULLSIM_FUZZ_RUNS ?? 60) },
    );
  }, 240_000);
});
