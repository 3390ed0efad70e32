/**
 * A peak-memory estimate of a batch, from the resolved scenario alone, made before the first run so a
 * scenario that cannot fit is refused in its first second (src/cli/memory-check.ts) instead of swapping or
 * being OOM-killed an hour later.
 *
 * The model is per run: what a node costs (its runtime, links, image and layer state, one record per pull),
 * plus, for P2P, what each node keeps per blob it joins the swarm of (peer state, piece bitfields; swarms
 * are kept for the whole run). A batch holds one run per worker at a time, so its peak is the process, plus
 * each worker's own heap and module graph, plus the largest runs running side by side, plus the results
 * kept for the report. The coefficients are fitted to the peak RSS (`/usr/bin/time -f %M`) of real runs;
 * README "Resource guards" lists measured against estimated. They describe this implementation, not a
 * law: re-measure them when a model's data structures change.
 */
import type { ResolvedScenario } from '../scenario/resolve.ts';
import type { RunConfig } from '../scenario/schema.ts';
import { pieceBytesFor } from '../distribution/p2p-pieces.ts';

const KB = 1e3;
const MB = 1e6;

/** Fitted coefficients (bytes). */
export const MEMORY_MODEL = {
  /** The main process with the CLI, the model and vega loaded (`pullsim validate` peaks at 155 MB). */
  process: 155 * MB,
  /** A worker thread's own heap, loader and module graph (`-j 2` vs `-j 1` on two tiny runs: +110 MB). */
  worker: 110 * MB,
  /** A run's working set that does not grow with the cluster (the heap grows in steps, not bytes). */
  run: 74 * MB,
  /** Per node: runtime, NIC links, flows and events in flight. */
  node: 25 * KB,
  /** Per node and image: the node's image state. */
  nodeImage: 0.4 * KB,
  /** Per node and layer it holds. */
  nodeLayer: 0.12 * KB,
  /** Per pull: its records (ready time, per-release counters). */
  pull: 0.2 * KB,
  /** P2P, per node and blob it joins a swarm for, and per piece of that blob (fitted per preset). */
  p2p: {
    kraken: { nodeBlob: 5 * KB, nodePiece: 0.03 * KB },
    dragonfly: { nodeBlob: 2.66 * KB, nodePiece: 2.74 * KB },
  },
  /** Each run's metrics and chart series, kept in the main thread for the report. */
  output: 50 * KB,
} as const;

export interface RunEstimate {
  bytes: number;
  nodes: number;
  pulls: number;
  /** Piece-level swarm entries (node × blob × pieces in flight, see estimateRun) for P2P, else 0. */
  swarmPieces: number;
}

/** The peak a single run adds to the thread running it. */
export function estimateRun(run: RunConfig): RunEstimate {
  const m = MEMORY_MODEL;
  const nodes = run.cluster.nodes + run.faults.nodes.reduce((n, c) => n + (c.join ?? 0), 0);
  const releases = Math.max(0, Math.ceil(run.duration / run.releases.every));
  const perRelease = run.releases.images ?? run.images.count;
  const cold = run.cluster.cache === 'cold';
  const pullsPerNode = releases * perRelease + (cold ? run.images.count : 0);
  // A node holds every layer of every image (warm), and one new layer per image version it pulls.
  const layersPerNode = run.images.count * run.images.layers + releases * perRelease;
  let perNode = m.node + run.images.count * m.nodeImage + layersPerNode * m.nodeLayer + pullsPerNode * m.pull;
  let swarmPieces = 0;
  if (run.distribution.kind === 'p2p') {
    const p2p = run.distribution.settings;
    const c = m.p2p[p2p.preset];
    const layerBytes = run.images.size / run.images.layers;
    // Piece state that costs memory is the pieces in flight on a node's connections, not every piece of
    // the blob: capped at two per connection (fitted: flash-crowd-1000's 30-piece layers against
    // dragonfly-2016's 200-piece blob, which costs no more per node).
    const cap = 2 * p2p.maxConnections;
    const pieces = (bytes: number) => Math.min(cap, Math.max(1, Math.ceil(bytes / pieceBytesFor(p2p.piecePolicy, bytes))));
    // Blobs a node joins a swarm for: every layer when it starts cold, then each release's new layer.
    const coldBlobs = cold ? run.images.count * run.images.layers : 0;
    const newBlobs = releases * perRelease;
    const piecesPerNode = coldBlobs * pieces(layerBytes) + newBlobs * pieces(run.releases.delta);
    perNode += (coldBlobs + newBlobs) * c.nodeBlob + piecesPerNode * c.nodePiece;
    swarmPieces = nodes * piecesPerNode;
  }
  return { bytes: m.run + nodes * perNode, nodes, pulls: nodes * pullsPerNode, swarmPieces };
}

export interface BatchEstimate {
  bytes: number;
  /** The largest run's estimate. */
  largest: RunEstimate;
  runs: number;
  threads: number;
  /** One line on where the bytes go, for the refusal message. */
  explain: string;
}

export interface BatchOptions {
  /** Worker threads the pool will use (1 = the main thread, no workers). */
  jobs: number;
  /** Runs per variant (default: each scenario's own, else 1). */
  replications?: number;
}

/** The batch's peak: process + workers + the `threads` largest runs at once + every run's output. */
export function estimateBatch(scenarios: readonly ResolvedScenario[], options: BatchOptions): BatchEstimate {
  const m = MEMORY_MODEL;
  const runs: RunEstimate[] = [];
  for (const s of scenarios) {
    const r = options.replications ?? s.replications ?? 1;
    for (const v of s.variants) {
      const e = estimateRun(v.run);
      for (let i = 0; i < r; i++) runs.push(e);
    }
  }
  const threads = Math.max(1, Math.min(options.jobs, runs.length));
  const workers = options.jobs > 1 && runs.length > 1 ? threads : 0;
  const bySize = [...runs].sort((a, b) => b.bytes - a.bytes);
  const concurrent = bySize.slice(0, threads).reduce((sum, r) => sum + r.bytes, 0);
  const bytes = m.process + workers * m.worker + concurrent + runs.length * m.output;
  const largest = bySize[0] ?? { bytes: 0, nodes: 0, pulls: 0, swarmPieces: 0 };
  const parts = [
    `${runs.length} run${runs.length === 1 ? '' : 's'} on ${threads} thread${threads === 1 ? '' : 's'}`,
    `the largest ~${(largest.bytes / 1e9).toFixed(1)} GB (${largest.nodes.toLocaleString('en-US')} nodes, ${largest.pulls.toLocaleString('en-US')} pulls${
      largest.swarmPieces > 0 ? `, ${largest.swarmPieces.toLocaleString('en-US')} swarm pieces` : ''
    })`,
  ];
  return { bytes, largest, runs: runs.length, threads, explain: parts.join(', ') };
}
