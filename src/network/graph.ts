/**
 * The sharing graph: which flows cross which links, kept both ways so a flow joins or leaves in
 * O(path length) and the connected component around a change is found by walking it. It is the table the
 * solver reads (SharingTables); the network owns flow state, events and accounting.
 *
 * Performance: per-link member lists and per-flow paths are typed arrays reused across flow ids; a flow
 * leaves a link by swap-removal, so each flow remembers its position in every member list it is in.
 */
import type { SharingTables } from './maxmin.ts';
import { objectArray, typedArraysReassigned } from '../stable-arrays.ts';

/**
 * Flow f's level: its rate, times its penalty under weighted sharing (`penalty`, SharingGraph.flowPenalty,
 * undefined when unweighted). Where weighted sharing compares flows ("faster", the floor, share groups),
 * it compares levels. Performance: callers read the penalties into a local once per loop.
 */
export function flowLevel(f: number, rate: Float64Array, penalty: Float64Array | undefined): number {
  return penalty === undefined ? rate[f] : rate[f] * penalty[f];
}

export class SharingGraph implements SharingTables {
  linkCapacity = new Float64Array(16);
  linkFlows = objectArray<Int32Array>();
  linkFlowCount = new Int32Array(16);
  flowPath = objectArray<Int32Array>();
  flowPathLength = new Int32Array(64);
  flowCap = new Float64Array(64);
  /** Weighted sharing only (enablePenalties): each flow's LMM penalty (SharingTables.flowPenalty). */
  flowPenalty: Float64Array | undefined = undefined;

  /** Flows and links of the components found by the last collect(): [0 .. flowCount), [0 .. linkCount). */
  componentFlows = new Int32Array(64);
  componentLinks = new Int32Array(16);
  componentFlowCount = 0;
  componentLinkCount = 0;
  /** Per link of a local solve's set: Σ rate and count of the held flows on it (SharingTables; LocalSolve writes them). */
  linkHeldRate = new Float64Array(16);
  linkHeldCount = new Int32Array(16);

  /** Parallel to linkFlows: the index of the link in that member flow's path. */
  private linkFlowPathIndex = objectArray<Int32Array>();
  /** flowSlot[f][i]: position of flow f in the member list of the i-th link on its path. */
  private flowSlot = objectArray<Int32Array>();
  private flowSeen = new Int32Array(64);
  private linkSeen = new Int32Array(16);
  private epoch = 0;

  constructor() {
    // The per-flow tables grow by replacement mid-run (the per-link ones only at set-up).
    typedArraysReassigned(this, ['flowPathLength', 'flowCap', 'flowSeen', 'componentFlows']);
  }

  /** Flows share in proportion to 1 / their penalty from now on: each has `initial` until setPenalty. */
  enablePenalties(initial = 1): void {
    this.flowPenalty = new Float64Array(this.flowCap.length).fill(initial);
  }

  setPenalty(f: number, penalty: number): void {
    (this.flowPenalty as Float64Array)[f] = penalty;
  }

  /** Adds link `id` (the next id) with the capacity flows may share. */
  addLink(id: number, capacity: number): void {
    if (id === this.linkCapacity.length) this.growLinks(2 * id);
    this.linkCapacity[id] = capacity;
    this.linkFlows.push(new Int32Array(4));
    this.linkFlowPathIndex.push(new Int32Array(4));
  }

  /**
   * Registers flow id f, the next id never used before. Performance: path buffers start with room for 8
   * links (a P2P piece crosses up to 7), so setFlow rarely grows one — a path that grew past 4 mid-run sent
   * startFlow's compiled code into a deopt loop in some runs.
   */
  addFlowId(f: number): void {
    if (f === this.flowCap.length) this.growFlows(2 * f);
    this.flowPath.push(new Int32Array(8));
    this.flowSlot.push(new Int32Array(8));
  }

  /** Records flow f's path and cap. Path buffers stay with the id and grow only for a longer path. */
  setFlow(f: number, path: readonly number[], cap: number): void {
    if (this.flowPath[f].length < path.length) {
      this.flowPath[f] = new Int32Array(path.length);
      this.flowSlot[f] = new Int32Array(path.length);
    }
    const p = this.flowPath[f];
    for (let i = 0; i < path.length; i++) p[i] = path[i];
    this.flowPathLength[f] = path.length;
    this.flowCap[f] = cap;
  }

  /** Puts flow f in the member list of every link on its path. */
  attach(f: number): void {
    const path = this.flowPath[f];
    for (let i = 0; i < this.flowPathLength[f]; i++) this.addMember(f, i, path[i]);
  }

  /** Puts flow f in the member list of link l, the i-th link on its path. */
  private addMember(f: number, i: number, l: number): void {
    const k = this.linkFlowCount[l]++;
    if (k === this.linkFlows[l].length) {
      this.linkFlows[l] = grow(this.linkFlows[l], 2 * k);
      this.linkFlowPathIndex[l] = grow(this.linkFlowPathIndex[l], 2 * k);
    }
    this.linkFlows[l][k] = f;
    this.linkFlowPathIndex[l][k] = i;
    this.flowSlot[f][i] = k;
  }

  /**
   * Adds link l at the end of flow f's path (a covered link that shares again: Network.limitAgain); if
   * f is attached, it joins l's member list too.
   */
  appendLink(f: number, l: number, attached: boolean): void {
    const i = this.flowPathLength[f];
    if (i === this.flowPath[f].length) {
      this.flowPath[f] = grow(this.flowPath[f], 2 * i + 1);
      this.flowSlot[f] = grow(this.flowSlot[f], 2 * i + 1);
    }
    this.flowPath[f][i] = l;
    this.flowPathLength[f] = i + 1;
    if (attached) this.addMember(f, i, l);
  }

  /** Takes flow f out of its links' member lists (swap-removal: the last member takes its slot). */
  detach(f: number): void {
    const path = this.flowPath[f];
    const slots = this.flowSlot[f];
    for (let i = 0; i < this.flowPathLength[f]; i++) {
      const l = path[i];
      const k = slots[i];
      const last = --this.linkFlowCount[l];
      if (k !== last) {
        const g = this.linkFlows[l][last];
        const j = this.linkFlowPathIndex[l][last];
        this.linkFlows[l][k] = g;
        this.linkFlowPathIndex[l][k] = j;
        this.flowSlot[g][j] = k;
      }
    }
  }

  /**
   * Finds every flow and link connected to the seed flows (attached ones) and seed links, breadth first,
   * using componentFlows / componentLinks as the queues, and leaves them there.
   */
  collect(seedFlows: Int32Array, seedFlowCount: number, seedLinks: Int32Array, seedLinkCount: number): void {
    const epoch = this.nextEpoch();
    const flows = this.componentFlows;
    const links = this.componentLinks;
    let nFlows = 0;
    let nLinks = 0;
    for (let i = 0; i < seedFlowCount; i++) {
      const f = seedFlows[i];
      if (this.flowSeen[f] !== epoch) {
        this.flowSeen[f] = epoch;
        flows[nFlows++] = f;
      }
    }
    for (let i = 0; i < seedLinkCount; i++) {
      const l = seedLinks[i];
      if (this.linkSeen[l] !== epoch) {
        this.linkSeen[l] = epoch;
        links[nLinks++] = l;
      }
    }
    let nextFlow = 0;
    let nextLink = 0;
    while (nextFlow < nFlows || nextLink < nLinks) {
      for (; nextFlow < nFlows; nextFlow++) {
        const f = flows[nextFlow];
        const path = this.flowPath[f];
        for (let i = this.flowPathLength[f] - 1; i >= 0; i--) {
          const l = path[i];
          if (this.linkSeen[l] !== epoch) {
            this.linkSeen[l] = epoch;
            links[nLinks++] = l;
          }
        }
      }
      for (; nextLink < nLinks; nextLink++) {
        const l = links[nextLink];
        const members = this.linkFlows[l];
        for (let k = this.linkFlowCount[l] - 1; k >= 0; k--) {
          const f = members[k];
          if (this.flowSeen[f] !== epoch) {
            this.flowSeen[f] = epoch;
            flows[nFlows++] = f;
          }
        }
      }
    }
    this.componentFlowCount = nFlows;
    this.componentLinkCount = nLinks;
  }

  private nextEpoch(): number {
    if (this.epoch === 0x7fffffff) {
      this.epoch = 0;
      this.flowSeen.fill(0);
      this.linkSeen.fill(0);
    }
    return ++this.epoch;
  }

  private growFlows(n: number): void {
    this.flowPathLength = grow(this.flowPathLength, n);
    this.flowCap = grow(this.flowCap, n);
    if (this.flowPenalty !== undefined) this.flowPenalty = grow(this.flowPenalty, n);
    this.flowSeen = grow(this.flowSeen, n);
    this.componentFlows = grow(this.componentFlows, n);
  }

  private growLinks(n: number): void {
    this.linkCapacity = grow(this.linkCapacity, n);
    this.linkFlowCount = grow(this.linkFlowCount, n);
    this.linkSeen = grow(this.linkSeen, n);
    this.linkHeldRate = grow(this.linkHeldRate, n);
    this.linkHeldCount = grow(this.linkHeldCount, n);
    this.componentLinks = grow(this.componentLinks, n);
  }
}

/** A copy of `a` with length n, for growing typed arrays by doubling. */
export function grow<T extends Float64Array | Int32Array | Uint8Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}
