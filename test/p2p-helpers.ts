/** Shared builders for the P2P tests: one image of one layer, so a release's delta is the whole blob. */
import { RunConfig } from '../src/scenario/schema.ts';

export interface P2PRunOptions {
  nodes: number;
  size: string;
  nic?: string;
  zones?: number;
  rackOversubscription?: number;
  seed?: number;
  distribution: Record<string, unknown>;
}

export function p2pRun(o: P2PRunOptions): RunConfig {
  return RunConfig.parse({
    seed: o.seed ?? 1,
    duration: '1h',
    cluster: {
      nodes: o.nodes,
      zones: o.zones ?? 1,
      nic: o.nic ?? '10 Gbit/s',
      rackOversubscription: o.rackOversubscription ?? 3,
      // Nothing to unpack: these tests measure distribution, and the bound is about bytes.
      unpack: '1000 GB/s',
    },
    images: { count: 1, size: o.size, layers: 1, multiArch: false },
    releases: { every: '2h', delta: o.size },
    distribution: o.distribution,
  });
}

/** Kumar–Ross lower bound max{F/u_s, F/d_min, N·F/(u_s + Σu_i)} (FACTS.md §2), bytes and bytes/s. */
export function kumarRoss(F: number, N: number, us: number, u: number, d: number): number {
  return Math.max(F / us, F / d, (N * F) / (us + N * u));
}
