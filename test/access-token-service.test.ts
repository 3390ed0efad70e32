import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';
import type { RequestKind } from '../src/distribution/types.ts';

function run(distribution: unknown, over: Record<string, unknown> = {}) {
  const byKind = new Map<RequestKind, number>();
  const m = simulateRun(
    RunConfig.parse({
      duration: '4h',
      cluster: { nodes: 100, zones: 1, egress: 'public-ip' },
      images: { count: 10, size: '80 MB', layers: 8, multiArch: false },
      releases: { every: '2h', delta: '100 KB' },
      distribution,
      ...over,
    }),
    { observers: [{ transferDone: (e) => byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1) }] },
  );
  return { m, byKind };
}

const pulls = 100 * 10 * 2;

describe('token services and token lifetimes', () => {
  it('Docker Hub: a 401 challenge and a bearer token per pull (containerd makes a resolver per pull)', () => {
    const { byKind } = run({ kind: 'hosted', preset: 'dockerhub', plan: 'team' });
    expect(byKind.get('challenge')).toBe(pulls);
    expect(byKind.get('token')).toBe(pulls);
  });

  it('reusing the token for its lifetime: one token per node per release (1 h lifetime, releases 2 h apart)', () => {
    const { byKind, m } = run({ kind: 'hosted', preset: 'dockerhub', plan: 'team', auth: { reuse: 'lifetime', tokenLifetime: '1h' } });
    expect(byKind.get('token')).toBe(100 * 2);
    expect(byKind.get('challenge')).toBe(100 * 2);
    const perPull = run({ kind: 'hosted', preset: 'dockerhub', plan: 'team' }).m;
    expect(perPull.requests - m.requests).toBe(2 * (pulls - 100 * 2));
    expect(m.rollout_s.max).toBeLessThan(perPull.rollout_s.max);
  });

  it('ECR: Basic credentials from the credential provider (12 h): the challenge per pull, no token requests', () => {
    const { byKind } = run({ kind: 'hosted', preset: 'ecr' });
    expect(byKind.get('challenge')).toBe(pulls);
    expect(byKind.get('token')).toBeUndefined();
  });

  it("a private registry's token server is a FIFO of its own: 100 simultaneous pulls at 10 tokens/s wait up to 9.9 s", () => {
    const fast = run({ kind: 'private', instances: 1, requestRate: 1e6, auth: { kind: 'token', rate: 1e6 } }, { images: { count: 1, size: '8 MB', layers: 8, multiArch: false } }).m;
    const slow = run({ kind: 'private', instances: 1, requestRate: 1e6, auth: { kind: 'token', rate: 10, processing: 0 } }, { images: { count: 1, size: '8 MB', layers: 8, multiArch: false } }).m;
    expect(slow.rollout_s.max).toBeGreaterThan(9.9);
    expect(slow.rollout_s.max).toBeLessThan(9.9 + fast.rollout_s.max + 0.01);
    expect(slow.pulls_failed).toBe(0);
  });

  it('a private registry without auth makes no auth round trips', () => {
    const { byKind } = run({ kind: 'private', instances: 1 });
    expect(byKind.get('challenge')).toBeUndefined();
    expect(byKind.get('token')).toBeUndefined();
  });
});
