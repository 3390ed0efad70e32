/**
 * A share group: the flows at the highest rate of a solved component, which max-min fairness lets
 * advance together — processor-sharing virtual time generalised to max-min components (issue 6).
 *
 * Why it is exact. In a max-min allocation every flow is at its cap or crosses a saturated link on which
 * its rate is the largest. A flow below the top rate therefore never has a bottleneck crossed by a top-rate
 * flow, so when a top-rate flow leaves, nothing below the top can change: only the top-rate flows (this
 * group) may speed up, and as long as one link crossed by every member stays the tightest constraint,
 * they all get the same new rate: (capacity − bytes/s of the other flows on it) / members. The network
 * applies that in O(path length · log links) per departure and falls back to a full component re-solve
 * whenever the structure could change (another link or a cap comes within EPS of binding).
 *
 * Arrivals (Network.tryJoin). A new flow whose path crosses only this group's links and idle or unsaturated
 * ones joins the group when the result is again a max-min allocation: the new common rate r' is the
 * tightest of its links' levels with it as one more member, every link at that level is crossed by every
 * member and carries no other flow faster than r' (so the members are the largest there), every other link
 * of the group stays above r', and no cap binds. Rates of the other flows do not change: the members are
 * on none of their bottlenecks (they would be the largest there). Anything else re-solves the component.
 *
 * Bookkeeping: members share one virtual clock V (bytes delivered per member since the group formed), so
 * a member's remaining bytes are vfinish − V and the next member to finish is the one with the smallest
 * vfinish (ties by flow id, the finish heap's order): members sit in a binary heap on (vfinish, id).
 *
 * Weighted sharing (SimGrid's CM02 / LV08: a flow's share is weighted by 1 / its penalty p): the same with
 * levels, rate × p, for rates. A weighted max-min allocation has every flow at its cap or on a saturated
 * link where no flow's level is higher, so the argument above holds for the flows at the top level, whose
 * penalties may differ: they share one level λ, member f runs at λ / p_f, and a link's fill level is
 * (capacity − the other flows' bytes/s) / Σ 1/p over the members on it. V counts level × time, so a
 * member's vfinish is V + its remaining bytes × p_f: its rate is λ / p_f, so those level-bytes are used
 * up at λ, the same for every member, and the heap on vfinish still orders finishes. A fan-out whose
 * clients sit at several RTTs is one group.
 */
import { IndexedMinHeap } from './heap.ts';
import { doubleArray } from '../stable-arrays.ts';

/**
 * Components with fewer flows are not grouped: re-solving them is as cheap as the group's bookkeeping, and
 * the seed scenario solves hundreds of thousands of components of two or three flows.
 */
export const GROUP_MIN_FLOWS = 8;

/** A link or cap this close (relative) to the group's new rate may bind: re-solve exactly instead. */
export const GROUP_EPS = 1e-9;

export class ShareGroup {
  /**
   * The members' level: each member's rate × its penalty (weighted sharing, SharingGraph.flowPenalty), so
   * member f runs at rate / penalty[f]; unweighted, every penalty is 1 and this is every member's rate.
   * Caps, other flows' rates (otherMax) and fill levels are kept as levels too, so every check compares
   * levels and a group's members may have different penalties.
   */
  rate: number;
  /** Virtual time V at time vAt. */
  private v = 0;
  private vAt: number;
  /** Members: a binary min-heap on (vfinish, flow id); [0, size) are in the group. */
  private mId: Int32Array;
  private mKey: Float64Array;
  private mSize = 0;
  /** Links crossed by at least one member since the group formed, by slot (Network.groupSlot). */
  links: Int32Array;
  linkCount = 0;
  /** Per slot: the largest level of a flow on the link that is not a member (0 if none). */
  private otherMax: Float64Array;
  /** Smallest and largest cap of the members, as levels (cap × penalty). */
  minCap = Infinity;
  maxCap = 0;
  /** Members left since the last advance: the re-share owed at the end of this timestamp. */
  pending = false;
  /** Links those members crossed, dirtied if the group must be dissolved instead. */
  readonly pendingLinks: number[] = [];
  /** Changed at this timestamp: its rate is committed (and its next finisher keyed) at the end of the solve. */
  touched = false;
  /** A member left or joined through the group (it paid for its formation). */
  used = false;
  alive = true;

  /**
   * Lazy min-heap of slot → fill level: the level at which the slot's link would saturate if the members on
   * it all ran at that level. A key is a lower bound of its link's level: departures only raise levels (the
   * key is refreshed when it reaches the top), a join lowers its links' keys at once.
   */
  private readonly levels: IndexedMinHeap;
  /** (slot, level) pairs lifted off the heap while looking below a rate. */
  private readonly parked: number[] = [];

  /**
   * Commits: the rates the group had at the end of each solve (the allocation the simulation really had),
   * numbered by epoch, kept as a stack of strictly decreasing rates so that the highest rate since any
   * epoch is a binary search (a link's peak load is other + members × that rate; joins can lower the rate).
   */
  epoch = 0;
  private readonly histEpoch: number[] = [];
  private readonly histRate = doubleArray();

  constructor(memberCapacity: number, linkCapacity: number, now: number, rate: number) {
    this.rate = rate;
    this.vAt = now;
    this.mId = new Int32Array(Math.max(1, memberCapacity));
    this.mKey = new Float64Array(this.mId.length);
    this.links = new Int32Array(Math.max(1, linkCapacity));
    this.otherMax = new Float64Array(this.links.length);
    this.levels = new IndexedMinHeap(this.links.length);
  }

  get size(): number {
    return this.mSize;
  }

  /** The member that finishes next (the group must not be empty). */
  get head(): number {
    return this.mId[0];
  }

  /** The i-th member in heap order, 0 <= i < size. */
  member(i: number): number {
    return this.mId[i];
  }

  /**
   * Virtual time at `now`: level × seconds since the group formed — the bytes each member has received,
   * times its penalty (a member of penalty p received (V − V at its entry) / p bytes).
   */
  virtualAt(now: number): number {
    return this.v + this.rate * (now - this.vAt);
  }

  /** Moves the virtual clock to `now` at the current rate. */
  advanceTo(now: number): number {
    this.v += this.rate * (now - this.vAt);
    this.vAt = now;
    return this.v;
  }

  // ---- members ----------------------------------------------------------------------------------------

  /** Adds a member without restoring heap order (forming the group); call orderMembers() after the last. */
  appendMember(f: number, vfinish: number): void {
    if (this.mSize === this.mId.length) this.growMembers();
    this.mId[this.mSize] = f;
    this.mKey[this.mSize++] = vfinish;
  }

  /** Restores heap order after appendMember(): O(members). */
  orderMembers(): void {
    for (let i = (this.mSize >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** A flow joins: O(log members). */
  insertMember(f: number, vfinish: number): void {
    if (this.mSize === this.mId.length) this.growMembers();
    let i = this.mSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(vfinish, f, this.mKey[p], this.mId[p])) break;
      this.mId[i] = this.mId[p];
      this.mKey[i] = this.mKey[p];
      i = p;
    }
    this.mId[i] = f;
    this.mKey[i] = vfinish;
  }

  /** The head leaves. */
  popHead(): void {
    const last = --this.mSize;
    if (last === 0) return;
    this.mId[0] = this.mId[last];
    this.mKey[0] = this.mKey[last];
    this.siftDown(0);
  }

  private siftDown(i: number): void {
    const n = this.mSize;
    const id = this.mId[i];
    const key = this.mKey[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && before(this.mKey[c + 1], this.mId[c + 1], this.mKey[c], this.mId[c])) c++;
      if (!before(this.mKey[c], this.mId[c], key, id)) break;
      this.mId[i] = this.mId[c];
      this.mKey[i] = this.mKey[c];
      i = c;
    }
    this.mId[i] = id;
    this.mKey[i] = key;
  }

  private growMembers(): void {
    const id = new Int32Array(2 * this.mId.length);
    id.set(this.mId);
    const key = new Float64Array(id.length);
    key.set(this.mKey);
    this.mId = id;
    this.mKey = key;
  }

  // ---- links and levels -------------------------------------------------------------------------------

  /** Adds a link and returns its slot. `otherMax`: the largest rate of a non-member flow on it. */
  addLink(l: number, otherMax: number): number {
    if (this.linkCount === this.links.length) {
      const links = new Int32Array(2 * this.linkCount);
      links.set(this.links);
      const other = new Float64Array(links.length);
      other.set(this.otherMax);
      this.links = links;
      this.otherMax = other;
      this.levels.ensureCapacity(links.length);
    }
    const slot = this.linkCount++;
    this.links[slot] = l;
    this.otherMax[slot] = otherMax;
    return slot;
  }

  /** Sets the largest rate of a non-member on the slot's link (formation, or a join reusing the slot). */
  setOtherMax(slot: number, otherMax: number): void {
    this.otherMax[slot] = otherMax;
  }

  /** Builds the level heap over the group's links; call once all links are added. */
  buildLevels(level: (l: number) => number): void {
    for (let s = 0; s < this.linkCount; s++) this.levels.append(s, level(this.links[s]));
    this.levels.heapify();
  }

  /** A join lowered the slot's level: its key becomes at most `level`, so it stays a lower bound. */
  lowerLevel(slot: number, level: number): void {
    if (!this.levels.has(slot) || level < this.levels.key(slot)) this.levels.set(slot, level);
  }

  /**
   * The group's new rate after members left, or -1 if the allocation structure may have changed and the
   * component must be re-solved. `level(l)` is the link's current fill level (Infinity once no member
   * crosses it) and `members(l)` how many members cross it.
   */
  nextRate(level: (l: number) => number, members: (l: number) => number): number {
    const n = this.size;
    const top = this.refreshTop(level);
    if (this.minCap === this.maxCap && this.minCap === this.rate) {
      // Every member is held by the same cap: links only loosen, so the rate stays (all links fit).
      return top >= this.rate ? this.rate : -1;
    }
    if (top === Infinity) return -1;
    const limit = top * (1 + GROUP_EPS);
    if (!(this.minCap > limit) || top < this.rate) return -1;
    // Every link that could bind at this rate must be crossed by all members, or some would stop below,
    // and carry no other flow faster than them (possible on a link a join brought in), or they would not
    // be the largest there. Performance: usually only the one or two shared links are near the top.
    return this.everyLinkUpTo(limit, level, (s) => members(this.links[s]) === n && !(this.otherMax[s] > top)) ? top : -1;
  }

  /**
   * For a join: whether every link of the group that is not on the joining flow's path (`onPath(l)`
   * false) stays above `limit`, i.e. keeps its level (a join changes only its own links' levels).
   */
  othersAbove(limit: number, level: (l: number) => number, onPath: (l: number) => boolean): boolean {
    return this.everyLinkUpTo(limit, level, (s) => onPath(this.links[s]));
  }

  /**
   * Whether `fits(slot)` holds for every link whose level is at most `limit`, visited from the lowest
   * level up through the level heap (popped, then put back), stopping at the first that fails.
   */
  private everyLinkUpTo(limit: number, level: (l: number) => number, fits: (slot: number) => boolean): boolean {
    const parked = this.parked;
    const heap = this.levels;
    parked.length = 0;
    let ok = true;
    while (heap.size > 0) {
      const key = this.refreshTop(level);
      if (!(key <= limit)) break;
      const s = heap.peek();
      if (!fits(s)) {
        ok = false;
        break;
      }
      parked.push(s, key);
      heap.pop();
    }
    for (let i = 0; i < parked.length; i += 2) heap.set(parked[i], parked[i + 1]);
    return ok;
  }

  /** Largest rate of a non-member on the slot's link. */
  otherMaxAt(slot: number): number {
    return this.otherMax[slot];
  }

  /** The top entry's up-to-date level (dropping links no member crosses any more), Infinity if none. */
  private refreshTop(level: (l: number) => number): number {
    const heap = this.levels;
    while (heap.size > 0) {
      const s = heap.peek();
      const fresh = level(this.links[s]);
      if (fresh === Infinity) {
        heap.pop();
        continue;
      }
      if (fresh === heap.peekKey()) return fresh;
      heap.set(s, fresh);
    }
    return Infinity;
  }

  // ---- committed rates (peaks) ------------------------------------------------------------------------

  /** Records the current rate as the one the allocation had at the end of this solve. */
  commit(): void {
    const r = this.rate;
    this.epoch++;
    while (this.histRate.length > 0 && this.histRate[this.histRate.length - 1] <= r) {
      this.histRate.pop();
      this.histEpoch.pop();
    }
    this.histRate.push(r);
    this.histEpoch.push(this.epoch);
  }

  /** The highest committed rate at epoch `e` or later; 0 if nothing was committed since. */
  maxRateSince(e: number): number {
    const ep = this.histEpoch;
    let lo = 0;
    let hi = ep.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ep[mid] < e) lo = mid + 1;
      else hi = mid;
    }
    return lo < ep.length ? this.histRate[lo] : 0;
  }
}

function before(ka: number, ia: number, kb: number, ib: number): boolean {
  return ka < kb || (ka === kb && ia < ib);
}
