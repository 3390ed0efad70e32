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
 * Bookkeeping: members share one virtual clock V (bytes delivered per member since the group formed), so
 * a member's remaining bytes are vfinish − V and the next member to finish is simply the next one in
 * vfinish order: members are sorted once when the group forms and leave from the front.
 */

/**
 * Components with fewer flows are not grouped: re-solving them is as cheap as the group's bookkeeping, and
 * the seed scenario solves hundreds of thousands of components of two or three flows.
 */
export const GROUP_MIN_FLOWS = 8;

/** A link or cap this close (relative) to the group's new rate may bind: re-solve exactly instead. */
export const GROUP_EPS = 1e-9;

export class ShareGroup {
  /** Bytes/s of every member; only grows during the group's life (members only leave). */
  rate: number;
  /** Virtual time V at time vAt. */
  private v = 0;
  private vAt: number;
  /** Members in finish order; [head, end) are still in the group. */
  readonly members: Int32Array;
  head = 0;
  readonly end: number;
  /** Links crossed by at least one member when the group formed. */
  readonly links: Int32Array;
  linkCount = 0;
  /** Smallest and largest per-flow cap of the members when the group formed. */
  minCap = Infinity;
  maxCap = 0;
  /** Members left since the last advance: the re-share owed at the end of this timestamp. */
  pending = false;
  /** Links those members crossed, dirtied if the group must be dissolved instead. */
  readonly pendingLinks: number[] = [];
  alive = true;

  // Lazy min-heap of (fill level, link): the rate at which each link would saturate if the members on it
  // all ran at that rate. Performance: levels only rise while the group lives (members leave), so a stale
  // key is a lower bound and is refreshed only when it reaches the top.
  private hKey: Float64Array;
  private hLink: Int32Array;
  private hSize = 0;
  /** (link, level) pairs nextRate lifts off the heap while it looks below the top. */
  private readonly parked: number[] = [];

  constructor(memberCount: number, linkCapacity: number, now: number, rate: number) {
    this.rate = rate;
    this.vAt = now;
    this.members = new Int32Array(memberCount);
    this.end = memberCount;
    this.links = new Int32Array(linkCapacity);
    this.hKey = new Float64Array(linkCapacity);
    this.hLink = new Int32Array(linkCapacity);
  }

  get size(): number {
    return this.end - this.head;
  }

  /** Virtual time at `now`: bytes each member has received since the group formed. */
  virtualAt(now: number): number {
    return this.v + this.rate * (now - this.vAt);
  }

  /** Moves the virtual clock to `now` at the current rate. */
  advanceTo(now: number): number {
    this.v += this.rate * (now - this.vAt);
    this.vAt = now;
    return this.v;
  }

  addLink(l: number): void {
    this.links[this.linkCount++] = l;
  }

  /** Builds the level heap over the group's links; call once all links are added. */
  buildLevels(level: (l: number) => number): void {
    for (let i = 0; i < this.linkCount; i++) {
      this.hLink[i] = this.links[i];
      this.hKey[i] = level(this.links[i]);
    }
    this.hSize = this.linkCount;
    for (let i = (this.hSize >> 1) - 1; i >= 0; i--) this.siftDown(i);
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
    if (top === Infinity || members(this.hLink[0]) !== n) return -1;
    const limit = top * (1 + GROUP_EPS);
    if (!(this.minCap > limit) || top < this.rate) return -1;
    // Every link that could bind at this rate must be crossed by all members, or some would stop below.
    // Performance: usually only the one or two shared links are near the top, so this pops very few.
    const parked = this.parked;
    parked.length = 0;
    let ok = true;
    while (this.hSize > 0) {
      const key = this.refreshTop(level);
      if (!(key <= limit)) break;
      if (members(this.hLink[0]) !== n) {
        ok = false;
        break;
      }
      parked.push(this.hLink[0], key);
      this.popTop();
    }
    for (let i = 0; i < parked.length; i += 2) this.push(parked[i], parked[i + 1]);
    return ok ? top : -1;
  }

  /** The top entry's up-to-date level (dropping links no member crosses any more), Infinity if none. */
  private refreshTop(level: (l: number) => number): number {
    while (this.hSize > 0) {
      const l = this.hLink[0];
      const fresh = level(l);
      if (fresh === Infinity) {
        this.popTop();
        continue;
      }
      if (fresh === this.hKey[0]) return fresh;
      this.hKey[0] = fresh;
      this.siftDown(0);
    }
    return Infinity;
  }

  private popTop(): void {
    const last = --this.hSize;
    if (last === 0) return;
    this.hLink[0] = this.hLink[last];
    this.hKey[0] = this.hKey[last];
    this.siftDown(0);
  }

  private push(l: number, key: number): void {
    let i = this.hSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(key, l, this.hKey[p], this.hLink[p])) break;
      this.hKey[i] = this.hKey[p];
      this.hLink[i] = this.hLink[p];
      i = p;
    }
    this.hKey[i] = key;
    this.hLink[i] = l;
  }

  private siftDown(i: number): void {
    const n = this.hSize;
    const key = this.hKey[i];
    const l = this.hLink[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && less(this.hKey[c + 1], this.hLink[c + 1], this.hKey[c], this.hLink[c])) c++;
      if (!less(this.hKey[c], this.hLink[c], key, l)) break;
      this.hKey[i] = this.hKey[c];
      this.hLink[i] = this.hLink[c];
      i = c;
    }
    this.hKey[i] = key;
    this.hLink[i] = l;
  }
}

function less(ka: number, la: number, kb: number, lb: number): boolean {
  return ka < kb || (ka === kb && la < lb);
}
