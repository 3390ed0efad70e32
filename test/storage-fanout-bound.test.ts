import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';

/**
 * Client–server fan-out (FACTS.md §2, Kumar–Ross): F bytes to N nodes through one server link u_s takes
 * at least N·F/u_s, and about that when u_s is the only bottleneck. One registry instance with a 1 Gbit/s
 * NIC (proxy) or a 1 Gbit/s store (redirect); nodes, racks, disk and unpack are fast.
 */
const N = 40;
const F = 100e6;
const U_S = 1e9 / 8;

function fanout(storage: Record<string, unknown>, nic = '1 Gbit/s') {
  return simulateRun(
    RunConfig.parse({
      duration: '1h',
      cluster: { nodes: N, zones: 1, nic: '10 Gbit/s', rackOversubscription: 1, unpack: '100 GB/s' },
      images: { count: 1, size: '800 MB', layers: 8, multiArch: false },
      releases: { every: '2h', delta: '100 MB' },
      distribution: { kind: 'private', instances: 1, requestRate: 1e6, nic, storage },
    }),
  );
}

describe('client–server fan-out through one registry link', () => {
  const floor = (N * F) / U_S; // 32 s

  it('local disk, proxied: the instance NIC is the bottleneck, rollout ≥ N·F/u_s and within 2 %', () => {
    const m = fanout({ kind: 'local', aggregate: '100 GB/s' });
    expect(m.rollout_s.max).toBeGreaterThanOrEqual(floor);
    expect(m.rollout_s.max).toBeLessThanOrEqual(floor * 1.02);
    expect(m.registry_peak_Bps).toBeCloseTo(U_S, 0);
  });

  it('S3 proxied: the instance NIC still bounds it (the store and per-stream caps are not binding)', () => {
    const m = fanout({ kind: 's3', delivery: 'proxy' });
    expect(m.rollout_s.max).toBeGreaterThanOrEqual(floor);
    expect(m.rollout_s.max).toBeLessThanOrEqual(floor * 1.02);
  });

  it('S3 redirected: the store link is the bottleneck, the instance NIC is idle for blobs', () => {
    const m = fanout({ kind: 's3', delivery: 'redirect', aggregate: '1 Gbit/s' }, '100 Gbit/s');
    expect(m.rollout_s.max).toBeGreaterThanOrEqual(floor);
    expect(m.rollout_s.max).toBeLessThanOrEqual(floor * 1.02);
    // Only the manifests (2 KB each) leave the instances; config and layer come from the store.
    expect(m.registry_egress_bytes).toBe(N * 2000);
    expect(m.ingress_by_source_bytes.s3).toBe(N * (F + 6000));
  });
});
