import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';

/** One node, public IP, Docker Hub preset with 20 ms RTT and 60 MB/s per connection, one 1 MB delta. */
function oneNode(extra: { images?: number; cache?: 'warm' | 'cold'; serialize?: boolean; multiArch?: boolean } = {}) {
  return RunConfig.parse({
    duration: '1h',
    cluster: {
      nodes: 1,
      egress: 'public-ip',
      cache: extra.cache ?? 'warm',
      serializeImagePulls: extra.serialize ?? true,
      unpack: '100 MB/s',
    },
    images: { count: extra.images ?? 1, size: '8 MB', layers: 8, manifestSize: '2 KB', configSize: '6 KB', multiArch: extra.multiArch ?? false, indexSize: '1.6 KB' },
    releases: { every: '2h', delta: '1 MB' },
    distribution: { kind: 'hosted', preset: 'dockerhub', rtt: '20ms', perConnection: '60 MB/s' },
  });
}

// One way from the registry to the node: half the WAN RTT + rack downlink + NIC (0.05 ms each).
const ONE_WAY = 0.01 + 0.00005 + 0.00005;
const PER_CONN = 60e6;
/** GET = request one way + extra round trips + response one way + bytes at the connection's rate. */
const get = (bytes: number, extraRtts: number) => ONE_WAY * (2 + 2 * extraRtts) + bytes / PER_CONN;
const PULL_S =
  get(150, 2) + // HEAD of the tag on a new connection (TCP + TLS): 401 with a token challenge
  get(1500, 2) + // token from the auth service, another new connection
  get(0, 0) + // HEAD of the tag again, now authorised: the digest
  get(2000, 0) + // manifest
  get(6000, 3) + // config blob: 307 from the registry, then a new connection to the CDN
  get(1e6, 1) + // the new 1 MB layer: 307, then the open CDN connection
  1e6 / 100e6; // unpack

describe('the pull pipeline follows the OCI sequence round trip by round trip', () => {
  it('one pull of a 1 MB delta takes exactly token + manifest + config + layer + unpack', () => {
    const m = simulateRun(oneNode());
    expect(m.pulls).toBe(1);
    expect(m.rollout_s.max).toBeCloseTo(PULL_S, 9);
    expect(m.node_ready_s.p50).toBeCloseTo(PULL_S, 9);
    expect(m.layer_bytes).toBe(1e6);
    expect(m.metadata_bytes).toBe(150 + 1500 + 2000 + 6000);
  });

  it('a multi-arch tag costs one more GET: the image index', () => {
    const m = simulateRun(oneNode({ multiArch: true }));
    expect(m.rollout_s.max).toBeCloseTo(PULL_S + get(1600, 0), 9);
    expect(m.metadata_bytes).toBe(150 + 1500 + 1600 + 2000 + 6000);
  });

  it('kubelet serialises image pulls: two images take twice as long', () => {
    const m = simulateRun(oneNode({ images: 2 }));
    expect(m.pulls).toBe(2);
    expect(m.rollout_s.max).toBeCloseTo(2 * PULL_S, 9);
  });

  it('parallel image pulls overlap and share the node', () => {
    const m = simulateRun(oneNode({ images: 2, serialize: false }));
    // Two pulls in parallel on separate connections: the round trips overlap, so it is far below 2×.
    expect(m.rollout_s.max).toBeLessThan(1.1 * PULL_S + 1e6 / 100e6);
    expect(m.rollout_s.max).toBeGreaterThanOrEqual(PULL_S - 1e-12);
  });

  it('a cold cache pulls every layer, a warm one only the delta', () => {
    const cold = simulateRun(oneNode({ cache: 'cold' }));
    // 7 kept layers of 1 MB + the new 1 MB layer.
    expect(cold.layer_bytes).toBe(8e6);
    const warm = simulateRun(oneNode({ cache: 'warm' }));
    expect(warm.layer_bytes).toBe(1e6);
  });
});
