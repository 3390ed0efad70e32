/**
 * Issue 4's churn acceptance on the P2P side: a peer leaving mid-transfer never loses a piece. The peers it
 * was uploading to re-source what it owed them (from the rest of the swarm or the origin) and complete;
 * the leaver sends and receives nothing after it left.
 */
import { describe, expect, it } from 'vitest';
import { harness } from './storage-harness.ts';
import type { P2PRuntime } from '../src/distribution/p2p.ts';

const F = 200e6;
const N = 20;
const LEAVERS = [0, 1, 2, 3, 4];

function crowd(distribution: Record<string, unknown>, LEAVE_AT: number) {
  // One origin whose upload is capped well below the swarm's: most pieces must come from peers.
  const h = harness({ kind: 'p2p', preheat: true, replicas: 1, originUploadLimit: '200 MB/s', ...distribution }, { nodes: N });
  const p2p = h.dist as P2PRuntime;
  const doneAt = new Map<number, number>();
  const failed: number[] = [];
  for (let i = 0; i < N; i++)
    h.dist.fetch({ kind: 'layer', node: i, bytes: F, digest: 1, session: { hosts: 0, server: -1 } }, (ok) => {
      if (ok) doneAt.set(i, h.sim.now);
      else failed.push(i);
    });
  let uploadedBefore: number[] = [];
  let incompleteAtLeave = 0;
  h.sim.call(LEAVE_AT, () => {
    uploadedBefore = LEAVERS.map((k) => h.net.linkBytes(h.world.topo.nicUp[k]));
    incompleteAtLeave = N - doneAt.size;
    for (const k of LEAVERS) p2p.nodeLeft(k);
  });
  const transfersBefore = (): number => h.transfers.length;
  let atLeave = 0;
  h.sim.call(LEAVE_AT, () => (atLeave = transfersBefore()));
  h.sim.run({});
  const received = new Float64Array(N);
  for (const t of h.transfers) received[t.node] += t.bytes;
  return { h, doneAt, failed, uploadedBefore, incompleteAtLeave, received, after: h.transfers.slice(atLeave), leaveAt: LEAVE_AT };
}

describe('a P2P peer leaving mid-transfer', () => {
  // Leave times about halfway through each preset's undisturbed download (kraken ≈ 0.7 s, dragonfly ≈ 1.3 s:
  // its seed serves one piece per connection at a time, so the first pieces land after ≈ 0.42 s).
  it.each([
    ['kraken', { preset: 'kraken' }, 0.4],
    ['kraken, local-fair-share bandwidth model', { preset: 'kraken', bandwidthModel: 'local-fair-share' }, 0.4],
    ['dragonfly (a per-download piece budget)', { preset: 'dragonfly', backToSource: 'off' }, 0.8],
  ])('%s: every remaining downloader re-sources and completes with every byte', (_name, d, leaveAt) => {
    const r = crowd(d, leaveAt);
    // The local model moves pieces outside the network, so link counters see them only in the exact model.
    const exact = !('bandwidthModel' in d);
    // It was mid-transfer: nobody had finished, and the leavers had been uploading.
    expect(r.incompleteAtLeave).toBe(N);
    if (exact) for (const b of r.uploadedBefore) expect(b).toBeGreaterThan(0);
    expect(r.failed).toEqual([]);
    for (let i = 0; i < N; i++) {
      if (LEAVERS.includes(i)) {
        expect(r.doneAt.has(i)).toBe(false);
        continue;
      }
      expect(r.doneAt.get(i)).toBeGreaterThan(r.leaveAt);
      // Every piece arrived at least once (endgame duplicates add a few, as in the other swarm tests).
      expect(r.received[i]).toBeGreaterThanOrEqual(F);
      expect(r.received[i]).toBeLessThan(1.15 * F);
    }
    // After leaving, nothing is delivered to a leaver and it uploads nothing more.
    expect(r.after.some((t) => LEAVERS.includes(t.node))).toBe(false);
    if (exact) LEAVERS.forEach((k, i) => expect(r.h.net.linkBytes(r.h.world.topo.nicUp[k])).toBeCloseTo(r.uploadedBefore[i], 0));
    // No flow is left behind.
    expect(r.h.net.activeFlows).toBe(0);
  });

  it('a node that left and comes back joins as an empty peer and completes', () => {
    const h = harness({ kind: 'p2p', preset: 'kraken', preheat: true, replicas: 1 }, { nodes: 6 });
    const p2p = h.dist as P2PRuntime;
    const done: number[] = [];
    const get = (i: number): void =>
      h.dist.fetch({ kind: 'layer', node: i, bytes: F, digest: 1, session: { hosts: 0, server: -1 } }, (ok) => ok && done.push(i));
    for (let i = 0; i < 6; i++) get(i);
    h.sim.call(0.05, () => p2p.nodeLeft(5));
    h.sim.call(1, () => get(5));
    h.sim.run({});
    expect(done.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    let fiveGot = 0;
    for (const t of h.transfers) if (t.node === 5) fiveGot += t.bytes;
    // Everything it had before leaving was lost with it: it downloaded the whole blob again.
    expect(fiveGot).toBeGreaterThanOrEqual(F + 1);
  });
});
