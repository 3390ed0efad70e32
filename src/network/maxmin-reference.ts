/**
 * The reference max-min fair solver: progressive filling written for obviousness, not speed. It is the
 * oracle the fast component solver (maxmin.ts) is tested against; the simulator never calls it.
 *
 * Progressive filling: all unfrozen flows share one rate (the water level). Raise the level as far as it
 * can go before some link on an unfrozen flow's path is full or some unfrozen flow reaches its own cap;
 * freeze the flows on full links and the flows at their cap; repeat until every flow is frozen. The result
 * is the max-min fair allocation with per-flow caps (SimGrid's LMM with unit weights). With penalties, each
 * unfrozen flow runs at level / penalty instead (SimGrid's LMM with those penalties).
 */

export interface ReferenceFlow {
  /** Link ids the flow crosses; each link at most once. */
  path: readonly number[];
  /** Per-flow rate cap in bytes/s; Infinity for none. */
  cap: number;
  /** Weighted sharing: the flow runs at level / penalty while unfrozen (SimGrid's LMM penalty; default 1). */
  penalty?: number;
}

/** A link counts as full once its unused capacity is below this fraction of its capacity (rounding). */
const FULL = 1e-12;

/** Returns each flow's max-min fair rate (bytes/s). A flow with an empty path is limited only by its cap. */
export function solveMaxMinReference(
  linkCapacity: ArrayLike<number>,
  flows: readonly ReferenceFlow[],
): Float64Array {
  const rate = new Float64Array(flows.length);
  const frozen = new Array<boolean>(flows.length).fill(false);
  let unfrozen = flows.length;
  let level = 0;

  while (unfrozen > 0) {
    // How far the level can rise before a link fills or a flow reaches its cap.
    // In units of the level: a flow at level λ runs at λ / penalty.
    const before = linkUsage(linkCapacity.length, flows, rate, frozen);
    let step = Infinity;
    let bottleneck = -1;
    for (let l = 0; l < linkCapacity.length; l++) {
      if (before.waiting[l] === 0) continue;
      const share = (linkCapacity[l] - before.used[l]) / before.waiting[l];
      if (share < step) {
        step = share;
        bottleneck = l;
      }
    }
    for (let f = 0; f < flows.length; f++) {
      const p = flows[f].penalty ?? 1;
      if (!frozen[f] && flows[f].cap * p - level <= step) {
        step = flows[f].cap * p - level;
        bottleneck = -1;
      }
    }
    level += Math.max(0, step);
    for (let f = 0; f < flows.length; f++) if (!frozen[f]) rate[f] = Math.min(level / (flows[f].penalty ?? 1), flows[f].cap);

    // Freeze the flows at their cap and the flows crossing a link that is now full.
    const after = linkUsage(linkCapacity.length, flows, rate, frozen);
    const full = (l: number): boolean =>
      l === bottleneck || linkCapacity[l] - after.used[l] <= FULL * linkCapacity[l];
    for (let f = 0; f < flows.length; f++) {
      if (frozen[f]) continue;
      if (rate[f] >= flows[f].cap * (1 - FULL) || flows[f].path.some(full)) {
        frozen[f] = true;
        unfrozen--;
      }
    }
  }
  return rate;
}

/** Capacity used on each link by all flows, and Σ 1/penalty over the unfrozen flows crossing it (their count, unweighted). */
function linkUsage(
  links: number,
  flows: readonly ReferenceFlow[],
  rate: Float64Array,
  frozen: readonly boolean[],
): { used: Float64Array; waiting: Float64Array } {
  const used = new Float64Array(links);
  const waiting = new Float64Array(links);
  for (let f = 0; f < flows.length; f++) {
    for (const l of flows[f].path) {
      used[l] += rate[f];
      if (!frozen[f]) waiting[l] += 1 / (flows[f].penalty ?? 1);
    }
  }
  return { used, waiting };
}
