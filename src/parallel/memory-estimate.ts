/**
 * A peak-memory estimate of a batch, from the resolved scenario alone, made before the first run so a
 * scenario that cannot fit is refused in its first second (src/cli/memory-check.ts) instead of swapping or
 * being OOM-killed an hour later, and so a run bigger than Node's default heap gets a worker with a bigger
 * one (src/parallel/pool.ts). Arithmetic on the scenario's numbers only: no simulation.
 *
 * The model is per run and per node, in two parts:
 * - What a node keeps for the whole run: its runtime, links and image state, a record per layer it holds
 *   and per pull.
 * - Release windows: each release's rollout has a working set (pulls in flight, their flows and events;
 *   for P2P the swarms of the blobs it publishes: peer records, connections, piece bitfields and piece
 *   transfers). A window's hosted part is garbage once its rollout is over; a P2P swarm is dropped after
 *   the seeder idle time (`p2p.seederIdle`: Kraken 5 min, so one release's swarms live at a time;
 *   Dragonfly 6 h, so four releases' swarms live at 2-hourly releases). Peak RSS is not the live set: the
 *   garbage collector lets dead windows pile up before a full collection. Fitted to peak RSS, the heap
 *   holds at most GC_WINDOWS_PER_LIVE windows per live one (V8 grows the old generation to a multiple of
 *   the live size between full collections), so a run's peak counts its largest
 *   min(releases, GC_WINDOWS_PER_LIVE × live windows) windows; the first window is the largest (with a
 *   cold cache it also carries every layer of every image).
 *
 * A batch holds one run per thread at a time, so its peak is the process, plus each worker's own heap and
 * module graph, plus the largest runs running side by side, plus what a thread's previous run left for the
 * collector, plus the results kept for the report. The
 * coefficients are fitted to the peak RSS (`/usr/bin/time -f %M`) of real runs by
 * bench/memory-calibration.ts; README "Resource guards" lists measured against estimated. They describe
 * this implementation and Node 20's collector, not a law: re-measure them when a model's data structures
 * change.
 */
import type { ResolvedScenario } from '../scenario/resolve.ts';
import type { RunConfig } from '../scenario/schema.ts';
import { runShape } from './run-shape.ts';
import { thousands } from '../report/thousands.ts';

const KB = 1e3;
const MB = 1e6;

/** Fitted: the heap holds the garbage of up to this many finished windows per live one (see the header). */
export const GC_WINDOWS_PER_LIVE = 4;

/** Fitted coefficients (bytes). */
export const MEMORY_MODEL = {
  /** The main process with the CLI, the model and vega loaded (`pullsim validate` peaks at 75 MB). */
  process: 75 * MB,
  /** A worker thread's own heap, loader and module graph (two 10-node runs: `-j 2` 130 MB, one run 96 MB). */
  worker: 40 * MB,
  /** A run's working set that does not grow with the cluster (a 100-node run peaks at 98 MB). */
  run: 25 * MB,
  /** Per node, for the whole run: runtime, NIC links, disk and its share of the topology. */
  node: 10 * KB,
  /** Per node and image: the node's image state. */
  nodeImage: 0.4 * KB,
  /** Per node and layer it holds. */
  nodeLayer: 0.1 * KB,
  /** Per pull, kept for the whole run: its records (ready time, per-release counters). */
  pull: 0.1 * KB,
  /** Per pull, in its release window: the pull in flight, its requests, flows and events. */
  pullWindow: 0.6 * KB,
  /** P2P, per node and blob in a window's swarms, and per piece of that blob (fitted per preset). */
  p2p: {
    kraken: { nodeBlob: 3.6 * KB, nodePiece: 0.15 * KB },
    dragonfly: { nodeBlob: 2.6 * KB, nodePiece: 0.15 * KB },
  },
  /** Per node and blob whose swarm was dropped: which nodes hold it (one byte each). */
  nodeBlobHeld: 1,
  /** Each run's metrics and chart series, kept in the main thread for the report. */
  output: 50 * KB,
} as const;

export interface RunEstimate {
  bytes: number;
  nodes: number;
  pulls: number;
  /** Piece-level swarm entries (node × blob × pieces in the counted windows) for P2P, else 0. */
  swarmPieces: number;
  /** Release windows counted at once (see the header): live windows and the garbage the heap keeps. */
  windows: number;
}

/** Release windows whose state is live at once: 1, or for P2P the releases within the seeder idle time. */
export function liveWindows(run: RunConfig, releases: number): number {
  if (run.distribution.kind !== 'p2p') return 1;
  return Math.max(1, Math.min(releases, Math.floor(run.distribution.settings.seederIdleS / run.releases.every) + 1));
}

/** The peak a single run adds to the thread running it. */
export function estimateRun(run: RunConfig): RunEstimate {
  const m = MEMORY_MODEL;
  const { nodes, releases, perRelease, coldPulls, pullsPerNode, coldBlobs, piecesPerLayer, piecesPerDelta } = runShape(run);
  // A node holds every layer of every image (warm), and one new layer per image version it pulls.
  const layersHeld = run.images.count * run.images.layers + releases * perRelease;
  const kept = m.node + run.images.count * m.nodeImage + layersHeld * m.nodeLayer + pullsPerNode * m.pull;

  // One window per release; the first also pulls the cold images (and their layers' swarms).
  let first = (perRelease + coldPulls) * m.pullWindow;
  let later = perRelease * m.pullWindow;
  let piecesFirst = 0;
  let piecesLater = 0;
  let blobsTotal = 0;
  if (run.distribution.kind === 'p2p') {
    const c = m.p2p[run.distribution.settings.preset];
    // Blobs a node joins a swarm for: every layer when it starts cold, then each release's new layer.
    piecesLater = perRelease * piecesPerDelta;
    piecesFirst = coldBlobs * piecesPerLayer + piecesLater;
    first += (coldBlobs + perRelease) * c.nodeBlob + piecesFirst * c.nodePiece;
    later += perRelease * c.nodeBlob + piecesLater * c.nodePiece;
    blobsTotal = coldBlobs + releases * perRelease;
  }
  // A cold start is a window even in a run too short for a release.
  const windowsInRun = Math.max(releases, coldPulls > 0 ? 1 : 0);
  const windows = Math.min(windowsInRun, GC_WINDOWS_PER_LIVE * liveWindows(run, windowsInRun));
  const perNode = kept + (windows > 0 ? first + (windows - 1) * later : 0) + blobsTotal * m.nodeBlobHeld;
  const swarmPieces = windows > 0 && blobsTotal > 0 ? nodes * (piecesFirst + (windows - 1) * piecesLater) : 0;
  return { bytes: m.run + nodes * perNode, nodes, pulls: nodes * pullsPerNode, swarmPieces, windows };
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

/**
 * The batch's peak: process + workers + the `threads` largest runs at once + the garbage of the runs
 * before them on the same threads + every run's output.
 */
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
  // A thread running a second run still holds the first one's garbage until the heap reaches the limit
  // the first one grew it to (flash-crowd-1000's four variants on one thread peak at Kraken's run plus
  // Dragonfly's): each thread with more than one run counts the next largest run's cluster part too.
  const previous = bySize.slice(threads, 2 * threads).reduce((sum, r) => sum + (r.bytes - m.run), 0);
  const bytes = m.process + workers * m.worker + concurrent + previous + runs.length * m.output;
  const largest = bySize[0] ?? { bytes: 0, nodes: 0, pulls: 0, swarmPieces: 0, windows: 0 };
  const parts = [
    `${runs.length} run${runs.length === 1 ? '' : 's'} on ${threads} thread${threads === 1 ? '' : 's'}`,
    `the largest ~${(largest.bytes / 1e9).toFixed(1)} GB (${thousands(largest.nodes)} nodes, ${thousands(largest.pulls)} pulls${
      largest.swarmPieces > 0 ? `, ${thousands(largest.swarmPieces)} swarm pieces` : ''
    })`,
  ];
  return { bytes, largest, runs: runs.length, threads, explain: parts.join(', ') };
}
