/**
 * A P2P tier's upstream is any registry strategy: origins are clients of a private registry (its storage
 * backend's delivery rules apply) or of a pull-through mirror (which coalesces what the origins and the
 * proxied metadata requests ask for), built from the same modules the nodes would use.
 */
import { describe, expect, it } from 'vitest';
import { harness } from './storage-harness.ts';
import { simulateRun } from '../src/simulate.ts';
import { RunConfig } from '../src/scenario/schema.ts';
import type { P2PRuntime } from '../src/distribution/p2p.ts';
import type { PrivateRuntime } from '../src/distribution/private.ts';

const F = 50e6;

describe('P2P upstreams', () => {
  it('private registry on S3 (redirect): each origin replica reads the blob from the store once; the instances carry none of it', () => {
    const h = harness({ kind: 'p2p', preset: 'kraken', replicas: 2, upstream: { kind: 'private', instances: 1, storage: { kind: 's3' } } }, { nodes: 12 });
    const up = (h.dist as P2PRuntime).upstream as PrivateRuntime;
    let done = 0;
    for (let i = 0; i < 12; i++) h.dist.fetch({ kind: 'layer', node: i, bytes: F, digest: 4, session: { hosts: 0, server: -1 } }, (ok) => ok && done++);
    h.sim.run({});
    expect(done).toBe(12);
    expect(h.net.linkBytes(up.storeOut)).toBeCloseTo(2 * F, -1);
    expect(h.net.linkBytes(up.instanceNicUp[0])).toBe(0);
    // The store's reads: the instance's first sight of the digest (link + stat), then the blob per origin.
    expect(up.stats.gets).toBe(2 + 2);
  });

  it('Dragonfly behind per-zone Harbor caches behind Docker Hub: each zone fetches a blob and a manifest once', () => {
    const m = simulateRun(
      RunConfig.parse({
        duration: '1h',
        cluster: { nodes: 30, zones: 3 },
        images: { count: 1, size: '500 MB', layers: 5, multiArch: false },
        releases: { every: '2h', delta: '50 MB' },
        distribution: {
          kind: 'p2p',
          preset: 'dragonfly',
          upstream: { kind: 'mirror', preset: 'harbor', placement: 'per-zone', upstream: { kind: 'hosted', preset: 'dockerhub', plan: 'team' } },
        },
      }),
    );
    expect(m.pulls_failed).toBe(0);
    // Three seed peers, one per zone, each filled by its zone's Harbor; the nodes' manifest and config
    // requests pass through dfdaemon to the same caches. Docker Hub sees three caches, once each: the
    // auth dance (150 B + 1,500 B), the tag HEAD (0 B), manifest 2 KB, config 6 KB and the 50 MB layer.
    expect(m.registry_egress_bytes).toBe(3 * (150 + 1500 + 0 + 2000 + 6000 + F));
    expect(m.internet_bytes).toBe(m.registry_egress_bytes);
    // Nodes got metadata from the caches (all at once: every request waited on the one fill) and the layer
    // from seeds and peers; nothing from Docker Hub itself.
    expect(Object.keys(m.ingress_by_source_bytes).sort()).toEqual(['mirror-miss', 'origin', 'peer']);
    expect(m.layer_bytes).toBeGreaterThanOrEqual(30 * F);
  });

  it('Kraken through a mirror: metadata and blobs come from the origin tier, which the mirror fills', () => {
    const m = simulateRun(
      RunConfig.parse({
        duration: '1h',
        cluster: { nodes: 10, zones: 1 },
        images: { count: 1, size: '500 MB', layers: 5, multiArch: false },
        releases: { every: '2h', delta: '50 MB' },
        distribution: {
          kind: 'p2p',
          preset: 'kraken',
          replicas: 1,
          upstream: { kind: 'mirror', preset: 'artifactory', placement: 'per-cluster', upstream: { kind: 'hosted', preset: 'ecr' } },
        },
      }),
    );
    expect(m.pulls_failed).toBe(0);
    // ECR answers the 401 challenge (150 B) with Basic credentials: no token body (access.ts).
    expect(m.registry_egress_bytes).toBe(150 + 0 + 2000 + 6000 + F);
    expect(Object.keys(m.ingress_by_source_bytes).sort()).toEqual(['origin', 'peer']);
  });
});
