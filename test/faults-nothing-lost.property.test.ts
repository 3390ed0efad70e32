import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';

/**
 * Whatever goes wrong — outages, churn, crash-loops, a small disk, rate limits — every target node of
 * every release ends ready or with a failed pull that has a reason, never both and never neither, and
 * the run drains.
 */
const distributions = [
  { kind: 'hosted', preset: 'ecr' },
  { kind: 'hosted', preset: 'dockerhub', plan: 'anonymous' },
  { kind: 'private', instances: 2, storage: { kind: 's3', getRate: 50 } },
  { kind: 'mirror', preset: 'harbor', upstream: { kind: 'hosted', preset: 'ecr' } },
];
const rollouts = [{ strategy: 'all-at-once' }, { strategy: 'rolling', batch: 3, pause: '20s' }, { strategy: 'canary', canary: 1, soak: '1m' }, { strategy: 'stagger', window: '2m', spread: 'random' }];
const services = ['registry', 'storage', 'mirror'];

const scenario = fc.record({
  nodes: fc.integer({ min: 3, max: 12 }),
  dist: fc.integer({ min: 0, max: distributions.length - 1 }),
  rollout: fc.integer({ min: 0, max: rollouts.length - 1 }),
  outages: fc.array(fc.record({ service: fc.constantFrom(...services), at: fc.integer({ min: 0, max: 4000 }), duration: fc.integer({ min: 1, max: 1500 }) }), { maxLength: 2 }),
  leave: fc.option(fc.record({ at: fc.integer({ min: 0, max: 4000 }), leave: fc.integer({ min: 1, max: 3 }) }), { nil: undefined }),
  join: fc.option(fc.record({ at: fc.integer({ min: 0, max: 4000 }), join: fc.integer({ min: 1, max: 3 }) }), { nil: undefined }),
  crash: fc.boolean(),
  disk: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1000 }),
});

describe('nothing is silently lost', () => {
  it('every target of every release is ready or failed with a reason', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const targets = new Map<number, number>();
        const ready = new Set<string>();
        const failed = new Set<string>();
        let pullDone = 0;
        const m = simulateRun(
          RunConfig.parse({
            seed: s.seed,
            duration: '2h',
            cluster: { nodes: s.nodes, zones: 2, egress: 'nat', ...(s.disk ? { disk: { size: '70 MB' } } : {}) },
            images: { count: 2, size: '30 MB', layers: 3, multiArch: false },
            releases: { every: '1h', delta: '5 MB' },
            rollout: rollouts[s.rollout],
            distribution: distributions[s.dist],
            faults: {
              outages: s.outages,
              nodes: [...(s.leave ? [s.leave] : []), ...(s.join ? [s.join] : [])],
              crashLoops: s.crash ? [{ nodes: 1, cacheLost: true, from: 600, runFor: 30 }] : [],
            },
          }),
          {
            maxEvents: 5_000_000,
            observers: [{
              releasePublished: (r, _t, n) => targets.set(r, n),
              nodeReady: (n, r) => ready.add(`${n}/${r}`),
              pullDone: (n, r, ok, _t, reason) => {
                pullDone++;
                if (!ok) {
                  expect(reason).toBeTruthy();
                  if (r >= 0) failed.add(`${n}/${r}`);
                }
              },
            }],
          },
        );
        for (const [r, n] of targets) {
          const done = new Set<number>();
          for (const k of ready) if (k.endsWith(`/${r}`)) done.add(Number(k.split('/')[0]));
          for (const k of failed) if (k.endsWith(`/${r}`)) {
            const node = Number(k.split('/')[0]);
            expect(done.has(node)).toBe(false);
            done.add(node);
          }
          expect(done.size).toBe(n);
        }
        expect(m.pulls).toBe(pullDone);
        let byReason = 0;
        for (const v of Object.values(m.pulls_failed_by_reason)) byReason += v;
        expect(byReason).toBe(m.pulls_failed);
      }),
      { numRuns: 40, seed: 4 },
    );
  });
});
