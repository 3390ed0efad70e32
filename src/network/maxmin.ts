/**
 * The fast max-min fair solver the simulator uses: progressive filling over one or more connected
 * components of the flow/link graph, with per-flow caps.
 *
 * Instead of raising a water level and rescanning every link each round (O(L·F) per round, as the
 * reference does), it keeps each link's fair share — unallocated capacity / unfrozen flows — in a min-heap
 * and capped flows in a second heap ordered by cap. The smallest of the two is the next bottleneck: freeze
 * its flows at that level, take their rate off every other link on their paths, repeat. Each flow is
 * frozen once and each (flow, link) pair is touched once; a link's heap key is refreshed only when it
 * reaches the top (see nextLinkShare), so a solve costs O(P·F·log L) at worst for F flows of path length P.
 */
import { IndexedMinHeap } from './heap.ts';
import { typedArraysReassigned } from '../stable-arrays.ts';
import type { ReferenceFlow } from './maxmin-reference.ts';

/** The flow and link tables the solver reads. The network passes its live tables (no copying). */
export interface SharingTables {
  /** Capacity available to flows on each link, bytes/s. */
  linkCapacity: Float64Array;
  /** Flows crossing each link: linkFlows[l][0 .. linkFlowCount[l]). */
  linkFlows: Int32Array[];
  linkFlowCount: Int32Array;
  /** Links each flow crosses: flowPath[f][0 .. flowPathLength[f]). */
  flowPath: Int32Array[];
  flowPathLength: Int32Array;
  /** Per-flow rate cap, bytes/s; Infinity for none. */
  flowCap: Float64Array;
  /**
   * Weighted sharing (SimGrid's LMM penalties): per flow, the penalty p > 0 it shares with — unfrozen flows
   * run at level / p, so a link's flows split it in proportion to 1/p. Absent: every flow's is 1 (plain
   * max-min).
   */
  flowPenalty?: Float64Array;
  /**
   * Open solves only: per link, Σ rate and count of the flows on it that are held at their rates rather
   * than solved (SharingGraph.collect with a floor fills them in).
   */
  linkHeldRate?: Float64Array;
  linkHeldCount?: Int32Array;
}

/**
 * Test-only: PULLSIM_BENCH_SLOWDOWN=N makes every solve run N extra times (same result), a deliberate
 * regression with which a test proves that `pullsim bench --baseline` fails (issue 6). Read once.
 */
const SLOWDOWN = benchSlowdown(typeof process === 'undefined' ? undefined : process.env.PULLSIM_BENCH_SLOWDOWN);

/** Spare capacity, relative, below which a shared link counts as contended (see allAtDemand). */
const UNCONTENDED = 1e-9;

export function benchSlowdown(value: string | undefined): number {
  const n = value === undefined ? 0 : Number(value);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

export class MaxMinSolver {
  // Scratch state, indexed by link or flow id and reused across solves (no allocation per solve).
  private unallocated = new Float64Array(0);
  private unfrozen = new Int32Array(0);
  /** Weighted solves: per link, Σ 1/penalty over its unfrozen flows. */
  private unfrozenWeight = new Float64Array(0);
  private frozen = new Uint8Array(0);
  private readonly linkHeap = new IndexedMinHeap();
  private readonly capHeap = new IndexedMinHeap();
  private level = 0;

  constructor() {
    // The scratch grows by replacement with the largest component solved.
    typedArraysReassigned(this, ['unallocated', 'unfrozen', 'unfrozenWeight', 'frozen']);
  }

  /**
   * Writes the max-min fair rate of `flows[0 .. flowCount)` into `rate` (indexed by flow id).
   * `links[0 .. linkCount)` must be all the links those flows cross. Closed (`open` false): every flow
   * crossing those links is in the set — a union of whole components is fine, max-min fairness decomposes
   * over components. Open: the links also carry flows outside the set, held at their current rates, whose
   * sum and count per link are `t.linkHeldRate` / `t.linkHeldCount`; the set's flows share what those
   * leave (the allocation is the max-min one when the held flows' rates are already final, see
   * Network.solve). With `bottleneck`, each solved flow's bottleneck is written there too: the link whose
   * filling froze it, or -1 where its cap did (or it has no link).
   */
  solve(
    t: SharingTables,
    flows: ArrayLike<number>,
    flowCount: number,
    links: ArrayLike<number>,
    linkCount: number,
    rate: Float64Array,
    open = false,
    bottleneck?: Int32Array,
  ): void {
    this.bottleneck = bottleneck;
    if (t.flowPenalty !== undefined) {
      // Nothing contended: every flow at its demand, whatever the weights (see allAtDemand).
      if (open || !this.allAtDemand(t, flows, flowCount, links, linkCount, rate)) this.fillWeighted(t, t.flowPenalty, flows, flowCount, links, linkCount, rate, open);
      this.bottleneck = undefined;
      return;
    }
    for (let extra = 0; extra < SLOWDOWN; extra++) this.fill(t, flows, flowCount, links, linkCount, rate, open);
    if (open || !this.allAtDemand(t, flows, flowCount, links, linkCount, rate)) this.fill(t, flows, flowCount, links, linkCount, rate, open);
    this.bottleneck = undefined;
  }

  /** Where solve() writes bottlenecks, if anywhere. */
  private bottleneck: Int32Array | undefined;

  /**
   * The common case where nothing is contended: every flow can run at its demand — its cap, or the
   * capacity of its slowest link — with room to spare on every link it shares. Then that is the max-min
   * allocation (no flow can go faster: it is at its cap, or alone on a full link), found in O(Σ path)
   * without heaps; true if so (rates written), false (nothing meaningful written) if some link is
   * contended. The rates are the very floats progressive filling gives here (a cap, or a lone flow's link
   * capacity ÷ 1); links filled to within UNCONTENDED of capacity go to filling, so rounding in the sums
   * cannot decide a near tie differently from it.
   */
  private allAtDemand(
    t: SharingTables,
    flows: ArrayLike<number>,
    flowCount: number,
    links: ArrayLike<number>,
    linkCount: number,
    rate: Float64Array,
  ): boolean {
    this.reserve(t.linkCapacity.length, t.flowCap.length);
    const spare = this.unallocated;
    for (let i = 0; i < linkCount; i++) {
      const l = links[i];
      spare[l] = t.linkCapacity[l];
    }
    for (let i = 0; i < flowCount; i++) {
      const f = flows[i];
      const path = t.flowPath[f];
      const len = t.flowPathLength[f];
      const b = demandLink(t, f);
      const d = demandOf(t, f, b);
      if (d === Infinity) return false; // no cap and no links: filling's special case
      rate[f] = d;
      if (this.bottleneck !== undefined) this.bottleneck[f] = b;
      // Spare capacity only shrinks as flows are added, so the first shared link to fill decides.
      for (let k = 0; k < len; k++) {
        const l = path[k];
        spare[l] -= d;
        if (spare[l] < UNCONTENDED * t.linkCapacity[l] && t.linkFlowCount[l] > 1) return false;
      }
    }
    return true;
  }

  private fill(
    t: SharingTables,
    flows: ArrayLike<number>,
    flowCount: number,
    links: ArrayLike<number>,
    linkCount: number,
    rate: Float64Array,
    open: boolean,
  ): void {
    this.reserve(t.linkCapacity.length, t.flowCap.length);
    const { linkHeap, capHeap, unallocated, unfrozen, frozen } = this;
    // Performance: entries left over by the last solve (links still in the heap once every flow was
    // frozen, capped flows frozen through a link) are dropped in bulk here, never popped one by one.
    linkHeap.clear();
    capHeap.clear();
    this.level = 0;

    // Held flows (open solves) are frozen already: every flow outside a solve is (see reserve).
    const heldRate = open ? (t.linkHeldRate as Float64Array) : undefined;
    const heldCount = open ? (t.linkHeldCount as Int32Array) : undefined;
    for (let i = 0; i < linkCount; i++) {
      const l = links[i];
      let n = t.linkFlowCount[l];
      unallocated[l] = t.linkCapacity[l];
      if (heldRate !== undefined) {
        unallocated[l] -= heldRate[l];
        n -= (heldCount as Int32Array)[l];
      }
      unfrozen[l] = n;
      if (n > 0) linkHeap.append(l, unallocated[l] / n);
    }
    let left = 0; // flows not frozen yet
    for (let i = 0; i < flowCount; i++) {
      const f = flows[i];
      frozen[f] = 0;
      left++;
      if (t.flowCap[f] < Infinity) capHeap.append(f, t.flowCap[f]);
      else if (t.flowPathLength[f] === 0) {
        rate[f] = Infinity;
        frozen[f] = 1;
        if (this.bottleneck !== undefined) this.bottleneck[f] = -1;
        left--;
      }
    }
    linkHeap.heapify();
    capHeap.heapify();

    while (left > 0) {
      const linkShare = this.nextLinkShare();
      while (capHeap.size > 0 && frozen[capHeap.peek()] === 1) capHeap.pop(); // lazily dropped, see freeze
      if (capHeap.size > 0 && capHeap.peekKey() <= linkShare) {
        // A flow reaches its own cap before any of its links fills.
        const f = capHeap.pop();
        this.level = t.flowCap[f];
        this.freeze(t, f, -1, rate);
        left--;
      } else if (linkHeap.size > 0) {
        // A link fills: every unfrozen flow on it stops at the current level.
        this.level = Math.max(this.level, linkShare);
        const l = linkHeap.pop();
        const members = t.linkFlows[l];
        for (let k = t.linkFlowCount[l] - 1; k >= 0; k--) {
          const f = members[k];
          if (frozen[f] === 0) {
            this.freeze(t, f, l, rate);
            left--;
          }
        }
        unfrozen[l] = 0;
      } else {
        throw new Error(`internal: max-min solve stalled with ${left} flows unfrozen`);
      }
    }
  }

  /**
   * Progressive filling with penalties (SimGrid's LMM): the level λ rises, each unfrozen flow f runs at
   * λ / p_f; a link fills at λ = unallocated / Σ 1/p over its unfrozen flows, a capped flow stops at
   * λ = cap · p. The same two heaps as fill(), in units of λ; stale link keys stay lower bounds for the
   * same reason ((U − λ/p)/(W − 1/p) ≥ U/W when U/W ≥ λ). Closed, every flow on the links is in
   * the set, or, open, the others are held at their rates (t.linkHeldRate), as in fill().
   */
  private fillWeighted(
    t: SharingTables,
    penalty: Float64Array,
    flows: ArrayLike<number>,
    flowCount: number,
    links: ArrayLike<number>,
    linkCount: number,
    rate: Float64Array,
    open: boolean,
  ): void {
    this.reserve(t.linkCapacity.length, t.flowCap.length);
    const { linkHeap, capHeap, unallocated, unfrozen, unfrozenWeight, frozen } = this;
    linkHeap.clear();
    capHeap.clear();
    let level = 0;
    const heldRate = open ? (t.linkHeldRate as Float64Array) : undefined;
    for (let i = 0; i < linkCount; i++) {
      const l = links[i];
      unallocated[l] = heldRate === undefined ? t.linkCapacity[l] : t.linkCapacity[l] - heldRate[l];
      unfrozen[l] = 0;
      unfrozenWeight[l] = 0;
    }
    let left = 0;
    for (let i = 0; i < flowCount; i++) {
      const f = flows[i];
      const path = t.flowPath[f];
      const len = t.flowPathLength[f];
      if (len === 0 && !(t.flowCap[f] < Infinity)) {
        rate[f] = Infinity;
        if (this.bottleneck !== undefined) this.bottleneck[f] = -1;
        continue;
      }
      frozen[f] = 0;
      left++;
      for (let k = 0; k < len; k++) {
        unfrozen[path[k]]++;
        unfrozenWeight[path[k]] += 1 / penalty[f];
      }
      if (t.flowCap[f] < Infinity) capHeap.append(f, t.flowCap[f] * penalty[f]);
    }
    for (let i = 0; i < linkCount; i++) {
      const l = links[i];
      if (unfrozen[l] > 0) linkHeap.append(l, unallocated[l] / unfrozenWeight[l]);
    }
    linkHeap.heapify();
    capHeap.heapify();
    const freeze = (f: number, filled: number, r: number): void => {
      rate[f] = r;
      if (this.bottleneck !== undefined) this.bottleneck[f] = filled;
      frozen[f] = 1;
      const path = t.flowPath[f];
      for (let k = t.flowPathLength[f] - 1; k >= 0; k--) {
        const m = path[k];
        if (m === filled) continue;
        unallocated[m] -= r;
        unfrozenWeight[m] -= 1 / penalty[f];
        unfrozen[m]--;
      }
    };
    while (left > 0) {
      // The next link to fill, its key brought up to date (see nextLinkShare).
      let share = Infinity;
      while (linkHeap.size > 0) {
        const l = linkHeap.peek();
        if (unfrozen[l] === 0) {
          linkHeap.pop();
          continue;
        }
        const s = Math.max(level, unallocated[l] / unfrozenWeight[l]);
        if (s === linkHeap.key(l)) {
          share = s;
          break;
        }
        linkHeap.set(l, s);
      }
      while (capHeap.size > 0 && frozen[capHeap.peek()] === 1) capHeap.pop();
      if (capHeap.size > 0 && capHeap.peekKey() <= share) {
        const f = capHeap.pop();
        level = Math.max(level, t.flowCap[f] * penalty[f]);
        freeze(f, -1, t.flowCap[f]);
        left--;
      } else if (linkHeap.size > 0) {
        level = Math.max(level, share);
        const l = linkHeap.pop();
        const members = t.linkFlows[l];
        for (let k = t.linkFlowCount[l] - 1; k >= 0; k--) {
          const f = members[k];
          if (frozen[f] === 0) {
            freeze(f, l, level / penalty[f]);
            left--;
          }
        }
        unfrozen[l] = 0;
      } else {
        throw new Error(`internal: weighted max-min solve stalled with ${left} flows unfrozen`);
      }
    }
  }

  /**
   * The fair share of the link that fills next (Infinity if none). Performance: freezing a flow at the
   * level never lowers the share of the other links on its path ((U − λ)/(n − 1) ≥ U/n when U/n ≥ λ), so
   * heap keys are left stale as lower bounds and brought up to date only when a link reaches the top.
   */
  private nextLinkShare(): number {
    const heap = this.linkHeap;
    while (heap.size > 0) {
      const l = heap.peek();
      const n = this.unfrozen[l];
      if (n === 0) {
        heap.pop();
        continue;
      }
      // max(): rounding can put a share a hair below the level; max-min shares never fall below it.
      const share = Math.max(this.level, this.unallocated[l] / n);
      if (share === heap.key(l)) return share;
      heap.set(l, share);
    }
    return Infinity;
  }

  /** Fixes flow `f` at the current level and takes its rate off the other links on its path. */
  private freeze(t: SharingTables, f: number, filledLink: number, rate: Float64Array): void {
    const r = this.level;
    rate[f] = r;
    if (this.bottleneck !== undefined) this.bottleneck[f] = filledLink;
    this.frozen[f] = 1; // stays in capHeap if capped: popped and skipped later, cheaper than a removal now
    const path = t.flowPath[f];
    for (let i = t.flowPathLength[f] - 1; i >= 0; i--) {
      const m = path[i];
      if (m === filledLink) continue;
      this.unallocated[m] -= r;
      this.unfrozen[m]--;
    }
  }

  private reserve(links: number, flows: number): void {
    this.linkHeap.ensureCapacity(links);
    this.capHeap.ensureCapacity(flows);
    if (this.unallocated.length < links) {
      this.unallocated = new Float64Array(links);
      this.unfrozen = new Int32Array(links);
      this.unfrozenWeight = new Float64Array(links);
    }
    // Between solves every flow is frozen (a fill ends only once all its flows are): an open solve relies
    // on it to pass held flows over.
    if (this.frozen.length < flows) this.frozen = new Uint8Array(flows).fill(1);
  }
}

/**
 * What limits flow f alone: its slowest link, or -1 where its cap is no higher (or it has no link). Its
 * demand, the rate it would take alone, is that link's capacity or its cap (demandOf); a flow running at
 * its demand has this as its bottleneck.
 */
export function demandLink(t: SharingTables, f: number): number {
  const path = t.flowPath[f];
  let d = t.flowCap[f];
  let link = -1;
  for (let k = t.flowPathLength[f] - 1; k >= 0; k--) {
    const c = t.linkCapacity[path[k]];
    if (c < d) {
      d = c;
      link = path[k];
    }
  }
  return link;
}

/** Flow f's demand given its demandLink. */
export function demandOf(t: SharingTables, f: number, link: number): number {
  return link < 0 ? t.flowCap[f] : t.linkCapacity[link];
}

/** Builds solver tables for a standalone problem (tests and benchmarks); the network keeps its own. */
export function buildSharingTables(
  linkCapacity: ArrayLike<number>,
  flows: readonly ReferenceFlow[],
): SharingTables {
  const links = linkCapacity.length;
  const linkFlowCount = new Int32Array(links);
  for (const flow of flows) for (const l of flow.path) linkFlowCount[l]++;
  const linkFlows = Array.from(linkFlowCount, (n) => new Int32Array(n));
  const fill = new Int32Array(links);
  flows.forEach((flow, f) => {
    for (const l of flow.path) linkFlows[l][fill[l]++] = f;
  });
  return {
    linkCapacity: Float64Array.from(linkCapacity),
    linkFlows,
    linkFlowCount,
    flowPath: flows.map((flow) => Int32Array.from(flow.path)),
    flowPathLength: Int32Array.from(flows, (flow) => flow.path.length),
    flowCap: Float64Array.from(flows, (flow) => flow.cap),
    ...(flows.some((flow) => flow.penalty !== undefined) ? { flowPenalty: Float64Array.from(flows, (flow) => flow.penalty ?? 1) } : {}),
  };
}

/** Solves a standalone problem with the fast solver; same contract as solveMaxMinReference. */
export function solveMaxMin(linkCapacity: ArrayLike<number>, flows: readonly ReferenceFlow[]): Float64Array {
  const t = buildSharingTables(linkCapacity, flows);
  const rate = new Float64Array(flows.length);
  const all = Int32Array.from(flows, (_, f) => f);
  const links = Int32Array.from(linkCapacity as ArrayLike<unknown>, (_, l) => l);
  new MaxMinSolver().solve(t, all, flows.length, links, links.length, rate);
  return rate;
}
