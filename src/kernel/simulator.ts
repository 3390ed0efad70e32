/**
 * The event kernel: a clock and a queue of events ordered by (time, priority, seq).
 *
 * seq is a monotone counter, so events at equal time and priority run in the order they were scheduled
 * (FIFO) and every run is deterministic. The kernel knows nothing about registries, nodes or networks: it
 * moves time and calls handlers.
 *
 * Performance: an event is a numeric handler type plus one numeric argument in typed arrays, so the hot
 * path allocates nothing; `call(fn)` exists for the rare events where a closure is clearer. See the
 * class comment for the queue's structure (a radix queue on the bits of the times, not a heap).
 */
import { CHECKS, InvariantError } from './invariant.ts';
import { holeyArray, objectArray, typedArraysReassigned } from '../stable-arrays.ts';

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

/**
 * The kernel's constants. A const enum, so esbuild writes each use as a literal: a module-level const
 * would be a context-slot load (and, unbundled, a hole check) on every use in the hot paths.
 */
const enum K {
  /** Event handles pack (generation, slot) so a stale handle of a recycled slot can never cancel a new event. */
  SLOT_SPACE = 2 ** 26,
  /** priority is packed above seq in one float64 key: priority·2^44 + seq stays exact below 2^53. */
  SEQ_SPACE = 2 ** 44,
  /** Largest priority whose packed key stays exact (511·2^44 + seq < 2^53). */
  MAX_PRIORITY = 511,
  CALL_TYPE = 0,
  /** Set in a slot's type when its event is cancelled: one array read tells type and cancellation apart. */
  CANCELLED = 0x40000000,
  TYPE_MASK = CANCELLED - 1,
  /** Slot 0 is never allocated, so a handle of 0 (or a forged one) never matches a live event. */
  NO_SLOT = 0,
  /** The queue is compacted once more than half of it, and at least this many entries, are cancelled. */
  COMPACT_MIN = 256,
  /** Buckets: index 0 holds times equal to the base; 16·d + v times whose first nibble differing from the base is nibble d, of value v. */
  BUCKETS = 256,
  /** A lowest bucket this small is sorted into the front as a whole instead of being split further (at most BLOCK). */
  FRONT_TAKE = 24,
  /** Buckets are chains of blocks of BLOCK entries in one shared pool, so a drained bucket's memory is reused by any other. */
  LOG_BLOCK = 5,
  BLOCK = 1 << LOG_BLOCK,
  BLOCK_MASK = BLOCK - 1,
  /** A front taken from a bucket of distinct times is spilled back once events scheduled into its range make it this long. */
  FRONT_SPILL = 128,
  /** Ties of one instant spanning less than this pack with their slot into one exact float64 (2^27 · 2^26 = 2^53). */
  PACK_RANGE = 2 ** 27,
  /** Pending events from which a take loads the records of its events ahead of their dispatch (512 KB of records). */
  TOUCH_MIN = 1 << 15,
  /** NORMAL, as a literal for the default parameters. */
  NORMAL = 1,
}
/** Largest priority whose packed key stays exact; priorities are integers in [0, 511]. */
export const MAX_PRIORITY = K.MAX_PRIORITY;

// The radix keys are the bits of a float64 time read as two uint32 words, low word first.
if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('pullsim kernel: needs a little-endian platform');

// A slot's record (16 bytes, two typed-array views of one buffer): arg at F64[2s], type at I32[4s + 2],
// generation at I32[4s + 3]. Its tie (priority·2^44 + seq) is apart, in ties[s]: it is read only when two
// times are equal, and a dispatch touches only the record.

/**
 * Performance (issue 6, goal 2: at least as fast as a bare flatqueue push/pop loop, with FIFO ties):
 * the pending events live in a monotone radix queue keyed by the bits of their times, not in a heap. A
 * binary or 4-ary heap pays a chain of dependent loads and compares, root to leaf, on every event; here
 * scheduling is O(1) and the ordering work is done in sequential passes that the CPU pipelines.
 * - Times are never below `base` (the time of the event that last split a bucket, never after the clock
 *   during dispatch). A time goes to the bucket named by the first 4-bit digit, from the top, where its
 *   bits differ from the base's, and that digit's value: non-negative float64s order like their bits, so
 *   every time in a lower bucket is earlier than every time in a higher one. Bucket 0 holds times equal
 *   to the base.
 * - Events are dispatched from the front, a short array sorted by (time, priority, seq). When it is
 *   empty, the lowest non-empty bucket is either small (or bucket 0), and is sorted into the front whole,
 *   or it is split: its earliest time becomes the base and its events spread over lower buckets. An
 *   event moves down a few buckets in its life (a digit is 4 bits) and is sorted once.
 * - While the front holds bucket b's events, events scheduled into buckets <= b join the front in
 *   order (usually at its end); a front of distinct times that grows past FRONT_SPILL goes back to the
 *   buckets, so a wide front cannot make those insertions quadratic.
 * - FIFO and priorities: all ordering below time is in the front, by the exact key priority·2^44 + seq,
 *   read only when two times are equal.
 * - A freed slot is reused first (LIFO), so the slot a handler's event takes is still in cache.
 */
export class Simulator {
  /**
   * Current simulated time in seconds. Performance: it and the base time's fields start as doubles (set
   * to their real start in the constructor): a field that begins as a small integer and later holds a
   * double changes representation mid-run, which discards every compiled function that touched it.
   */
  now = 0.5;
  /** Events dispatched so far (cancelled events are not counted). */
  dispatched = 0;

  // Buckets: chains of blocks in the pool (an entry's time in poolT, a uint32 view poolU reading its bits,
  // and its slot in poolS). bEnd is the entry index after a bucket's last entry (0: empty; a multiple of
  // BLOCK: its last block is full). Block 0 is never allocated, so entry index 0 is free to mean "empty".
  private poolT: Float64Array;
  private poolU: Uint32Array;
  private poolS: Int32Array;
  private blockNext: Int32Array;
  private freeBlocks: Int32Array;
  private freeBlockCount = 0;
  private blocksUsed = 1;
  private bHead = new Int32Array(K.BUCKETS);
  private bEnd = new Int32Array(K.BUCKETS);
  /** One bit per non-empty bucket. */
  private bMask = new Int32Array(K.BUCKETS / 32);
  /** The base time, and its bits. */
  private base = 0.5;
  private baseLo = 0.5;
  private baseHi = 0.5;
  // The front: times fT and slots fS sorted by (time, tie) in [fHead, fTail); fBucket is the highest
  // bucket whose events join it (-1: none). Slots are kept as integers: a slot read back from a float64
  // array is converted (and checked) on every use as an index.
  private fT = new Float64Array(64);
  private fS = new Int32Array(64);
  private fHead = 0;
  private fTail = 0;
  private fBucket = -1;
  /** Pending entries, front and buckets, counting cancelled ones not yet dropped. */
  private size = 0;
  private scratchF = new Float64Array(1);
  private scratchU = new Uint32Array(this.scratchF.buffer);

  // Scratch for sorting a large bucket 0 (one instant's events) by tie.
  private bTie = new Float64Array(16);
  private bSlot = new Int32Array(16);
  private bKey = new Float64Array(16);
  private bDirect = new Int32Array(64);

  // Slot records, recycled through a free list.
  private rF: Float64Array;
  private ties: Float64Array;
  private rI: Int32Array;
  private slotCapacity: number;
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotsUsed = 1; // slot 0 is NO_SLOT
  private fns = holeyArray<Handler | (() => void) | undefined>();

  private seq = 0;
  private handlers = objectArray<Handler>();
  /** Cancelled events not yet dropped. */
  private cancelledPending = 0;
  /** Sink for the record loads a take issues early (kept so the JIT cannot drop them). */
  private touched = 0;
  /**
   * K.SLOT_SPACE in a field that holds a double (set in the constructor), for the handle's multiply.
   * Performance: with the literal, that multiply learnt "small integers" from the first handles, and the
   * first handle past 2^31 (a slot's 32nd generation, early in every run) discarded `push` and every
   * compiled function it was inlined into (`startFlow`). A double operand makes it a
   * double multiply from the start, which is what the code became after that discard anyway.
   */
  private slotSpace = 0.5;

  constructor(initialCapacity = 1024) {
    this.now = 0;
    this.slotSpace = K.SLOT_SPACE;
    this.base = 0;
    this.baseLo = 0;
    this.baseHi = 0;
    const n = Math.max(16, initialCapacity + 1);
    this.slotCapacity = n;
    this.rF = new Float64Array(2 * n);
    this.rI = new Int32Array(this.rF.buffer);
    this.ties = new Float64Array(n);
    this.freeSlots = new Int32Array(n);
    // n entries in full blocks, a part-filled last block per bucket, and a split's reserve (splitReserve).
    const blocks = (n >> K.LOG_BLOCK) + 2 * K.BUCKETS + 2;
    this.poolT = new Float64Array(K.BLOCK * blocks);
    this.poolU = new Uint32Array(this.poolT.buffer);
    this.poolS = new Int32Array(K.BLOCK * blocks);
    this.blockNext = new Int32Array(blocks);
    this.freeBlocks = new Int32Array(blocks);
    this.handlers.push(() => {
      throw new Error('internal: CALL_TYPE dispatched through the handler table');
    });
    // The front and the instant-sorting scratch grow by replacement mid-run (a cluster in lockstep puts
    // thousands of events at one instant). The records and the pool grow too, but are assigned here
    // already, which V8 counts as a reassignment; the other fields stay constant, their loads hoisted.
    typedArraysReassigned(this, ['fT', 'fS', 'bTie', 'bSlot', 'bKey', 'bDirect']);
  }

  /** Registers a handler and returns its numeric event type. */
  register(handler: Handler): number {
    if (this.handlers.length > K.TYPE_MASK) throw new Error('internal: too many event types');
    this.handlers.push(handler);
    return this.handlers.length - 1;
  }

  /** Number of events waiting (including lazily cancelled ones not yet dropped). */
  get pending(): number {
    return this.size;
  }

  /** Schedules event `type` with `arg` after `delay` seconds. Returns a handle for `cancel`. */
  schedule(delay: number, type: number, arg = 0, priority: number = K.NORMAL): number {
    if (!(delay >= 0)) throw new RangeError(`Negative or invalid delay ${delay}`);
    return this.push(this.now + delay, type, arg, priority);
  }

  /** Schedules event `type` at absolute `time` (must not be in the past). */
  scheduleAt(time: number, type: number, arg = 0, priority: number = K.NORMAL): number {
    if (!(time >= this.now)) throw new RangeError(`Event time ${time} is before now ${this.now}`);
    return this.push(time, type, arg, priority);
  }

  /** Schedules a closure. Convenient for rare events; hot paths should use `schedule` with a handler type. */
  call(delay: number, fn: () => void, priority: number = K.NORMAL): number {
    if (!(delay >= 0)) throw new RangeError(`Negative or invalid delay ${delay}`);
    const handle = this.push(this.now + delay, K.CALL_TYPE, 0, priority);
    this.fns[handle % K.SLOT_SPACE] = fn;
    return handle;
  }

  /**
   * Lazily cancels a pending event. Cancelling a handle that already ran or was cancelled is a no-op.
   * Performance: a cancelled event stays queued until it is reached, unless cancelled events pile up
   * (models that re-time an event by cancel + schedule, like P2P piece transfers, can leave several dead
   * entries per live one): then the queue is compacted in one linear pass.
   */
  cancel(handle: number): void {
    const slot = handle % K.SLOT_SPACE;
    const gen = (handle - slot) / K.SLOT_SPACE;
    const rI = this.rI;
    if (slot > K.NO_SLOT && slot < this.slotsUsed && rI[4 * slot + 3] === gen && rI[4 * slot + 2] < K.CANCELLED) {
      rI[4 * slot + 2] |= K.CANCELLED;
      const dead = ++this.cancelledPending;
      if (dead >= K.COMPACT_MIN && 2 * dead > this.size) this.compact();
    }
  }

  /** Dispatches events in order until the queue is empty, `until` is passed or `maxEvents` ran. */
  run(options: RunOptions = {}): RunStats {
    const until = options.until ?? Infinity;
    const maxEvents = options.maxEvents ?? Infinity;
    // Without this check `until` < now would move the clock backwards when the run stops.
    if (!(until >= this.now)) throw new RangeError(`run until ${until} is before now ${this.now}`);
    const before = this.dispatched;
    const stop = this.dispatchLoop(until, maxEvents);
    const events = this.dispatched - before;
    if (stop === STOP_EMPTY) {
      if (until !== Infinity && until > this.now) this.now = until;
      return { events, stoppedBy: 'empty' };
    }
    if (stop === STOP_MAX_EVENTS) return { events, stoppedBy: 'maxEvents' };
    this.now = until;
    return { events, stoppedBy: 'until' };
  }

  /**
   * The dispatch loop of `run`; returns why it stopped. Performance: the loop is optimized while it runs
   * (on-stack replacement), before any of its exits has run, and optimized code that reaches a path it has
   * never seen run is discarded. Its exits are therefore bare returns of a constant, and `run` builds the
   * result: otherwise the first return after a slice (simulateRunSteps) or at the end of a run would
   * discard the loop with every handler inlined into it, and compile it again.
   */
  private dispatchLoop(until: number, maxEvents: number): number {
    let events = 0;
    const handlers = this.handlers;
    // Read once: an imported binding is a load (and, unbundled, a check) on every use.
    const checks = CHECKS;
    for (;;) {
      let h = this.fHead;
      if (h === this.fTail) {
        if (this.size === 0) return STOP_EMPTY;
        if (events >= maxEvents) return STOP_MAX_EVENTS;
        this.refill();
        h = 0;
      } else if (events >= maxEvents) return STOP_MAX_EVENTS;
      const t = this.fT[h];
      if (t > until) return STOP_UNTIL;
      const slot = this.fS[h];
      this.fHead = h + 1;
      this.size--;
      // Invariant, one compare per event: simulated time never goes backwards.
      if (checks && t < this.now) throw new InvariantError('simulated time never goes backwards', `an event at t=${t} after t=${this.now}`);
      const rI = this.rI;
      const type = rI[4 * slot + 2];
      // Generation bump: the handle of this event is dead from here on, and the slot is free for reuse.
      rI[4 * slot + 3] = (rI[4 * slot + 3] + 1) & 0x7ffffff;
      this.freeSlots[this.freeCount++] = slot;
      if (type < K.CANCELLED && type !== K.CALL_TYPE) {
        this.now = t;
        events++;
        this.dispatched++;
        handlers[type](this.rF[2 * slot]);
      } else if (type === K.CALL_TYPE) {
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
    }
  }

  // ---------------------------------------------------------------------------------------------------

  private push(time: number, type: number, arg: number, priority: number): number {
    // One mask test rejects negatives, fractions, NaN and > MAX_PRIORITY, any of which would break the
    // exact (priority, seq) key and with it FIFO order at ties; the seq test keeps that key exact.
    if ((priority & K.MAX_PRIORITY) !== priority || this.seq >= K.SEQ_SPACE) badPush(priority);
    const slot = this.freeCount > 0 ? this.freeSlots[--this.freeCount] : this.newSlot();
    const tie = priority * K.SEQ_SPACE + this.seq++;
    const rI = this.rI;
    this.ties[slot] = tie;
    this.rF[2 * slot] = arg;
    rI[4 * slot + 2] = type;
    // + 0 turns −0 into 0, whose bits order correctly.
    time += 0;
    // Below the base only after a run stopped (until, maxEvents) just after a split.
    if (time < this.base) this.rebase(time);
    const b = this.bucketOf(time);
    if (b <= this.fBucket) this.frontInsert(time, tie, slot);
    else this.append(b, time, slot);
    this.size++;
    return rI[4 * slot + 3] * this.slotSpace + slot;
  }

  private bucketOf(time: number): number {
    this.scratchF[0] = time;
    return bucketFor(this.scratchU[0], this.scratchU[1], this.baseLo, this.baseHi);
  }

  private append(b: number, time: number, slot: number): void {
    let e = this.bEnd[b];
    if ((e & K.BLOCK_MASK) === 0) e = this.newBlock(b, e);
    this.poolT[e] = time;
    this.poolS[e] = slot;
    this.bEnd[b] = e + 1;
  }

  /** Inserts into the sorted front, from its end (a new event's seq is the largest so far). */
  private frontInsert(time: number, tie: number, slot: number): void {
    if (this.fBucket > 0 && this.fTail - this.fHead >= K.FRONT_SPILL) {
      this.spillFront();
      this.append(this.bucketOf(time), time, slot);
      return;
    }
    if (this.fTail === this.fT.length) this.frontRoom(1);
    const fT = this.fT;
    const fS = this.fS;
    const ties = this.ties;
    const head = this.fHead;
    let i = this.fTail++;
    for (; i > head; i--) {
      const pt = fT[i - 1];
      if (pt < time || (pt === time && ties[fS[i - 1]] < tie)) break;
      fT[i] = pt;
      fS[i] = fS[i - 1];
    }
    fT[i] = time;
    fS[i] = slot;
  }

  /** Makes room for `extra` more front entries: moves them to the start, or grows the arrays. */
  private frontRoom(extra: number): void {
    const n = this.fTail - this.fHead;
    if (n + extra > this.fT.length / 2) {
      const size = Math.max(2 * this.fT.length, 2 * (n + extra));
      const t = new Float64Array(size);
      const s = new Int32Array(size);
      t.set(this.fT.subarray(this.fHead, this.fTail));
      s.set(this.fS.subarray(this.fHead, this.fTail));
      this.fT = t;
      this.fS = s;
    } else {
      this.fT.copyWithin(0, this.fHead, this.fTail);
      this.fS.copyWithin(0, this.fHead, this.fTail);
    }
    this.fHead = 0;
    this.fTail = n;
  }

  /** An empty front with room for n entries. */
  private frontFor(n: number): void {
    this.fHead = 0;
    this.fTail = 0;
    if (n > this.fT.length) {
      const size = Math.max(2 * n, this.fT.length);
      this.fT = new Float64Array(size);
      this.fS = new Int32Array(size);
    }
  }

  /** Returns the front's events to the buckets (their buckets are at most fBucket, all empty now). */
  private spillFront(): void {
    const fT = this.fT;
    const fS = this.fS;
    const head = this.fHead;
    const tail = this.fTail;
    this.fHead = 0;
    this.fTail = 0;
    this.fBucket = -1;
    for (let i = head; i < tail; i++) this.append(this.bucketOf(fT[i]), fT[i], fS[i]);
  }

  /**
   * The front is empty: takes the lowest non-empty bucket into it, splitting buckets that are too large
   * around their earliest time (which becomes the base) until one is small or holds a single time.
   */
  private refill(): void {
    this.fHead = 0;
    this.fTail = 0;
    const mask = this.bMask;
    for (;;) {
      let w = 0;
      while (mask[w] === 0) w++;
      const x = mask[w];
      const b = 32 * w + 31 - Math.clz32(x & -x);
      mask[w] = x & (x - 1);
      const head = this.bHead[b];
      const e = this.bEnd[b];
      this.bEnd[b] = 0;
      // Within one block iff 0 < n <= BLOCK: a chain's last block is never its first.
      let n = e - (head << K.LOG_BLOCK);
      if (n > 0 && n <= K.FRONT_TAKE) {
        // One block.
        this.takeIntoFront(b, head << K.LOG_BLOCK, n);
        this.freeBlocks[this.freeBlockCount++] = head;
        return;
      }
      if (n <= 0 || n > K.BLOCK) n = this.chainCount(head, e);
      if (b === 0) {
        this.takeInstant(head, n);
        return;
      }
      this.split(head, n);
    }
  }

  /**
   * Spreads a bucket's n events (its chain starts at block `head`) over lower buckets, around their
   * earliest time. Performance: the loop makes no calls (a block comes from the free list or the unused
   * tail of the pool, reserved beforehand), so the JIT keeps the arrays' checks out of it.
   */
  private split(head: number, n: number): void {
    this.splitReserve();
    const poolT = this.poolT;
    const poolU = this.poolU;
    const poolS = this.poolS;
    const next = this.blockNext;
    const free = this.freeBlocks;
    const mi = this.earliest(head, n);
    const mt = poolT[mi];
    const baseLo = poolU[2 * mi];
    const baseHi = poolU[2 * mi + 1];
    this.base = mt;
    this.baseLo = baseLo;
    this.baseHi = baseHi;
    this.fBucket = -1;
    const end = this.bEnd;
    const bHead = this.bHead;
    const mask = this.bMask;
    let freeCount = this.freeBlockCount;
    let used = this.blocksUsed;
    for (let k = head, left = n; left > 0; ) {
      const at = k << K.LOG_BLOCK;
      const stop = at + (left < K.BLOCK ? left : K.BLOCK);
      left -= K.BLOCK;
      for (let i = at; i < stop; i++) {
        const lo = poolU[2 * i];
        const hi = poolU[2 * i + 1];
        const nb = bucketFor(lo, hi, baseLo, baseHi);
        let e = end[nb];
        if ((e & K.BLOCK_MASK) === 0) {
          // The bucket's last block is full (or it has none): chain a new one, as newBlock does.
          const nk = freeCount > 0 ? free[--freeCount] : used++;
          if (e === 0) {
            bHead[nb] = nk;
            mask[nb >> 5] |= 1 << (nb & 31);
          } else next[(e >> K.LOG_BLOCK) - 1] = nk;
          e = nk << K.LOG_BLOCK;
        }
        poolT[e] = poolT[i];
        poolS[e] = poolS[i];
        end[nb] = e + 1;
      }
      // Block k is read: any bucket may take it from here on.
      const nk = next[k];
      free[freeCount++] = k;
      k = nk;
    }
    this.freeBlockCount = freeCount;
    this.blocksUsed = used;
  }

  /**
   * The pool index of the earliest of the n events in the chain from block `head`. Performance: a loop of
   * its own, so a large split's scan is compiled (on-stack) here; inside split, the code after the scan
   * had no type feedback when the scan was compiled mid-loop, and the hold benchmark at 1e5 pending
   * discarded and recompiled split ~50 times over that (`--trace-deopt`), now 4.
   */
  private earliest(head: number, n: number): number {
    const poolT = this.poolT;
    const next = this.blockNext;
    let mi = 0;
    let mt = Infinity;
    for (let k = head, left = n; left > 0; k = next[k]) {
      const at = k << K.LOG_BLOCK;
      const stop = at + (left < K.BLOCK ? left : K.BLOCK);
      left -= K.BLOCK;
      for (let i = at; i < stop; i++) {
        const t = poolT[i];
        if (t < mt) {
          mt = t;
          mi = i;
        }
      }
    }
    return mi;
  }

  /**
   * Makes sure a split never runs out of blocks: the buckets it fills are all empty before it, so it
   * needs at most one block per target bucket beyond the blocks it reads (and frees) as it goes.
   */
  private splitReserve(): void {
    if (this.freeBlockCount + this.blockNext.length - this.blocksUsed <= K.BUCKETS) this.growPool();
  }

  /** Sorts bucket b's n <= FRONT_TAKE events (entries [at, at + n) of the pool, one block) into the empty front. */
  private takeIntoFront(b: number, at: number, n: number): void {
    this.fBucket = b;
    const fT = this.fT;
    const fS = this.fS;
    const poolT = this.poolT;
    const poolS = this.poolS;
    this.fTail = n;
    fT[0] = poolT[at];
    fS[0] = poolS[at];
    // The commonest take (a third of them in the hold benchmark): nothing to sort. Performance: it is
    // tested here, not before the call, so the call runs from the first take on; optimized code that
    // reaches a call it never saw run is discarded (here, the dispatch loop that inlined refill).
    if (n === 1) return;
    // A large queue's records are out of cache: they are loaded here, early and together, so the misses
    // overlap instead of stalling dispatch one by one. A small queue's are in cache, and the pass would
    // only cost.
    if (this.size >= K.TOUCH_MIN) {
      const rI = this.rI;
      let touch = 0;
      for (let j = at; j < at + n; j++) touch += rI[4 * poolS[j] + 2];
      this.touched = touch;
    }
    const ties = this.ties;
    // Insertion sort: small n, and the tie is read only when two times are equal.
    for (let j = 1; j < n; j++) {
      const time = poolT[at + j];
      const slot = poolS[at + j];
      let i = j;
      for (; i > 0; i--) {
        const pt = fT[i - 1];
        if (pt < time || (pt === time && ties[fS[i - 1]] < ties[slot])) break;
        fT[i] = pt;
        fS[i] = fS[i - 1];
      }
      fT[i] = time;
      fS[i] = slot;
    }
  }

  /** Bucket 0's n > FRONT_TAKE events (one instant's, e.g. a cluster in lockstep) into the empty front, sorted by tie alone. */
  private takeInstant(head: number, n: number): void {
    this.fBucket = 0;
    this.frontFor(n);
    this.fTail = n;
    if (this.bTie.length < n) {
      this.bTie = new Float64Array(2 * n);
      this.bSlot = new Int32Array(2 * n);
    }
    const poolS = this.poolS;
    const t = this.poolT[head << K.LOG_BLOCK];
    let j = 0;
    for (let k = head; j < n; k = this.blockNext[k]) {
      const at = k << K.LOG_BLOCK;
      const stop = at + (n - j < K.BLOCK ? n - j : K.BLOCK);
      for (let i = at; i < stop; i++) {
        const slot = poolS[i];
        this.bTie[j] = this.ties[slot];
        this.bSlot[j++] = slot;
      }
      this.freeBlocks[this.freeBlockCount++] = k;
    }
    this.sortTies(n);
    const fT = this.fT;
    fT.fill(t, 0, n);
    this.fS.set(this.bSlot.subarray(0, n));
  }

  /**
   * A time below the base (only possible after a run stopped just after a split): every pending event
   * is re-bucketed around it. Linear, and rare.
   */
  private rebase(time: number): void {
    const pairs: number[] = [];
    for (let i = this.fHead; i < this.fTail; i++) pairs.push(this.fT[i], this.fS[i]);
    this.fHead = 0;
    this.fTail = 0;
    this.fBucket = -1;
    for (let b = 0; b < K.BUCKETS; b++) {
      const n = this.bEnd[b] === 0 ? 0 : this.chainCount(this.bHead[b], this.bEnd[b]);
      let j = 0;
      for (let k = this.bHead[b]; j < n; k = this.blockNext[k]) {
        const at = k << K.LOG_BLOCK;
        const stop = at + (n - j < K.BLOCK ? n - j : K.BLOCK);
        for (let i = at; i < stop; i++, j++) pairs.push(this.poolT[i], this.poolS[i]);
      }
    }
    this.bEnd.fill(0);
    this.bMask.fill(0);
    // Every block is free again.
    this.freeBlockCount = 0;
    this.blocksUsed = 1;
    this.scratchF[0] = time;
    this.base = time;
    this.baseLo = this.scratchU[0];
    this.baseHi = this.scratchU[1];
    for (let i = 0; i < pairs.length; i += 2) this.append(this.bucketOf(pairs[i]), pairs[i], pairs[i + 1]);
  }

  /** Drops every cancelled event from the front and the buckets, freeing its slot, in one linear pass. */
  private compact(): void {
    const fT = this.fT;
    const fS = this.fS;
    let w = this.fHead;
    for (let i = this.fHead; i < this.fTail; i++) {
      const slot = fS[i];
      if (this.dropIfCancelled(slot)) continue;
      fT[w] = fT[i];
      fS[w] = slot;
      w++;
    }
    let kept = w - this.fHead;
    this.fTail = w;
    const poolT = this.poolT;
    const poolS = this.poolS;
    const next = this.blockNext;
    for (let b = 0; b < K.BUCKETS; b++) {
      if (this.bEnd[b] === 0) continue;
      const n = this.chainCount(this.bHead[b], this.bEnd[b]);
      // Survivors are written back along the same chain; the write position never passes the read one.
      const head = this.bHead[b];
      let wk = head;
      let wi = 0;
      let m = 0;
      for (let k = head, left = n; left > 0; k = next[k]) {
        const at = k << K.LOG_BLOCK;
        const stop = at + (left < K.BLOCK ? left : K.BLOCK);
        left -= K.BLOCK;
        for (let i = at; i < stop; i++) {
          const slot = poolS[i];
          if (this.dropIfCancelled(slot)) continue;
          if (wi === K.BLOCK) {
            wk = next[wk];
            wi = 0;
          }
          const e = (wk << K.LOG_BLOCK) + wi++;
          poolT[e] = poolT[i];
          poolS[e] = slot;
          m++;
        }
      }
      // Blocks past the survivors go back to the free list.
      const keep = (m + K.BLOCK_MASK) >> K.LOG_BLOCK;
      const blocks = (n + K.BLOCK_MASK) >> K.LOG_BLOCK;
      for (let c = 0, k = head; c < blocks; c++, k = next[k]) if (c >= keep) this.freeBlocks[this.freeBlockCount++] = k;
      if (m === 0) {
        this.bEnd[b] = 0;
        this.bMask[b >> 5] &= ~(1 << (b & 31));
      } else this.bEnd[b] = (wk << K.LOG_BLOCK) + wi;
      kept += m;
    }
    this.size = kept;
    this.cancelledPending = 0;
  }

  private dropIfCancelled(slot: number): boolean {
    const rI = this.rI;
    if (rI[4 * slot + 2] < K.CANCELLED) return false;
    rI[4 * slot + 3] = (rI[4 * slot + 3] + 1) & 0x7ffffff;
    this.freeSlots[this.freeCount++] = slot;
    this.fns[slot] = undefined;
    return true;
  }

  /**
   * Sorts bTie/bSlot [0, n) by tie. Performance: ties are exact integers (priority·2^44 + seq), and the
   * ties of one instant usually span a narrow range of seq: within 8n, each entry goes straight to its
   * place (a direct-address pass); within 2^27, (tie − min)·2^26 + slot packs an entry into one exact
   * float64 for a native numeric sort; otherwise (priorities mixed in a large instant) an index sort.
   */
  private sortTies(n: number): void {
    const bTie = this.bTie;
    const bSlot = this.bSlot;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      if (bTie[i] < min) min = bTie[i];
      if (bTie[i] > max) max = bTie[i];
    }
    const range = max - min + 1;
    if (range <= 8 * n) {
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
    if (max - min < K.PACK_RANGE) {
      for (let i = 0; i < n; i++) key[i] = (bTie[i] - min) * K.SLOT_SPACE + bSlot[i];
      key.subarray(0, n).sort();
      for (let i = 0; i < n; i++) {
        const k = key[i];
        const slot = k % K.SLOT_SPACE;
        bSlot[i] = slot;
        bTie[i] = min + (k - slot) / K.SLOT_SPACE;
      }
      return;
    }
    const order = Int32Array.from({ length: n }, (_, i) => i).sort((x, y) => bTie[x] - bTie[y]);
    const slots = Int32Array.from(order, (i) => bSlot[i]);
    for (let i = 0; i < n; i++) key[i] = bTie[order[i]];
    bTie.set(key.subarray(0, n));
    bSlot.set(slots);
  }

  // ---- storage ----------------------------------------------------------------------------------------

  /** The number of entries in the chain from block `head` to end index e (> 0). */
  private chainCount(head: number, e: number): number {
    const last = (e - 1) >> K.LOG_BLOCK;
    let c = 0;
    for (let k = head; k !== last; k = this.blockNext[k]) c += K.BLOCK;
    return c + e - (last << K.LOG_BLOCK);
  }

  /** Starts a new last block for bucket b, whose end index is e (0: the bucket is empty); returns the new end. */
  private newBlock(b: number, e: number): number {
    const k = this.freeBlockCount > 0 ? this.freeBlocks[--this.freeBlockCount] : this.unusedBlock();
    if (e === 0) {
      this.bHead[b] = k;
      this.bMask[b >> 5] |= 1 << (b & 31);
    } else this.blockNext[(e >> K.LOG_BLOCK) - 1] = k;
    return k << K.LOG_BLOCK;
  }

  private unusedBlock(): number {
    if (this.blocksUsed === this.blockNext.length) this.growPool();
    return this.blocksUsed++;
  }

  private growPool(): void {
    const n = 2 * this.blockNext.length;
    this.poolT = grow(this.poolT, K.BLOCK * n);
    this.poolU = new Uint32Array(this.poolT.buffer);
    this.poolS = grow(this.poolS, K.BLOCK * n);
    this.blockNext = grow(this.blockNext, n);
    this.freeBlocks = grow(this.freeBlocks, n);
  }

  private newSlot(): number {
    if (this.slotsUsed === this.slotCapacity) this.growSlots();
    if (this.slotsUsed >= K.SLOT_SPACE) throw new Error('internal: more than 2^26 pending events');
    return this.slotsUsed++;
  }

  private growSlots(): void {
    const n = this.slotCapacity * 2;
    this.rF = grow(this.rF, 2 * n);
    this.rI = new Int32Array(this.rF.buffer);
    this.ties = grow(this.ties, n);
    this.freeSlots = grow(this.freeSlots, n);
    this.slotCapacity = n;
  }
}

/**
 * The bucket of a time whose bits are (lo, hi), against a base whose bits are (baseLo, baseHi): the high
 * word decides unless it equals the base's, then the low word does (buckets 0–127). Performance: one
 * function with one clz32 call serves every caller, so the call has type feedback as soon as any caller
 * ran it; the low-word case is rare (times within microseconds of the base), and optimized code that
 * reaches a call it never saw run is discarded.
 */
function bucketFor(lo: number, hi: number, baseLo: number, baseHi: number): number {
  let d = hi ^ baseHi;
  let word = hi;
  let offset = 128;
  if (d === 0) {
    d = lo ^ baseLo;
    if (d === 0) return 0;
    word = lo;
    offset = 0;
  }
  const s = (31 - Math.clz32(d)) & ~3;
  return offset + 4 * s + ((word >>> s) & 15);
}

/** Why `dispatchLoop` stopped. */
const STOP_EMPTY = 0;
const STOP_UNTIL = 1;
const STOP_MAX_EVENTS = 2;

function badPush(priority: number): never {
  if ((priority & K.MAX_PRIORITY) !== priority) throw new RangeError(`Priority ${priority} is not an integer in [0, ${K.MAX_PRIORITY}]`);
  throw new Error('internal: event sequence counter exhausted');
}

function grow<T extends Float64Array | Int32Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

let primed = false;

/**
 * Makes the dispatch loop's two call sites (registered handlers, closures) megamorphic in this thread
 * before a simulation's first events compile the loop. Performance: every model registers several
 * handler types, so those sites end megamorphic anyway; until then TurboFan compiled the loop
 * speculating on the handlers seen so far and discarded it at each new one ("wrong call target": the
 * loop compiled 4 times in the seed's Docker Hub and ECR variants on one thread). A throwaway simulator
 * dispatches six handlers and six closures of distinct functions, once per thread (a call site that has
 * seen two targets is megamorphic); the model's own simulators are untouched. Seed, one thread,
 * callgrind: Docker Hub + ECR 9.787 → 9.682 G instructions, private registry alone 6.100 → 6.056 G,
 * ECR alone 6.074 → 6.037 G. The kernel benchmarks do not call it, and `pullsim bench` runs them before
 * any simulation, so their loops stay monomorphic.
 */
export function primeDispatch(): void {
  if (primed) return;
  primed = true;
  const s = new Simulator();
  let x = 0;
  const handlers: Handler[] = [
    (a) => (x += a),
    (a) => (x -= a),
    (a) => (x *= a),
    (a) => (x = a),
    (a) => (x ^= a),
    (a) => (x |= a),
  ];
  const calls = [() => x++, () => x--, () => (x += 2), () => (x -= 2), () => (x = 0), () => (x = 1)];
  const types = handlers.map((h) => s.register(h));
  // Several runs: V8 allocates a function's feedback vector only after a few calls (without
  // --always-sparkplug, which the CLI sets), and call sites learn nothing before it has one.
  for (let k = 0; k < 12; k++) {
    for (let i = 0; i < types.length; i++) {
      s.schedule(i, types[i], 1);
      s.call(i + 0.5, calls[i]);
    }
    s.run();
  }
}
