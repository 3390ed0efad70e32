/**
 * How much a run does, counted from the scenario's numbers alone (no simulation): nodes, releases, pulls
 * and, for P2P, the pieces its swarms move. The memory estimate (memory-estimate.ts) and the work estimate
 * the pool orders runs by (work-estimate.ts) are both arithmetic on these counts.
 */
import type { RunConfig } from '../scenario/schema.ts';
import { pieceBytesFor } from '../distribution/p2p-pieces.ts';

export interface RunShape {
  /** Nodes, counting the spares node faults let join. */
  nodes: number;
  releases: number;
  /** Images each release publishes a new version of. */
  perRelease: number;
  /** Images a node pulls whole at t=0 (a cold cache), else 0. */
  coldPulls: number;
  pullsPerNode: number;
  /** Layers a node fetches over the run: every layer when it starts cold, then each version's new layer. */
  layersPerNode: number;
  /** P2P: blobs a node joins a swarm for when it starts cold (every layer), else 0. */
  coldBlobs: number;
  /** P2P: pieces of one whole layer and of one release's delta layer (0 for other strategies). */
  piecesPerLayer: number;
  piecesPerDelta: number;
}

export function runShape(run: RunConfig): RunShape {
  const nodes = run.cluster.nodes + run.faults.nodes.reduce((n, c) => n + (c.join ?? 0), 0);
  const releases = Math.max(0, Math.ceil(run.duration / run.releases.every));
  const perRelease = run.releases.images ?? run.images.count;
  const cold = run.cluster.cache === 'cold';
  const coldPulls = cold ? run.images.count : 0;
  const coldLayers = cold ? run.images.count * run.images.layers : 0;
  let coldBlobs = 0;
  let piecesPerLayer = 0;
  let piecesPerDelta = 0;
  if (run.distribution.kind === 'p2p') {
    const policy = run.distribution.settings.piecePolicy;
    const pieces = (bytes: number) => Math.max(1, Math.ceil(bytes / pieceBytesFor(policy, bytes)));
    coldBlobs = coldLayers;
    piecesPerLayer = pieces(run.images.size / run.images.layers);
    piecesPerDelta = pieces(run.releases.delta);
  }
  return {
    nodes,
    releases,
    perRelease,
    coldPulls,
    pullsPerNode: releases * perRelease + coldPulls,
    layersPerNode: coldLayers + releases * perRelease,
    coldBlobs,
    piecesPerLayer,
    piecesPerDelta,
  };
}
