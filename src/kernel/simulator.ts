/**
 * The event kernel: a clock and a queue of events ordered by (time, priority, seq).
 *
 * seq is a monotone counter, so events at equal time and priority run in the order they were scheduled
 * (FIFO) and every run is deterministic. The kernel knows nothing about registries, nodes or networks: it
 * moves time and calls handlers.
 *
 * Performance: an event is a numeric handler type plus one numeric argument in typed arrays, so the hot
 * path allocates nothing; `call(fn)` exists for the rare events where a closure is clearer. See the
 * class comment for the queue's structure.
 */
import { CHECKS, InvariantError } from './invariant.ts';

/** Named priorities (SimPy style). Lower runs first at equal time. */
export const URGENT = 0;
export const NORMAL = 1;
/** Runs after every NORMAL event at the same time: used to batch work (e.g. a bandwidth recompute). */
export const LATE = 2;

export type Handler = (arg: number) => void;

export interface RunOptions {
  /** Stop before dispatching any event later than this time (seconds). The clock is left at `until`. */
  until?: number;
  /** Stop after dispatching this many events. */
  maxEvents?: number;
}

export interface RunStats {
  events: number;
  stoppedBy: 'empty' | 'until' | 'maxEvents';
}

/** Event handles pack (generation, slot) so a stale handle of a recycled slot can never cancel a new event. */
const SLOT_SPACE = 2 ** 26;
/** priority is packed above seq in one float64 key: priority·2^44 + seq stays exact below 2^53. */
const SEQ_SPACE = 2 ** 44;
/** Largest priority whose packed key stays exact (511·2^44 + seq < 2^53); priorities are integers in [0, 511]. */
export const MAX_PRIORITY = 511;
const CALL_TYPE = 0;
/** Set in a slot's type when its event is cancelled: one array read tells type and cancellation apart. */
const CANCELLED = 0x40000000;
const TYPE_MASK = CANCELLED - 1;
const ROOT_OK = 0;
const ROOT_HOLE = 1;
const ROOT_DIRTY = 2;
/** The slot of padding entries: never allocated. */
const PAD_SLOT = 0;
/**
 * Physical index of the heap's root. With the root at 3, the four children of the entry at p sit at
 * 4p − 8 … 4p − 5: every sibling group starts on a multiple of four, one 32-byte run of times.
 */
const ROOT = 3;
/** Padding entries (+∞) kept past the heap's end: a sift reads all four children of the last parent. */
const PAD = 4;
/** Batch ties spanning less than this pack with their slot into one exact float64 (2^27 · 2^26 = 2^53). */
const PACK_RANGE = 2 ** 27;
/** The heap is compacted once more than half of it, and at least this many entries, are cancelled. */
const COMPACT_MIN = 256;

// A slot's record (32 bytes, two typed-array views of one buffer): tie = priority·2^44 + seq at F64[4s],
// arg at F64[4s + 1], type at I32[8s + 4], generation at I32[8s + 5]. Dispatching an event and writing
// the one its handler schedules into the same recycled slot touch one cache line.

/**
 * Performance (issue 6, goal 2: at least as fast as a bare flatqueue push/pop loop, with FIFO ties):
 * - the queue is a 4-ary heap keyed by time alone: half the levels of a binary heap, the four children
 *   of a level in one cache line, the smallest picked by a tournament of 0/1 comparisons without a
 *   data-dependent branch (a mispredicted branch per level was the kernel's largest cost);
 * - ties cost nothing until they happen. Comparing (time, priority, seq) at every level of every sift
 *   was about a fifth of the kernel's time at 1e3 pending, so the heap compares times only; when the
 *   event at the root has a sibling at its time (checked once per pop: the runner-up is one of the
 *   root's four children), every event at that time moves into the batch, sorted by (priority, seq),
 *   which runs them in order, and while it holds events, those scheduled for its time join it. Dispatch order is exactly (time, priority, seq), as before;
 * - pop and push are fused: the dispatched event's root slot stays a hole while its handler runs, the
 *   first event the handler schedules is written into that hole, and run() sifts it down once after the
 *   handler returns, instead of a sift-down to remove the root and a sift-up to insert (the hold pattern:
 *   most events schedule a successor). schedule() stays small enough to be inlined into handlers;
 * - a freed slot is reused first (LIFO), so the slot the handler's event takes is still in cache.
 */
export class Simulator {
  /** Current simulated time in seconds. */
  now = 0;
  /** Events dispatched so far (cancelled events are not counted). */
  dispatched = 0;

  // Heap, indexed by physical position (see ROOT), keyed by time only.
  private hTime: Float64Array;
  private hSlot: Int32Array;
  /** Heap entries, counting the root while it is a hole. */
  private size = 0;
  /** ROOT_OK, or ROOT_HOLE (dispatched, not yet replaced) or ROOT_DIRTY (replaced, not yet sifted). */
  private root = ROOT_OK;

  // The batch: the pending events at time bTime, once two or more were due then, sorted by tie in
  // [bHead, bHead + bSize).
  private bTie: Float64Array;
  private bSlot: Int32Array;
  private bHead = 0;
  private bSize = 0;
  /** Scratch for sortBatch. */
  private bKey = new Float64Array(16);
  private bDirect = new Int32Array(64);
  /** The time of the batch's events. */
  private bTime = 0;

  // Slot records, recycled through a free list.
  private rF: Float64Array;
  private rI: Int32Array;
  private slotCapacity: number;
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotsUsed = 1; // slot 0 is PAD_SLOT
  private fns: (Handler | (() => void) | undefined)[] = [];

  private seq = 0;
  private handlers: Handler[] = [];
  /** Cancelled events not yet popped, and how many of them were in the batch at the last compaction. */
  private cancelledPending = 0;
  private cancelledBase = 0;

  constructor(initialCapacity = 1024) {
    const n = Math.max(16, initialCapacity + ROOT + PAD);
    this.hTime = new Float64Array(n).fill(Infinity);
    this.hSlot = new Int32Array(n); // PAD_SLOT
    this.bTie = new Float64Array(16);
    this.bSlot = new Int32Array(16);
    this.slotCapacity = n;
    this.rF = new Float64Array(4 * n);
    this.rI = new Int32Array(this.rF.buffer);
    this.freeSlots = new Int32Array(n);
    this.handlers.push(() => {
      throw new Error('internal: CALL_TYPE dispatched through the handler table');
    });
  }

  /** Registers a handler and returns its numeric event type. */
  register(handler: Handler): number {
    if (this.handlers.length > TYPE_MASK) throw new Error('internal: too many event types');
    this.handlers.push(handler);
    return this.handlers.length - 1;
  }

  /** Number of events waiting (including lazily cancelled ones not yet popped). */
  get pending(): number {
    return (this.root === ROOT_HOLE ? this.size - 1 : this.size) + this.bSize;
  }

  /** Schedules event `type` with `arg` after `delay` seconds. Returns a handle for `cancel`. */
  schedule(delay: number, type: number, arg = 0, priority = NORMAL): number {
    if (!(delay >= 0)) throw new RangeError(`Negative or invalid delay ${delay}`);
    return this.push(this.now + delay, type, arg, priority);
  }

  /** Schedules event `type` at absolute `time` (must not be in the past). */
  scheduleAt(time: number, type: number, arg = 0, priority = NORMAL): number {
    if (!(time >= this.now)) throw new RangeError(`Event time ${time} is before now ${this.now}`);
    return this.push(time, type, arg, priority);
  }

  /** Schedules a closure. Convenient for rare events; hot paths should use `schedule` with a handler type. */
  call(delay: number, fn: () => void, priority = NORMAL): number {
    if (!(delay >= 0)) throw new RangeError(`Negative or invalid delay ${delay}`);
    const handle = this.push(this.now + delay, CALL_TYPE, 0, priority);
    this.fns[handle % SLOT_SPACE] = fn;
    return handle;
  }

  /**
   * Lazily cancels a pending event. Cancelling a handle that already ran or was cancelled is a no-op.
   * Performance: a cancelled event stays in the heap until it is popped, unless cancelled events pile up
   * (models that re-time an event by cancel + schedule, like P2P piece transfers, can leave several dead
   * entries per live one): then the heap is compacted in one linear pass.
   */
  cancel(handle: number): void {
    const slot = handle % SLOT_SPACE;
    const gen = (handle - slot) / SLOT_SPACE;
    const rI = this.rI;
    if (slot > PAD_SLOT && slot < this.slotsUsed && rI[8 * slot + 5] === gen && rI[8 * slot + 4] < CANCELLED) {
      rI[8 * slot + 4] |= CANCELLED;
      const dead = ++this.cancelledPending - this.cancelledBase;
      if (dead >= COMPACT_MIN && 2 * dead > this.size) this.compact();
    }
  }

  /** Dispatches events in order until the queue is empty, `until` is passed or `maxEvents` ran. */
  run(options: RunOptions = {}): RunStats {
    const until = options.until ?? Infinity;
    const maxEvents = options.maxEvents ?? Infinity;
    // Without this check `until` < now would move the clock backwards when the run stops.
    if (!(until >= this.now)) throw new RangeError(`run until ${until} is before now ${this.now}`);
    // A handler that threw left the root unsettled: settle it (its event counts as dispatched).
    this.settleRoot();
    let events = 0;
    const handlers = this.handlers;
    for (;;) {
      let slot: number;
      let t: number;
      if (this.bSize === 0) {
        if (this.size === 0) break;
        if (events >= maxEvents) return { events, stoppedBy: 'maxEvents' };
        const hTime = this.hTime;
        t = hTime[ROOT];
        if (t > until) {
          this.now = until;
          return { events, stoppedBy: 'until' };
        }
        // A sibling at the same time: (priority, seq) decides, so the batch takes every event at t.
        if (hTime[4] === t || hTime[5] === t || hTime[6] === t || hTime[7] === t) {
          this.fillBatch(t);
          continue;
        }
        slot = this.hSlot[ROOT];
        this.root = ROOT_HOLE;
      } else {
        if (events >= maxEvents) return { events, stoppedBy: 'maxEvents' };
        t = this.bTime;
        slot = this.popBatch();
      }
      // Invariant, one compare per event: simulated time never goes backwards.
      if (CHECKS && t < this.now) throw new InvariantError('simulated time never goes backwards', `an event at t=${t} after t=${this.now}`);
      const rI = this.rI;
      const type = rI[8 * slot + 4];
      // Generation bump: the handle of this event is dead from here on, and the slot is free for reuse.
      rI[8 * slot + 5] = (rI[8 * slot + 5] + 1) & 0x7ffffff;
      this.freeSlots[this.freeCount++] = slot;
      if (type < CANCELLED && type !== CALL_TYPE) {
        this.now = t;
        events++;
        this.dispatched++;
        handlers[type](this.rF[4 * slot + 1]);
      } else if (type === CALL_TYPE) {
        const fn = this.fns[slot] as () => void;
        this.fns[slot] = undefined;
        this.now = t;
        events++;
        this.dispatched++;
        fn();
      } else {
        this.cancelledPending--;
        this.fns[slot] = undefined; // a closure's, if it was one
      }
      // settleRoot, inlined: the common case is the handler's event written into the root (the hold).
      const r = this.root;
      if (r !== ROOT_OK) {
        this.root = ROOT_OK;
        if (r === ROOT_DIRTY) this.siftDown(ROOT, this.hTime[ROOT], this.hSlot[ROOT]);
        else this.closeRoot();
      }
    }
    if (until !== Infinity && until > this.now) this.now = until;
    return { events, stoppedBy: 'empty' };
  }

  // ---------------------------------------------------------------------------------------------------

  private push(time: number, type: number, arg: number, priority: number): number {
    // One mask test rejects negatives, fractions, NaN and > MAX_PRIORITY, any of which would break the
    // exact (priority, seq) key and with it FIFO order at ties; the seq test keeps that key exact.
    if ((priority & MAX_PRIORITY) !== priority || this.seq >= SEQ_SPACE) badPush(priority);
    const slot = this.freeCount > 0 ? this.freeSlots[--this.freeCount] : this.newSlot();
    const tie = priority * SEQ_SPACE + this.seq++;
    this.rF[4 * slot] = tie;
    this.rF[4 * slot + 1] = arg;
    this.rI[8 * slot + 4] = type;
    if (this.root === ROOT_HOLE && (this.bSize === 0 || time !== this.bTime)) {
      // Fused pop + push: the new event takes the dispatched root's place; run() sinks it afterwards.
      this.root = ROOT_DIRTY;
      this.hTime[ROOT] = time;
      this.hSlot[ROOT] = slot;
    } else this.insert(time, tie, slot);
    return this.rI[8 * slot + 5] * SLOT_SPACE + slot;
  }

  private insert(time: number, tie: number, slot: number): void {
    if (this.bSize > 0 && time === this.bTime) this.pushBatch(tie, slot);
    else {
      if (this.root === ROOT_DIRTY) this.settleRoot(); // a sift-up needs a heap in order above it
      if (ROOT + this.size + PAD >= this.hTime.length) this.growHeap();
      this.siftUp(ROOT + this.size++, time, slot);
    }
  }

  private siftUp(p: number, time: number, slot: number): void {
    const hTime = this.hTime;
    const hSlot = this.hSlot;
    while (p > ROOT) {
      const q = ((p - 4) >> 2) + ROOT;
      const qt = hTime[q];
      if (qt <= time) break;
      hTime[p] = qt;
      hSlot[p] = hSlot[q];
      p = q;
    }
    hTime[p] = time;
    hSlot[p] = slot;
  }

  /** Places (time, slot) at position p and sifts it down over the `size` entries. */
  private siftDown(p: number, time: number, slot: number): void {
    const hTime = this.hTime;
    const hSlot = this.hSlot;
    const end = ROOT + this.size;
    for (;;) {
      const c = 4 * p - 8;
      if (c >= end) break;
      // Tournament: the smaller of each pair, then of the two winners, as 0/1 arithmetic (no branch).
      const t0 = hTime[c];
      const t1 = hTime[c + 1];
      const t2 = hTime[c + 2];
      const t3 = hTime[c + 3];
      const c10 = +(t1 < t0);
      const c20 = +(t2 < t0);
      const c30 = +(t3 < t0);
      const c21 = +(t2 < t1);
      const c31 = +(t3 < t1);
      const c32 = +(t3 < t2);
      const m = c + ((c10 & ~(c21 | c31)) | ((c20 & c21 & ~c32) << 1) | (3 * (c30 & c31 & c32)));
      const mt = hTime[m];
      if (time <= mt) break;
      hTime[p] = mt;
      hSlot[p] = hSlot[m];
      p = m;
    }
    hTime[p] = time;
    hSlot[p] = slot;
  }

  /** Removes the root (a hole or a cancelled event): the last entry takes its place and sinks. */
  private closeRoot(): void {
    const last = ROOT + --this.size;
    const time = this.hTime[last];
    const slot = this.hSlot[last];
    // Pad the vacated position before sifting, so the sift never sees the moved entry twice.
    this.hTime[last] = Infinity;
    this.hSlot[last] = PAD_SLOT;
    if (last === ROOT) return;
    this.siftDown(ROOT, time, slot);
  }

  /** Restores heap order at the root after a dispatch: removes a hole, or sinks the event written there. */
  private settleRoot(): void {
    const r = this.root;
    if (r === ROOT_OK) return;
    this.root = ROOT_OK;
    if (r === ROOT_HOLE) this.closeRoot();
    else this.siftDown(ROOT, this.hTime[ROOT], this.hSlot[ROOT]);
  }

  /** Drops every cancelled event from the heap (freeing its slot) and rebuilds it bottom-up, O(size). */
  private compact(): void {
    this.settleRoot();
    const hTime = this.hTime;
    const hSlot = this.hSlot;
    const rI = this.rI;
    const end = ROOT + this.size;
    let w = ROOT;
    for (let p = ROOT; p < end; p++) {
      const slot = hSlot[p];
      if (rI[8 * slot + 4] >= CANCELLED) {
        rI[8 * slot + 5] = (rI[8 * slot + 5] + 1) & 0x7ffffff;
        this.freeSlots[this.freeCount++] = slot;
        this.fns[slot] = undefined;
        continue;
      }
      hTime[w] = hTime[p];
      hSlot[w] = slot;
      w++;
    }
    hTime.fill(Infinity, w, end);
    hSlot.fill(PAD_SLOT, w, end);
    this.size = w - ROOT;
    // Floyd's heap construction: sift down every parent, last first. Which of several equal-time events
    // ends up where does not matter: they leave the heap together, through the batch.
    for (let p = ((w - 1 - 4) >> 2) + ROOT; p >= ROOT; p--) this.siftDown(p, hTime[p], hSlot[p]);
    let inBatch = 0;
    for (let i = this.bHead; i < this.bHead + this.bSize; i++) if (rI[8 * this.bSlot[i] + 4] >= CANCELLED) inBatch++;
    this.cancelledPending = inBatch;
    this.cancelledBase = inBatch;
  }

  // ---- the batch (events at one time, ordered by priority and seq) ------------------------------------

  /** Moves every heap event at time t (the heap's minimum) into the batch, in (priority, seq) order. */
  private fillBatch(t: number): void {
    this.bTime = t;
    this.bHead = 0;
    let n = 0;
    while (this.size > 0 && this.hTime[ROOT] === t) {
      if (n === this.bTie.length) this.growBatch();
      const slot = this.hSlot[ROOT];
      this.bTie[n] = this.rF[4 * slot];
      this.bSlot[n++] = slot;
      this.closeRoot();
    }
    this.bSize = n;
    this.sortBatch(n);
  }

  /**
   * Sorts batch entries [0, n) by tie. Performance: ties are exact integers (priority·2^44 + seq), and the
   * ties of one instant usually span a narrow range of seq: within 8n, each entry goes straight to its
   * place (a direct-address pass); within 2^27, (tie − min)·2^26 + slot packs an entry into one exact
   * float64 for a native numeric sort; otherwise (priorities mixed in a large batch) an index sort.
   */
  private sortBatch(n: number): void {
    const bTie = this.bTie;
    const bSlot = this.bSlot;
    if (n <= 16) {
      for (let i = 1; i < n; i++) {
        const tie = bTie[i];
        const slot = bSlot[i];
        let j = i;
        for (; j > 0 && bTie[j - 1] > tie; j--) {
          bTie[j] = bTie[j - 1];
          bSlot[j] = bSlot[j - 1];
        }
        bTie[j] = tie;
        bSlot[j] = slot;
      }
      return;
    }
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      if (bTie[i] < min) min = bTie[i];
      if (bTie[i] > max) max = bTie[i];
    }
    const range = max - min + 1;
    if (range <= 8 * n) {
      // The common case (one instant's events, scheduled close together): a direct-address pass, O(n + range).
      if (this.bDirect.length < range) this.bDirect = new Int32Array(Math.max(range, 2 * this.bDirect.length));
      const direct = this.bDirect;
      direct.fill(-1, 0, range);
      for (let i = 0; i < n; i++) direct[bTie[i] - min] = bSlot[i];
      let j = 0;
      for (let r = 0; r < range; r++) {
        const slot = direct[r];
        if (slot >= 0) {
          bTie[j] = min + r;
          bSlot[j++] = slot;
        }
      }
      return;
    }
    if (this.bKey.length < n) this.bKey = new Float64Array(this.bTie.length);
    const key = this.bKey;
    if (max - min < PACK_RANGE) {
      for (let i = 0; i < n; i++) key[i] = (bTie[i] - min) * SLOT_SPACE + bSlot[i];
      key.subarray(0, n).sort();
      for (let i = 0; i < n; i++) {
        const k = key[i];
        const slot = k % SLOT_SPACE;
        bSlot[i] = slot;
        bTie[i] = min + (k - slot) / SLOT_SPACE;
      }
      return;
    }
    const order = Int32Array.from({ length: n }, (_, i) => i).sort((x, y) => bTie[x] - bTie[y]);
    const slots = Int32Array.from(order, (i) => bSlot[i]);
    for (let i = 0; i < n; i++) key[i] = bTie[order[i]];
    bTie.set(key.subarray(0, n));
    bSlot.set(slots);
  }

  /** An event scheduled for bTime while the batch runs: inserted in order (usually at the end). */
  private pushBatch(tie: number, slot: number): void {
    if (this.bHead + this.bSize === this.bTie.length) {
      if (this.bHead > 0) {
        this.bTie.copyWithin(0, this.bHead, this.bHead + this.bSize);
        this.bSlot.copyWithin(0, this.bHead, this.bHead + this.bSize);
        this.bHead = 0;
      } else this.growBatch();
    }
    const bTie = this.bTie;
    const bSlot = this.bSlot;
    let i = this.bHead + this.bSize++;
    for (; i > this.bHead && bTie[i - 1] > tie; i--) {
      bTie[i] = bTie[i - 1];
      bSlot[i] = bSlot[i - 1];
    }
    bTie[i] = tie;
    bSlot[i] = slot;
  }

  /** Removes and returns the batch's first slot (smallest tie). */
  private popBatch(): number {
    const slot = this.bSlot[this.bHead];
    if (--this.bSize === 0) this.bHead = 0;
    else this.bHead++;
    return slot;
  }

  private growBatch(): void {
    this.bTie = grow(this.bTie, 2 * this.bTie.length);
    this.bSlot = grow(this.bSlot, 2 * this.bSlot.length);
  }

  // ---- storage ----------------------------------------------------------------------------------------

  private newSlot(): number {
    if (this.slotsUsed === this.slotCapacity) this.growSlots();
    if (this.slotsUsed >= SLOT_SPACE) throw new Error('internal: more than 2^26 pending events');
    return this.slotsUsed++;
  }

  private growHeap(): void {
    const old = this.hTime.length;
    this.hTime = grow(this.hTime, 2 * old);
    this.hTime.fill(Infinity, old);
    this.hSlot = grow(this.hSlot, 2 * old); // new entries are PAD_SLOT (0)
  }

  private growSlots(): void {
    const n = this.slotCapacity * 2;
    this.rF = grow(this.rF, 4 * n);
    this.rI = new Int32Array(this.rF.buffer);
    this.freeSlots = grow(this.freeSlots, n);
    this.slotCapacity = n;
  }
}

function badPush(priority: number): never {
  if ((priority & MAX_PRIORITY) !== priority) throw new RangeError(`Priority ${priority} is not an integer in [0, ${MAX_PRIORITY}]`);
  throw new Error('internal: event sequence counter exhausted');
}

function grow<T extends Float64Array | Int32Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}
