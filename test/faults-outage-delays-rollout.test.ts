import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';

/**
 * Issue 4 acceptance: a registry outage during a rollout delays it by at least the outage, and nothing
 * is lost — every node ends with every release or a failure counted with a reason.
 */
function run(distribution: unknown, outages: unknown[], over: Record<string, unknown> = {}) {
  const ready = new Set<string>();
  const failed = new Map<string, string>();
  const m = simulateRun(
    RunConfig.parse({
      duration: '1h',
      cluster: { nodes: 50, zones: 2, egress: 'public-ip' },
      images: { count: 1, size: '8 MB', layers: 8, multiArch: false },
      releases: { every: '1h', delta: '1 MB' },
      distribution,
      faults: { outages },
      ...over,
    }),
    {
      observers: [{
        nodeReady: (node, release) => ready.add(`${node}/${release}`),
        pullDone: (node, release, ok, _t, reason) => {
          if (!ok) failed.set(`${node}/${release}`, reason ?? '');
        },
      }],
    },
  );
  return { m, ready, failed };
}

/** Every (node, release) is either ready or failed with a reason, never both, never neither. */
function everyNodeAccountedFor(r: ReturnType<typeof run>, nodes: number, releases: number): void {
  for (let n = 0; n < nodes; n++)
    for (let k = 0; k < releases; k++) {
      const key = `${n}/${k}`;
      expect(r.ready.has(key) !== r.failed.has(key)).toBe(true);
      if (r.failed.has(key)) expect(r.failed.get(key)).not.toBe('');
    }
  expect(r.m.pulls).toBe(nodes * releases);
  let byReason = 0;
  for (const v of Object.values(r.m.pulls_failed_by_reason)) byReason += v;
  expect(byReason).toBe(r.m.pulls_failed);
}

const ecr = { kind: 'hosted', preset: 'ecr' };
const registry = { kind: 'private', instances: 2 };

describe('a registry outage during a rollout', () => {
  for (const [name, dist] of [
    ['hosted (ECR)', ecr],
    ['private registry', registry],
  ] as const) {
    it(`${name}: a 5 min outage starting mid-rollout delays it by at least 5 min; every pull completes`, () => {
      const calm = run(dist, []);
      const hit = run(dist, [{ service: 'registry', at: '10ms', duration: '5m' }]);
      expect(calm.m.rollout_s.max).toBeLessThan(1);
      expect(hit.m.rollout_s.max - calm.m.rollout_s.max).toBeGreaterThanOrEqual(300);
      expect(hit.m.pulls_failed).toBe(0);
      // Refused pulls were retried by kubelet's back-off: at least one retry per node.
      expect(hit.m.retries).toBeGreaterThanOrEqual(50);
      expect(hit.m.layer_bytes).toBe(calm.m.layer_bytes);
      everyNodeAccountedFor(hit, 50, 1);
    });
  }

  it('an outage longer than the back-off fails every pull with its reason; the next release recovers', () => {
    const r = run(ecr, [{ service: 'registry', at: '10ms', duration: '30m' }], { duration: '2h' });
    // Seven attempts span 610–671 s of back-off, all inside the 30 min window.
    expect(r.m.pulls_failed_by_reason).toEqual({ 'registry-unavailable': 50 });
    expect(r.m.retries).toBe(50 * 6);
    expect([...r.ready].filter((k) => k.endsWith('/1')).length).toBe(50);
    everyNodeAccountedFor(r, 50, 2);
  });

  it('an outage cuts the transfers in flight: the aborted layer is fetched again, and counted once', () => {
    const big = { images: { count: 1, size: '600 MB', layers: 1, multiArch: false }, releases: { every: '1h', delta: '500 MB' }, cluster: { nodes: 1, egress: 'public-ip' } };
    const calm = run(ecr, [], big);
    // 500 MB at ECR's 5 Gbit/s per connection takes 0.8 s: the window opens halfway through.
    const hit = run(ecr, [{ service: 'registry', at: '0.5s', duration: '1m' }], big);
    expect(calm.m.layer_bytes).toBe(500e6);
    expect(hit.m.layer_bytes).toBe(500e6);
    expect(hit.m.pulls_failed).toBe(0);
    expect(hit.m.rollout_s.max).toBeGreaterThan(60.5);
    // The registry's egress link carried the aborted half as well.
    expect(hit.m.registry_egress_bytes).toBeGreaterThan(calm.m.registry_egress_bytes + 100e6);
  });

  it('a storage outage fails the pulls of a private registry as storage-unavailable', () => {
    const s3 = { kind: 'private', instances: 1, storage: { kind: 's3' } };
    const r = run(s3, [{ service: 'storage', at: '0s', duration: '30m' }]);
    expect(r.m.pulls_failed_by_reason).toEqual({ 'storage-unavailable': 50 });
    everyNodeAccountedFor(r, 50, 1);
  });

  it('a mirror outage is the mirror\'s; outages of services a variant does not use change nothing', () => {
    const mirror = { kind: 'mirror', preset: 'harbor', upstream: ecr };
    const r = run(mirror, [{ service: 'mirror', at: '0s', duration: '30m' }]);
    expect(r.m.pulls_failed_by_reason).toEqual({ 'mirror-unavailable': 50 });
    // Only the kernel's event count differs: the unused gate still schedules its window's opening.
    const untouched = { ...run(ecr, [{ service: 'mirror', at: '0s', duration: '30m' }]).m, events: 0 };
    expect(untouched).toEqual({ ...run(ecr, []).m, events: 0 });
  });
});
