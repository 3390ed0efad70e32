/**
 * P2P completion against the Kumar–Ross lower bound D ≥ max{F/u_s, F/d_min, N·F/(u_s + Σu_i)} (FACTS.md §2):
 * never below it, and close to it for a homogeneous flash crowd with small pieces.
 */
import { describe, expect, it } from 'vitest';
import { simulateRun } from '../src/simulate.ts';
import { P2P_PRESETS } from '../src/distribution/p2p-config.ts';
import { kumarRoss, p2pRun } from './p2p-helpers.ts';

const NIC = 10e9 / 8;
const kraken = P2P_PRESETS.kraken;

/** The bound for a run with the Kraken preset's per-host limits and `replicas` preheated origins. */
function krakenBound(F: number, N: number, originBps: number, replicas = kraken.replicas, download = kraken.downloadBps): number {
  return kumarRoss(F, N, replicas * originBps, Math.min(NIC, kraken.uploadBps), Math.min(NIC, download));
}

describe('P2P completion vs the Kumar–Ross bound', () => {
  it.each([
    { name: 'server-bound: one slow origin', N: 30, originNic: '1 Gbit/s', replicas: 1, download: undefined },
    { name: 'download-bound: tight per-host download limit', N: 20, originNic: '10 Gbit/s', replicas: 3, download: '100 MB/s' },
    { name: 'swarm-bound: 60 nodes', N: 60, originNic: '10 Gbit/s', replicas: 3, download: undefined },
    { name: 'tiny swarm', N: 2, originNic: '10 Gbit/s', replicas: 1, download: undefined },
  ])('is never below the bound ($name)', ({ N, originNic, replicas, download }) => {
    const F = 200e6;
    const m = simulateRun(
      p2pRun({
        nodes: N,
        size: '200 MB',
        distribution: { kind: 'p2p', preset: 'kraken', preheat: true, originNic, replicas, ...(download ? { downloadLimit: download } : {}) },
      }),
    );
    const originBps = originNic === '1 Gbit/s' ? 1e9 / 8 : NIC;
    const bound = krakenBound(F, N, originBps, replicas, download ? 100e6 : kraken.downloadBps);
    expect(m.pulls_failed).toBe(0);
    expect(m.rollout_s.max).toBeGreaterThanOrEqual(bound);
    // Every node got the whole blob; endgame duplicates (the last ≤ 3 pieces asked of several peers) are
    // real bytes on the wire, so a little more than N·F crosses.
    expect(m.layer_bytes).toBeGreaterThanOrEqual(N * F);
    expect(m.layer_bytes).toBeLessThan(1.15 * N * F);
  });

  it('exact model, 100 nodes × 1 GB, 4 MiB pieces: within 1.5× of the bound', () => {
    const F = 1e9;
    const N = 100;
    const m = simulateRun(p2pRun({ nodes: N, size: '1 GB', distribution: { kind: 'p2p', preset: 'kraken', preheat: true } }));
    const bound = krakenBound(F, N, NIC);
    expect(m.rollout_s.max).toBeGreaterThanOrEqual(bound);
    expect(m.rollout_s.max / bound).toBeLessThan(1.5);
  });

  it('1,000 homogeneous nodes × 1 GB, 4 MiB pieces (local-fair-share model): within 1.5× of the bound', () => {
    // The exact model takes about 14 minutes here on a 2-core machine (measured: 822 s, 764,748 events,
    // completion 6.24 s = 1.33× the bound); the local model gives 6.30 s (+1 %) in about 3 s.
    const F = 1e9;
    const N = 1000;
    const m = simulateRun(
      p2pRun({ nodes: N, size: '1 GB', distribution: { kind: 'p2p', preset: 'kraken', preheat: true, bandwidthModel: 'local-fair-share' } }),
    );
    const bound = krakenBound(F, N, NIC);
    expect(m.rollout_s.max).toBeGreaterThanOrEqual(bound);
    expect(m.rollout_s.max / bound).toBeLessThan(1.5);
    // Endgame duplicates are real bytes on the wire: a little above N·F, never below.
    expect(m.layer_bytes).toBeGreaterThanOrEqual(N * F);
    expect(m.layer_bytes).toBeLessThan(1.05 * N * F);
    // The swarm, not the origins, carries the crowd: origins send a few copies, peers the rest.
    expect(m.ingress_by_source_bytes.peer).toBeGreaterThan(0.95 * N * F);
  });
});
