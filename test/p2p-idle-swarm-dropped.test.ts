/**
 * A blob's swarm is dropped once it has been idle for the seeder idle time (Kraken's seeder TTI, 5 min):
 * its peers stop seeding, so a later downloader gets the blob from the origins (which keep it and do not
 * fetch it from the upstream again), a node that still holds it is answered locally, and a node that left
 * meanwhile downloads it again. Before the idle time runs out the old peers still seed.
 */
import { describe, expect, it } from 'vitest';
import { harness } from './storage-harness.ts';
import type { P2PRuntime } from '../src/distribution/p2p.ts';

const F = 200e6;
const N = 8;

function run(lateAt: number) {
  const h = harness({ kind: 'p2p', preset: 'kraken', replicas: 1 }, { nodes: N });
  const p2p = h.dist as P2PRuntime;
  const doneAt = new Map<number, number>();
  const get = (i: number): void =>
    h.dist.fetch({ kind: 'layer', node: i, bytes: F, digest: 1, session: { hosts: 0, server: -1 } }, (ok) => {
      expect(ok).toBe(true);
      doneAt.set(i, h.sim.now);
    });
  // Nodes 0–4 pull at once; node 1 leaves once they are done; at lateAt node 5 (new) and node 0 (holds
  // it) pull; at 2 × lateAt node 1 (it left, so it lost the blob) and node 0 again.
  for (let i = 0; i < 5; i++) get(i);
  h.sim.call(lateAt / 2, () => p2p.nodeLeft(1));
  let atLate = 0;
  h.sim.call(lateAt, () => {
    atLate = h.transfers.length;
    doneAt.clear();
    for (const i of [5, 0]) get(i);
  });
  h.sim.call(2 * lateAt, () => {
    expect(doneAt.get(0)).toBe(lateAt);
    for (const i of [1, 0]) get(i);
  });
  h.sim.run({});
  const bySource = (node: number): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const t of h.transfers.slice(atLate)) if (t.node === node) out[t.source] = (out[t.source] ?? 0) + t.bytes;
    return out;
  };
  let upstream = 0;
  for (const l of h.dist.registryLinks) upstream += h.net.linkBytes(l);
  return { h, doneAt, bySource, upstream, lateAt };
}

describe('an idle P2P swarm is dropped after the seeder idle time', () => {
  it('after 5 min idle: the late downloaders get every piece from the origin, a holder is answered locally', () => {
    const r = run(1000);
    // Every round finished within seconds: the swarm was idle for > 5 min at 1000 s and at 2000 s.
    expect(r.doneAt.size).toBe(3);
    for (const i of [5, 1]) {
      const got = r.bySource(i);
      expect(Object.keys(got)).toEqual(['origin']);
      expect(got.origin).toBeGreaterThanOrEqual(F);
      expect(got.origin).toBeLessThan(1.15 * F);
    }
    // Node 0 still holds the blob: no byte moves for it, and it is done at once (twice).
    expect(r.bySource(0)).toEqual({});
    expect(r.doneAt.get(0)).toBe(2 * r.lateAt);
    // The origin fetched the blob from the upstream once (plus ECR's token dance, < 2 KB).
    expect(r.upstream).toBeGreaterThanOrEqual(F);
    expect(r.upstream).toBeLessThan(F + 2000);
    expect(r.h.net.activeFlows).toBe(0);
  });

  it('within the idle time: the old peers still seed the late downloaders', () => {
    const r = run(100);
    expect(r.doneAt.size).toBe(3);
    for (const i of [5, 1]) {
      const got = r.bySource(i);
      expect(got.peer).toBeGreaterThan(0);
      expect((got.peer ?? 0) + (got.origin ?? 0)).toBeGreaterThanOrEqual(F);
    }
    expect(r.bySource(0)).toEqual({});
    expect(r.upstream).toBeLessThan(F + 2000);
  });
});
