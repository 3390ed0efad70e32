/**
 * A run's expected kernel events, from the scenario's numbers alone (run-shape.ts), so the pool can start
 * the longest runs first. It only orders runs: an estimate that is off costs balance, never a result.
 *
 * Events ≈ nodes × (pulls × PER_PULL[strategy] + layers fetched × PER_LAYER + P2P pieces × PER_PIECE).
 * Rounded from the bundled scenarios' `events` (README, scenarios/): a warm hosted pull of one delta
 * layer costs 7–8 events (ECR, Docker Hub), a private registry's 12.5–13 (its request queue and storage
 * reads), a pull-through mirror's 8.5–11.5, P2P's 13–14 plus 2.5–4.5 per piece transfer (Kraken's
 * 1,000-node crowd: 707 per node for 270 pieces). Retries under rate limits (seed-dockerhub-nat's
 * anonymous plan: 87 per pull) are not foreseen.
 */
import type { RunConfig } from '../scenario/schema.ts';
import { runShape } from './run-shape.ts';

export const WORK_MODEL = {
  perPull: { hosted: 6, private: 11, mirror: 8, p2p: 11 },
  perLayer: 2,
  perPiece: 3,
} as const;

export function estimateWork(run: RunConfig): number {
  const s = runShape(run);
  const m = WORK_MODEL;
  const pieces = s.coldBlobs * s.piecesPerLayer + s.releases * s.perRelease * s.piecesPerDelta;
  return s.nodes * (s.pullsPerNode * m.perPull[run.distribution.kind] + s.layersPerNode * m.perLayer + pieces * m.perPiece);
}

/**
 * Task indices, largest estimate first (ties in task order): dispatched in this order, the long runs do
 * not start last and leave one thread working while the others idle (longest-processing-time first).
 */
export function largestFirst(runs: readonly RunConfig[]): number[] {
  const work = runs.map(estimateWork);
  return runs.map((_, i) => i).sort((a, b) => work[b] - work[a] || a - b);
}
