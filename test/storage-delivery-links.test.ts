import { describe, expect, it } from 'vitest';
import { harness } from './storage-harness.ts';
import type { PrivateRuntime } from '../src/distribution/private.ts';

/** Where a blob's bytes travel: proxy loads the instance NIC, redirect loads the store's endpoint link. */
const F = 50e6;
const N = 8;

function serve(delivery: 'proxy' | 'redirect') {
  const h = harness({ kind: 'private', instances: 1, storage: { kind: 's3', delivery } });
  for (let i = 0; i < N; i++) h.get(i, 'layer', F, 3);
  h.sim.run({});
  const p = h.dist as PrivateRuntime;
  return { h, p };
}

describe('S3 blob delivery', () => {
  it('proxy: the bytes cross the store link and both directions of the instance NIC', () => {
    const { h, p } = serve('proxy');
    expect(h.net.linkBytes(p.storeOut)).toBeCloseTo(N * F, -1);
    expect(h.net.linkBytes(p.instanceNicUp[0])).toBeCloseTo(N * F, -1);
    expect(h.net.linkBytes(p.registryLinks[0])).toBeCloseTo(N * F, -1);
    expect(h.transfers.every((t) => t.source === 'private-registry')).toBe(true);
  });

  it('redirect: the bytes cross only the store link; the instance NIC carries nothing', () => {
    const { h, p } = serve('redirect');
    expect(h.net.linkBytes(p.storeOut)).toBeCloseTo(N * F, -1);
    expect(h.net.linkBytes(p.instanceNicUp[0])).toBe(0);
    expect(h.net.linkBytes(p.registryLinks[0])).toBe(0);
    expect(h.transfers.every((t) => t.source === 's3' && !t.crossZone && !t.viaNat)).toBe(true);
  });

  it('redirect costs the 307 round trip: a 1-byte blob on an open connection', () => {
    const time = (delivery: 'proxy' | 'redirect'): number => {
      const h = harness({ kind: 'private', instances: 1, requestRate: 1e9, storage: { kind: 's3', delivery, firstByte: '0s' } });
      let done = 0;
      // Same session for both requests: the second finds the registry (and, redirected, the store) connected.
      const session = { hosts: 0, server: -1 };
      h.dist.fetch({ kind: 'layer', node: 0, bytes: 1, digest: 1, session }, () => {
        const t0 = h.sim.now;
        h.dist.fetch({ kind: 'layer', node: 0, bytes: 1, digest: 1, session }, () => (done = h.sim.now - t0));
      });
      h.sim.run({});
      return done;
    };
    const proxy = time('proxy');
    const redirect = time('redirect');
    // One-way latencies: node ↔ store path 0.1 ms (rack + NIC), node ↔ instance path 0.15 ms (+ its NIC).
    // Proxy: request and response on the instance path (2 × 0.15 ms). Redirect: the 307's round trip, then
    // the GET and its response on the store path (4 × 0.1 ms). Processing (1 ms) is common to both.
    expect(proxy).toBeCloseTo(2 * 0.00015 + 0.001, 7); // + 1 B at 90 MB/s
    expect(redirect).toBeCloseTo(4 * 0.0001 + 0.001, 7); // + 1 B at 90 MB/s
  });

  it("a release's push lands on the store's ingress link as a multipart upload", () => {
    const h = harness({ kind: 'private', instances: 2, storage: { kind: 's3' } });
    const p = h.dist as PrivateRuntime;
    h.dist.layerPublished?.(0, 25 * 1024 * 1024);
    h.sim.run({});
    expect(h.net.linkBytes(p.storeIn)).toBeCloseTo(25 * 1024 * 1024, -1);
    expect(h.net.linkBytes(p.storeOut)).toBe(0);
    expect(p.stats.puts).toBe(3 + 2); // ceil(25 / 10) parts + initiate + complete
    expect(p.stats.pushedBytes).toBe(25 * 1024 * 1024);
  });
});
