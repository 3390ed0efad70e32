/**
 * Local re-solve: after a timestamp's changes, re-solve only the flows whose rates can move, found by
 * widening from the change until every flow left out is provably still at its max-min rate.
 *
 * An allocation is the max-min fair one iff every flow is at its cap or has a bottleneck: a saturated link
 * on which no flow is faster. The network remembers each flow's bottleneck (the link whose filling froze it
 * in the last solve, or -1 for its cap). Starting from the flows that must be solved (arrivals, dissolved
 * share groups) and the links that lost flows, a round solves the set with every other flow on its links
 * held at its rate (an open solve, maxmin.ts), then checks the flows that result could have broken:
 * - a solved flow whose bottleneck carries a held flow faster than it (that flow must give way): the
 *   faster held flows join the set;
 * - a held flow whose bottleneck is one of the set's links (or a link that lost a flow) and is no longer
 *   saturated, or now carries a solved flow faster than it: it joins the set.
 * Held flows whose bottleneck is elsewhere keep a valid bottleneck (nothing on that link changed), and
 * flows below the solve's floor never move (Network.solve), so they are never checked. When a round adds
 * nobody, every flow has a bottleneck again: that is the max-min allocation. A P2P piece event typically
 * moves a few dozen of a swarm's thousands of flows, and the set stays near that size.
 *
 * The checks allow VALID_EPS of the held flow's own rate (rounding in the load sums), so a flow is held
 * only when it is within that of its exact rate. After MAX_ROUNDS rounds the network falls back to
 * re-solving the change's whole connected component.
 *
 * Weighted sharing (SharingGraph.flowPenalty, SimGrid's CM02/LV08): the same with each flow's level,
 * rate × penalty, in place of its rate wherever flows are compared ("faster", the floor): a weighted
 * max-min allocation is the one where every flow is at its cap or has a saturated link on which no flow's
 * level is higher. Loads and capacities stay in rates.
 */
import { flowLevel as level, grow, type SharingGraph } from './graph.ts';
import type { MaxMinSolver } from './maxmin.ts';
import { typedArraysReassigned } from '../stable-arrays.ts';

/** Relative tolerance of the bottleneck checks, of the held flow's rate. */
export const VALID_EPS = 1e-11;
/** Widening rounds before the network falls back to a whole-component solve. */
export const MAX_ROUNDS = 16;

export class LocalSolve {
  /** The solved set, in the order it was taken in, and each flow's rate before the solve. */
  flows = new Int32Array(64);
  flowCount = 0;
  prevRate = new Float64Array(64);
  /** The set's links, and the links that lost flows. */
  links = new Int32Array(16);
  linkCount = 0;
  /** Rounds the last run took. */
  rounds = 0;
  /** The fastest held flow on the set's links in the last round (-Infinity if none). */
  heldMax = -Infinity;
  /** The last round held flows (false: the set was whole components). */
  open = false;

  /** Links [0, scanned) have their held flows summed; a flow taken in from among them is subtracted (hold). */
  private scanned = 0;
  private inSet = new Int32Array(64);
  private inLinks = new Int32Array(16);
  /** Position of each of the set's links in `links`. */
  private linkIndex = new Int32Array(16);
  private stamp = 0;
  /** The graph's penalties during a run (weighted sharing), else undefined: levels are rates. */
  private penalty: Float64Array | undefined = undefined;
  /** Per link, from the last scan: the fastest held flow, and the slowest held flow at or above the floor whose bottleneck it is (levels). */
  private linkHeldMax = new Float64Array(16);
  private bottleneckMin = new Float64Array(16);
  /** Per link, after a round's solve: its load and its fastest solved flow (a level). */
  private after = new Float64Array(16);
  private solvedMax = new Float64Array(16);

  constructor(
    private readonly g: SharingGraph,
    private readonly solver: MaxMinSolver,
    /** Called as a flow is taken into the set, before its rate is read: the network dissolves its share group. */
    private readonly takeIn: (f: number) => void,
  ) {
    // The set's tables grow by replacement mid-run, with the largest change solved so far.
    typedArraysReassigned(this, ['flows', 'prevRate', 'links', 'inSet', 'inLinks', 'linkIndex', 'linkHeldMax', 'bottleneckMin', 'after', 'solvedMax']);
  }

  /**
   * Solves the change seeded by `seedFlows` (must be solved) and `seedLinks` (lost flows), writing rates
   * and bottlenecks. False if it gave up: the set's old rates are put back (its bottlenecks may have been
   * rewritten, and share groups met on the way dissolved), and `flows` / `links` are what the caller's
   * fallback re-solves from.
   */
  run(
    rate: Float64Array,
    bottleneck: Int32Array,
    floor: number,
    seedFlows: Int32Array,
    seedFlowCount: number,
    seedLinks: Int32Array,
    seedLinkCount: number,
  ): boolean {
    this.reserve();
    this.penalty = this.g.flowPenalty;
    if (this.stamp === 0x7fffffff) {
      this.stamp = 0;
      this.inSet.fill(0);
      this.inLinks.fill(0);
    }
    this.stamp++;
    this.flowCount = 0;
    this.linkCount = 0;
    this.scanned = 0;
    this.heldMax = -Infinity;
    this.rounds = 0;
    for (let i = 0; i < seedLinkCount; i++) this.addLink(seedLinks[i]);
    for (let i = 0; i < seedFlowCount; i++) this.add(seedFlows[i], rate);
    // One hop out: the flows at or above the floor next to the change are the likeliest to move; the
    // checks decide what lies beyond.
    const g = this.g;
    const pen = this.penalty;
    for (let i = 0, n = this.linkCount; i < n; i++) {
      const l = this.links[i];
      const members = g.linkFlows[l];
      for (let k = g.linkFlowCount[l] - 1; k >= 0; k--) if (level(members[k], rate, pen) >= floor) this.add(members[k], rate);
    }
    for (;;) {
      this.rounds++;
      this.scan(rate, bottleneck, floor);
      // Nobody held: the set is whole components, solved as such (the all-at-demand shortcut included).
      this.open = this.heldMax > -Infinity;
      if (this.flowCount > 0) this.solver.solve(g, this.flows, this.flowCount, this.links, this.linkCount, rate, this.open, bottleneck);
      if (!this.open || !this.widen(rate, bottleneck, floor)) return true;
      if (this.rounds === MAX_ROUNDS) {
        // Give up: put the old rates back (the fallback settles bytes at them); the set seeds its walk.
        for (let i = 0; i < this.flowCount; i++) rate[this.flows[i]] = this.prevRate[i];
        return false;
      }
    }
  }

  /** Takes flow f into the set (with its links); a no-op if it is in. `takeIn` may call it re-entrantly. */
  add(f: number, rate: Float64Array): void {
    if (this.inSet[f] === this.stamp) return;
    this.inSet[f] = this.stamp;
    this.takeIn(f);
    if (this.flowCount === this.flows.length) {
      this.flows = grow(this.flows, 2 * this.flowCount);
      this.prevRate = grow(this.prevRate, 2 * this.flowCount);
    }
    this.prevRate[this.flowCount] = rate[f];
    this.flows[this.flowCount++] = f;
    const g = this.g;
    const path = g.flowPath[f];
    for (let i = g.flowPathLength[f] - 1; i >= 0; i--) this.addLink(path[i]);
  }

  private addLink(l: number): void {
    if (this.inLinks[l] === this.stamp) return;
    this.inLinks[l] = this.stamp;
    if (this.linkCount === this.links.length) this.links = grow(this.links, 2 * this.linkCount);
    this.linkIndex[l] = this.linkCount;
    this.links[this.linkCount++] = l;
  }

  /**
   * Sums the held flows on the set's links not summed yet (the open solve's input) and notes what the
   * checks need. A flow at rate 0 is taken in rather than held: an arrival not solved yet, or a
   * share-group member (whose rate is its group's).
   */
  private scan(rate: Float64Array, bottleneck: Int32Array, floor: number): void {
    const g = this.g;
    const pen = this.penalty;
    let heldMax = this.heldMax;
    for (let i = this.scanned; i < this.linkCount; i++) {
      const l = this.links[i];
      const members = g.linkFlows[l];
      let held = 0;
      let count = 0;
      let fastest = -Infinity;
      let slowestPinned = Infinity;
      for (let k = g.linkFlowCount[l] - 1; k >= 0; k--) {
        const f = members[k];
        if (this.inSet[f] === this.stamp) continue;
        const r = rate[f];
        if (r === 0) {
          this.add(f, rate); // its links are appended, and scanned in turn
          continue;
        }
        held += r;
        count++;
        const v = level(f, rate, pen);
        if (v > fastest) fastest = v;
        if (bottleneck[f] === l && v >= floor && v < slowestPinned) slowestPinned = v;
      }
      g.linkHeldRate[l] = held;
      g.linkHeldCount[l] = count;
      this.linkHeldMax[l] = fastest;
      this.bottleneckMin[l] = slowestPinned;
      if (fastest > heldMax) heldMax = fastest;
    }
    this.scanned = this.linkCount;
    this.heldMax = heldMax;
  }

  /**
   * Takes in held flow h (a check failed): it leaves the held sums of the links already summed. Their
   * fastest-held and least-pinned notes may now be stale, on the safe side: a stale fastest only costs a
   * look at the link's flows, a stale least only a check of each pinned flow.
   */
  private takeHeld(h: number, rate: Float64Array): void {
    const g = this.g;
    const path = g.flowPath[h];
    const r = rate[h];
    for (let i = g.flowPathLength[h] - 1; i >= 0; i--) {
      const l = path[i];
      if (this.inLinks[l] !== this.stamp || this.linkIndex[l] >= this.scanned) continue;
      g.linkHeldRate[l] -= r;
      g.linkHeldCount[l]--;
    }
    this.add(h, rate);
  }

  /** The checks after a round's solve; true if they took flows in (another round is due). */
  private widen(rate: Float64Array, bottleneck: Int32Array, floor: number): boolean {
    const g = this.g;
    const pen = this.penalty;
    for (let i = 0; i < this.linkCount; i++) {
      const l = this.links[i];
      this.after[l] = g.linkHeldRate[l];
      this.solvedMax[l] = -Infinity;
    }
    const n = this.flowCount;
    for (let i = 0; i < n; i++) {
      const f = this.flows[i];
      const r = rate[f];
      const v = level(f, rate, pen);
      const path = g.flowPath[f];
      for (let k = g.flowPathLength[f] - 1; k >= 0; k--) {
        const l = path[k];
        this.after[l] += r;
        if (v > this.solvedMax[l]) this.solvedMax[l] = v;
      }
    }
    let grew = false;
    // Solved flows whose bottleneck carries a faster held flow.
    for (let i = 0; i < n; i++) {
      const f = this.flows[i];
      const b = bottleneck[f];
      const v = level(f, rate, pen);
      if (b < 0 || !(this.linkHeldMax[b] > v * (1 + VALID_EPS))) continue;
      const members = g.linkFlows[b];
      for (let k = g.linkFlowCount[b] - 1; k >= 0; k--) {
        const h = members[k];
        if (this.inSet[h] !== this.stamp && level(h, rate, pen) > v * (1 + VALID_EPS)) {
          this.takeHeld(h, rate);
          grew = true;
        }
      }
    }
    // Held flows whose bottleneck is among the set's links and no longer holds them.
    const m = this.linkCount; // links added below are new to the set: their held flows were not checked
    for (let i = 0; i < m; i++) {
      const l = this.links[i];
      const least = this.bottleneckMin[l];
      // Weighted: least is a level, which says nothing of the pinned flows' rates (the capacity tolerance), so
      // each pinned flow is checked.
      if (least === Infinity || (this.penalty === undefined && this.holds(l, least, least))) continue;
      const members = g.linkFlows[l];
      for (let k = g.linkFlowCount[l] - 1; k >= 0; k--) {
        const h = members[k];
        if (this.inSet[h] === this.stamp || bottleneck[h] !== l) continue;
        const v = level(h, rate, pen);
        if (v >= floor && !this.holds(l, rate[h], v)) {
          this.takeHeld(h, rate);
          grew = true;
        }
      }
    }
    return grew;
  }

  /**
   * Link l is still the bottleneck of a held flow at rate r and level v: saturated (to within VALID_EPS of
   * r), and no solved flow's level is higher.
   */
  private holds(l: number, r: number, v: number): boolean {
    return this.g.linkCapacity[l] - this.after[l] <= VALID_EPS * r && this.solvedMax[l] <= v * (1 + VALID_EPS);
  }

  private reserve(): void {
    const g = this.g;
    const links = g.linkCapacity.length;
    const flows = g.flowCap.length;
    if (this.inLinks.length < links) {
      this.inLinks = grow(this.inLinks, links);
      this.linkIndex = grow(this.linkIndex, links);
      this.linkHeldMax = grow(this.linkHeldMax, links);
      this.bottleneckMin = grow(this.bottleneckMin, links);
      this.after = grow(this.after, links);
      this.solvedMax = grow(this.solvedMax, links);
    }
    if (this.inSet.length < flows) this.inSet = grow(this.inSet, flows);
  }
}
