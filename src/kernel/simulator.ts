/**
 * The event kernel: a clock and a queue of events ordered by (time, priority, seq).
 *
 * seq is a monotone counter, so events at equal time and priority run in the order they were scheduled
 * (FIFO) and every run is deterministic. The kernel knows nothing about registries, nodes or networks: it
 * moves time and calls handlers.
 *
 * Performance: the queue is a binary heap over typed arrays (struct of arrays). An event is a numeric
 * handler type plus one numeric argument, so the hot path allocates nothing; `call(fn)` exists for the
 * rare events where a closure is clearer.
 */

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
/** Padding entries kept past the heap's end (see siftDown). */
const PAD = 2;
/** The slot of padding entries: never allocated, its tie is +∞ so a pad never wins a tie. */
const PAD_SLOT = 0;

/**
 * Performance (issue 6, goal 2: at least as fast as a bare flatqueue push/pop loop):
 * - the heap moves two arrays per level, time and slot, like flatqueue; the (priority, seq) tie lives with
 *   the slot and is read only when two times are equal;
 * - the smaller child is chosen without a data-dependent branch (see siftDown);
 * - pop and push are fused: the dispatched event's root slot stays a hole while its handler runs, the
 *   first event the handler schedules is written into that hole, and run() sifts it down once after the
 *   handler returns, instead of a sift-down to remove the root and a sift-up to insert (the hold pattern:
 *   most events schedule a successor). schedule() stays small enough to be inlined into handlers;
 * - a freed slot is reused first (LIFO), so the slot the handler's event takes is still in cache.
 * Dispatch order is unchanged by any of this: (time, priority, seq) is a total order.
 */
export class Simulator {
  /** Current simulated time in seconds. */
  now = 0;
  /** Events dispatched so far (cancelled events are not counted). */
  dispatched = 0;

  // Heap arrays (indexed by heap position).
  private hTime: Float64Array;
  private hSlot: Int32Array;
  /** Heap entries, counting the root while it is a hole. */
  private size = 0;
  /** ROOT_OK, or ROOT_HOLE (dispatched, not yet replaced) or ROOT_DIRTY (replaced, not yet sifted). */
  private root = ROOT_OK;

  // Slot arrays (indexed by slot), recycled through a free list.
  private sType: Int32Array;
  private sArg: Float64Array;
  /** priority·2^44 + seq: read only when two times are equal, so it lives with the slot, not in the heap. */
  private sTie: Float64Array;
  private sGen: Int32Array;
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotsUsed = 1; // slot 0 is PAD_SLOT
  private fns: (Handler | (() => void) | undefined)[] = [];

  private seq = 0;
  private handlers: Handler[] = [];

  constructor(initialCapacity = 1024) {
    const n = Math.max(16, initialCapacity + PAD);
    this.hTime = new Float64Array(n).fill(Infinity);
    this.hSlot = new Int32Array(n); // PAD_SLOT
    this.sTie = new Float64Array(n);
    this.sTie[PAD_SLOT] = Infinity;
    this.sType = new Int32Array(n);
    this.sArg = new Float64Array(n);
    this.sGen = new Int32Array(n);
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
    return this.root === ROOT_HOLE ? this.size - 1 : this.size;
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

  /** Lazily cancels a pending event. Cancelling a handle that already ran or was cancelled is a no-op. */
  cancel(handle: number): void {
    const slot = handle % SLOT_SPACE;
    const gen = (handle - slot) / SLOT_SPACE;
    if (slot < this.slotsUsed && this.sGen[slot] === gen) this.sType[slot] |= CANCELLED;
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
    while (this.size > 0) {
      if (events >= maxEvents) return { events, stoppedBy: 'maxEvents' };
      const t = this.hTime[0];
      if (t > until) {
        this.now = until;
        return { events, stoppedBy: 'until' };
      }
      const slot = this.hSlot[0];
      const type = this.sType[slot];
      const arg = this.sArg[slot];
      // Generation bump: the handle of this event is dead from here on, and the slot is free for reuse.
      this.sGen[slot] = (this.sGen[slot] + 1) & 0x7ffffff;
      this.freeSlots[this.freeCount++] = slot;
      if ((type & TYPE_MASK) === CALL_TYPE) {
        const fn = this.fns[slot] as () => void;
        this.fns[slot] = undefined;
        if (type !== CALL_TYPE) {
          this.closeRoot();
          continue;
        }
        this.root = ROOT_HOLE;
        this.now = t;
        events++;
        this.dispatched++;
        fn();
      } else {
        if (type >= CANCELLED) {
          this.closeRoot();
          continue;
        }
        this.root = ROOT_HOLE;
        this.now = t;
        events++;
        this.dispatched++;
        handlers[type](arg);
      }
      this.settleRoot();
    }
    if (until !== Infinity && until > this.now) this.now = until;
    return { events, stoppedBy: 'empty' };
  }

  // ---------------------------------------------------------------------------------------------------

  private push(time: number, type: number, arg: number, priority: number): number {
    if (this.seq >= SEQ_SPACE) throw new Error('internal: event sequence counter exhausted');
    // One mask test rejects negatives, fractions, NaN and > MAX_PRIORITY, any of which would break the
    // exact (priority, seq) key and with it FIFO order at ties.
    if ((priority & MAX_PRIORITY) !== priority) {
      throw new RangeError(`Priority ${priority} is not an integer in [0, ${MAX_PRIORITY}]`);
    }
    const slot = this.freeCount > 0 ? this.freeSlots[--this.freeCount] : this.newSlot();
    this.sType[slot] = type;
    this.sArg[slot] = arg;
    this.sTie[slot] = priority * SEQ_SPACE + this.seq++;
    if (this.root === ROOT_HOLE) {
      // Fused pop + push: the new event takes the dispatched root's place; run() sinks it afterwards.
      this.root = ROOT_DIRTY;
      this.hTime[0] = time;
      this.hSlot[0] = slot;
    } else {
      if (this.root === ROOT_DIRTY) this.settleRoot(); // a sift-up needs a heap in order above it
      // + PAD: the sift reads one entry past the last one.
      if (this.size + PAD >= this.hTime.length) this.growHeap();
      this.siftUp(this.size++, time, slot);
    }
    return this.sGen[slot] * SLOT_SPACE + slot;
  }

  private siftUp(i: number, time: number, slot: number): void {
    const hTime = this.hTime;
    const hSlot = this.hSlot;
    const sTie = this.sTie;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = hTime[p];
      if (pt < time || (pt === time && sTie[hSlot[p]] < sTie[slot])) break;
      hTime[i] = pt;
      hSlot[i] = hSlot[p];
      i = p;
    }
    hTime[i] = time;
    hSlot[i] = slot;
  }

  /**
   * Places (time, slot) at the root and sifts it down over the `size` entries. Performance: the smaller
   * child is picked without a data-dependent branch (a mispredicted branch per level was the kernel's
   * largest cost); entries past `size` are padded with (+∞, PAD_SLOT) so the right child can always be
   * read without a bounds test and a pad never wins.
   */
  private siftDown(time: number, slot: number): void {
    const hTime = this.hTime;
    const hSlot = this.hSlot;
    const sTie = this.sTie;
    const n = this.size;
    let i = 0;
    for (;;) {
      const f = 2 * i + 1;
      if (f >= n) break;
      // The comparison as a 0/1 number; ties are looked up only when times are equal (rare, predictable).
      const t0 = hTime[f];
      const t1 = hTime[f + 1];
      const c = f + (+(t1 < t0) | +(t1 === t0 && sTie[hSlot[f + 1]] < sTie[hSlot[f]]));
      const ct = hTime[c];
      if (time < ct || (time === ct && sTie[slot] < sTie[hSlot[c]])) break;
      hTime[i] = ct;
      hSlot[i] = hSlot[c];
      i = c;
    }
    hTime[i] = time;
    hSlot[i] = slot;
  }

  /** Removes the root (a hole or a cancelled event): the last entry takes its place and sinks. */
  private closeRoot(): void {
    const n = --this.size;
    const time = this.hTime[n];
    const slot = this.hSlot[n];
    // Pad the vacated position before sifting, so the sift never sees the moved entry twice.
    this.hTime[n] = Infinity;
    this.hSlot[n] = PAD_SLOT;
    if (n === 0) {
      this.hTime[0] = Infinity;
      this.hSlot[0] = PAD_SLOT;
      return;
    }
    this.siftDown(time, slot);
  }

  /** Restores heap order at the root after a dispatch: removes a hole, or sinks the event written there. */
  private settleRoot(): void {
    const r = this.root;
    if (r === ROOT_OK) return;
    this.root = ROOT_OK;
    if (r === ROOT_HOLE) this.closeRoot();
    else this.siftDown(this.hTime[0], this.hSlot[0]);
  }

  private newSlot(): number {
    if (this.slotsUsed === this.sType.length) this.growSlots();
    if (this.slotsUsed >= SLOT_SPACE) throw new Error('internal: more than 2^26 pending events');
    return this.slotsUsed++;
  }

  private growHeap(): void {
    const old = this.hTime.length;
    const n = old * 2;
    this.hTime = grow(this.hTime, n);
    this.hSlot = grow(this.hSlot, n); // new entries are PAD_SLOT (0)
    this.hTime.fill(Infinity, old);
  }

  private growSlots(): void {
    const n = this.sType.length * 2;
    this.sType = grow(this.sType, n);
    this.sArg = grow(this.sArg, n);
    this.sTie = grow(this.sTie, n);
    this.sGen = grow(this.sGen, n);
    this.freeSlots = grow(this.freeSlots, n);
  }
}

function grow<T extends Float64Array | Int32Array | Uint8Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}
