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
/** Slot 0 is never allocated, so a handle of 0 (or a forged one) never matches a live event. */
const NO_SLOT = 0;
/** The queue is compacted once more than half of it, and at least this many entries, are cancelled. */
const COMPACT_MIN = 256;
/** Buckets: index 0 holds times equal to the base; 16·d + v times whose first nibble differing from the base is nibble d, of value v. */
const BUCKETS = 256;
/** A lowest bucket this small is sorted into the front as a whole instead of being split further (at most BLOCK). */
const FRONT_TAKE = 24;
/** Buckets are chains of blocks of BLOCK entries in one shared pool, so a drained bucket's memory is reused by any other. */
const LOG_BLOCK = 5;
const BLOCK = 1 << LOG_BLOCK;
const BLOCK_MASK = BLOCK - 1;
/** A front taken from a bucket of distinct times is spilled back once events scheduled into its range make it this long. */
const FRONT_SPILL = 128;
/** Ties of one instant spanning less than this pack with their slot into one exact float64 (2^27 · 2^26 = 2^53). */
const PACK_RANGE = 2 ** 27;

// The radix keys are the bits of a float64 time read as two uint32 words, low word first.
if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('pullsim kernel: needs a little-endian platform');

// A slot's record (32 bytes, two typed-array views of one buffer): tie = priority·2^44 + seq at F64[4s],
// arg at F64[4s + 1], type at I32[8s + 4], generation at I32[8s + 5].

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
  /** Current simulated time in seconds. */
  now = 0;
  /** Events dispatched so far (cancelled events are not counted). */
  dispatched = 0;

  // Buckets: chains of blocks in `pool` ([time, slot] pairs; a uint32 view reads the time's bits). bEnd is
  // the entry index after a bucket's last entry (0: empty; a multiple of BLOCK: its last block is full).
  // Block 0 is never allocated, so entry index 0 is free to mean "empty".
  private pool: Float64Array;
  private poolU: Uint32Array;
  private blockNext: Int32Array;
  private freeBlocks: Int32Array;
  private freeBlockCount = 0;
  private blocksUsed = 1;
  private bHead = new Int32Array(BUCKETS);
  private bEnd = new Int32Array(BUCKETS);
  /** One bit per non-empty bucket. */
  private bMask = new Int32Array(BUCKETS / 32);
  /** The base time, and its bits. */
  private base = 0;
  private baseLo = 0;
  private baseHi = 0;
  // The front: [time, slot] pairs sorted by (time, tie) in [fHead, fTail); fBucket is the highest bucket
  // whose events join it (-1: none).
  private front = new Float64Array(2 * 64);
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
  private rI: Int32Array;
  private slotCapacity: number;
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotsUsed = 1; // slot 0 is NO_SLOT
  private fns: (Handler | (() => void) | undefined)[] = [];

  private seq = 0;
  private handlers: Handler[] = [];
  /** Cancelled events not yet dropped. */
  private cancelledPending = 0;
  /** Sink for the record loads a take issues early (kept so the JIT cannot drop them). */
  private touched = 0;

  constructor(initialCapacity = 1024) {
    const n = Math.max(16, initialCapacity + 1);
    this.slotCapacity = n;
    this.rF = new Float64Array(4 * n);
    this.rI = new Int32Array(this.rF.buffer);
    this.freeSlots = new Int32Array(n);
    const blocks = (n >> LOG_BLOCK) + 64;
    this.pool = new Float64Array(2 * BLOCK * blocks);
    this.poolU = new Uint32Array(this.pool.buffer);
    this.blockNext = new Int32Array(blocks);
    this.freeBlocks = new Int32Array(blocks);
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

  /** Number of events waiting (including lazily cancelled ones not yet dropped). */
  get pending(): number {
    return this.size;
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
   * Performance: a cancelled event stays queued until it is reached, unless cancelled events pile up
   * (models that re-time an event by cancel + schedule, like P2P piece transfers, can leave several dead
   * entries per live one): then the queue is compacted in one linear pass.
   */
  cancel(handle: number): void {
    const slot = handle % SLOT_SPACE;
    const gen = (handle - slot) / SLOT_SPACE;
    const rI = this.rI;
    if (slot > NO_SLOT && slot < this.slotsUsed && rI[8 * slot + 5] === gen && rI[8 * slot + 4] < CANCELLED) {
      rI[8 * slot + 4] |= CANCELLED;
      const dead = ++this.cancelledPending;
      if (dead >= COMPACT_MIN && 2 * dead > this.size) this.compact();
    }
  }

  /** Dispatches events in order until the queue is empty, `until` is passed or `maxEvents` ran. */
  run(options: RunOptions = {}): RunStats {
    const until = options.until ?? Infinity;
    const maxEvents = options.maxEvents ?? Infinity;
    // Without this check `until` < now would move the clock backwards when the run stops.
    if (!(until >= this.now)) throw new RangeError(`run until ${until} is before now ${this.now}`);
    let events = 0;
    const handlers = this.handlers;
    for (;;) {
      if (this.fHead === this.fTail) {
        if (this.size === 0) break;
        if (events >= maxEvents) return { events, stoppedBy: 'maxEvents' };
        this.refill();
      } else if (events >= maxEvents) return { events, stoppedBy: 'maxEvents' };
      const front = this.front;
      const h = this.fHead;
      const t = front[2 * h];
      if (t > until) {
        this.now = until;
        return { events, stoppedBy: 'until' };
      }
      const slot = front[2 * h + 1];
      this.fHead = h + 1;
      this.size--;
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
    // + 0 turns −0 into 0, whose bits order correctly.
    time += 0;
    // Below the base only after a run stopped (until, maxEvents) just after a split.
    if (time < this.base) this.rebase(time);
    const b = this.bucketOf(time);
    if (b <= this.fBucket) this.frontInsert(time, tie, slot);
    else this.append(b, time, slot);
    this.size++;
    return this.rI[8 * slot + 5] * SLOT_SPACE + slot;
  }

  private bucketOf(time: number): number {
    this.scratchF[0] = time;
    const hi = this.scratchU[1];
    const dh = hi ^ this.baseHi;
    if (dh !== 0) {
      const s = (31 - Math.clz32(dh)) & ~3;
      return 128 + 4 * s + ((hi >>> s) & 15);
    }
    const lo = this.scratchU[0];
    const dl = lo ^ this.baseLo;
    if (dl !== 0) {
      const s = (31 - Math.clz32(dl)) & ~3;
      return 4 * s + ((lo >>> s) & 15);
    }
    return 0;
  }

  private append(b: number, time: number, slot: number): void {
    let e = this.bEnd[b];
    if ((e & BLOCK_MASK) === 0) e = this.newBlock(b, e);
    const pool = this.pool;
    pool[2 * e] = time;
    pool[2 * e + 1] = slot;
    this.bEnd[b] = e + 1;
  }

  /** Inserts into the sorted front, from its end (a new event's seq is the largest so far). */
  private frontInsert(time: number, tie: number, slot: number): void {
    if (this.fBucket > 0 && this.fTail - this.fHead >= FRONT_SPILL) {
      this.spillFront();
      this.append(this.bucketOf(time), time, slot);
      return;
    }
    if (2 * this.fTail === this.front.length) this.frontRoom(1);
    const f = this.front;
    const rF = this.rF;
    const head = this.fHead;
    let i = this.fTail++;
    for (; i > head; i--) {
      const pt = f[2 * i - 2];
      if (pt < time || (pt === time && rF[4 * f[2 * i - 1]] < tie)) break;
      f[2 * i] = pt;
      f[2 * i + 1] = f[2 * i - 1];
    }
    f[2 * i] = time;
    f[2 * i + 1] = slot;
  }

  /** Makes room for `extra` more front entries: moves them to the start, or grows the array. */
  private frontRoom(extra: number): void {
    const n = this.fTail - this.fHead;
    if (2 * (n + extra) > this.front.length / 2) {
      const g = new Float64Array(Math.max(2 * this.front.length, 4 * (n + extra)));
      g.set(this.front.subarray(2 * this.fHead, 2 * this.fTail));
      this.front = g;
    } else this.front.copyWithin(0, 2 * this.fHead, 2 * this.fTail);
    this.fHead = 0;
    this.fTail = n;
  }

  /** Returns the front's events to the buckets (their buckets are at most fBucket, all empty now). */
  private spillFront(): void {
    const f = this.front;
    const head = this.fHead;
    const tail = this.fTail;
    this.fHead = 0;
    this.fTail = 0;
    this.fBucket = -1;
    for (let i = head; i < tail; i++) this.append(this.bucketOf(f[2 * i]), f[2 * i], f[2 * i + 1]);
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
      let n = e - (head << LOG_BLOCK);
      if (n > 0 && n <= FRONT_TAKE) {
        // One block.
        const at = head << LOG_BLOCK;
        if (n === 1) {
          // The commonest take (a third of them in the hold benchmark): no sort, no call.
          this.fBucket = b;
          this.front[0] = this.pool[2 * at];
          this.front[1] = this.pool[2 * at + 1];
          this.fTail = 1;
        } else this.takeIntoFront(b, at, n);
        this.freeBlocks[this.freeBlockCount++] = head;
        return;
      }
      if (n <= 0 || n > BLOCK) n = this.chainCount(head, e);
      if (b === 0) {
        this.takeInstant(head, n);
        return;
      }
      this.split(head, n);
    }
  }

  /** Spreads a bucket's n events (its chain starts at block `head`) over lower buckets, around their earliest time. */
  private split(head: number, n: number): void {
    let pool = this.pool;
    let poolU = this.poolU;
    let mi = 0;
    let mt = Infinity;
    for (let k = head, left = n; left > 0; k = this.blockNext[k]) {
      const at = k << LOG_BLOCK;
      const stop = at + (left < BLOCK ? left : BLOCK);
      left -= BLOCK;
      for (let i = at; i < stop; i++) {
        const t = pool[2 * i];
        if (t < mt) {
          mt = t;
          mi = i;
        }
      }
    }
    const baseLo = poolU[4 * mi];
    const baseHi = poolU[4 * mi + 1];
    this.base = mt;
    this.baseLo = baseLo;
    this.baseHi = baseHi;
    this.fBucket = -1;
    const end = this.bEnd;
    for (let k = head, left = n; left > 0; ) {
      const at = k << LOG_BLOCK;
      const stop = at + (left < BLOCK ? left : BLOCK);
      left -= BLOCK;
      for (let i = at; i < stop; i++) {
        const lo = poolU[4 * i];
        const hi = poolU[4 * i + 1];
        let nb: number;
        const dh = hi ^ baseHi;
        if (dh !== 0) {
          const s = (31 - Math.clz32(dh)) & ~3;
          nb = 128 + 4 * s + ((hi >>> s) & 15);
        } else {
          const dl = lo ^ baseLo;
          if (dl !== 0) {
            const s = (31 - Math.clz32(dl)) & ~3;
            nb = 4 * s + ((lo >>> s) & 15);
          } else nb = 0;
        }
        let e = end[nb];
        if ((e & BLOCK_MASK) === 0) {
          e = this.newBlock(nb, e);
          // The pool may have grown (moved).
          pool = this.pool;
          poolU = this.poolU;
        }
        pool[2 * e] = pool[2 * i];
        pool[2 * e + 1] = pool[2 * i + 1];
        end[nb] = e + 1;
      }
      // Block k is read: any bucket may take it from here on.
      const next = this.blockNext[k];
      this.freeBlocks[this.freeBlockCount++] = k;
      k = next;
    }
  }

  /** Sorts bucket b's n <= FRONT_TAKE events (entries [at, at + n) of the pool, one block) into the empty front. */
  private takeIntoFront(b: number, at: number, n: number): void {
    this.fBucket = b;
    const f = this.front;
    const keys = this.pool;
    this.fTail = n;
    f[0] = keys[2 * at];
    f[1] = keys[2 * at + 1];
    // Insertion sort: small n, and the tie is read only when two times are equal.
    const rF = this.rF;
    const rI = this.rI;
    let touch = rI[8 * f[1] + 4];
    for (let j = 1; j < n; j++) {
      const time = keys[2 * (at + j)];
      const slot = keys[2 * (at + j) + 1];
      touch += rI[8 * slot + 4];
      let i = j;
      for (; i > 0; i--) {
        const pt = f[2 * i - 2];
        if (pt < time || (pt === time && rF[4 * f[2 * i - 1]] < rF[4 * slot])) break;
        f[2 * i] = pt;
        f[2 * i + 1] = f[2 * i - 1];
      }
      f[2 * i] = time;
      f[2 * i + 1] = slot;
    }
    this.touched = touch;
  }

  /** Bucket 0's n > 16 events (one instant's, e.g. a cluster in lockstep) into the empty front, sorted by tie alone. */
  private takeInstant(head: number, n: number): void {
    this.fBucket = 0;
    if (2 * n > this.front.length) this.front = new Float64Array(Math.max(4 * n, this.front.length));
    const f = this.front;
    this.fTail = n;
    if (this.bTie.length < n) {
      this.bTie = new Float64Array(2 * n);
      this.bSlot = new Int32Array(2 * n);
    }
    const pool = this.pool;
    const t = pool[2 * (head << LOG_BLOCK)];
    let j = 0;
    for (let k = head; j < n; k = this.blockNext[k]) {
      const at = k << LOG_BLOCK;
      const stop = at + (n - j < BLOCK ? n - j : BLOCK);
      for (let i = at; i < stop; i++) {
        const slot = pool[2 * i + 1];
        this.bTie[j] = this.rF[4 * slot];
        this.bSlot[j++] = slot;
      }
      this.freeBlocks[this.freeBlockCount++] = k;
    }
    this.sortTies(n);
    for (let i = 0; i < n; i++) {
      f[2 * i] = t;
      f[2 * i + 1] = this.bSlot[i];
    }
  }

  /**
   * A time below the base (only possible after a run stopped just after a split): every pending event
   * is re-bucketed around it. Linear, and rare.
   */
  private rebase(time: number): void {
    const pairs: number[] = [];
    for (let i = this.fHead; i < this.fTail; i++) pairs.push(this.front[2 * i], this.front[2 * i + 1]);
    this.fHead = 0;
    this.fTail = 0;
    this.fBucket = -1;
    for (let b = 0; b < BUCKETS; b++) {
      const n = this.bEnd[b] === 0 ? 0 : this.chainCount(this.bHead[b], this.bEnd[b]);
      let j = 0;
      for (let k = this.bHead[b]; j < n; k = this.blockNext[k]) {
        const at = k << LOG_BLOCK;
        const stop = at + (n - j < BLOCK ? n - j : BLOCK);
        for (let i = at; i < stop; i++, j++) pairs.push(this.pool[2 * i], this.pool[2 * i + 1]);
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
    const f = this.front;
    let w = this.fHead;
    for (let i = this.fHead; i < this.fTail; i++) {
      const slot = f[2 * i + 1];
      if (this.dropIfCancelled(slot)) continue;
      f[2 * w] = f[2 * i];
      f[2 * w + 1] = slot;
      w++;
    }
    let kept = w - this.fHead;
    this.fTail = w;
    const pool = this.pool;
    const next = this.blockNext;
    for (let b = 0; b < BUCKETS; b++) {
      if (this.bEnd[b] === 0) continue;
      const n = this.chainCount(this.bHead[b], this.bEnd[b]);
      // Survivors are written back along the same chain; the write position never passes the read one.
      const head = this.bHead[b];
      let wk = head;
      let wi = 0;
      let m = 0;
      for (let k = head, left = n; left > 0; k = next[k]) {
        const at = k << LOG_BLOCK;
        const stop = at + (left < BLOCK ? left : BLOCK);
        left -= BLOCK;
        for (let i = at; i < stop; i++) {
          const slot = pool[2 * i + 1];
          if (this.dropIfCancelled(slot)) continue;
          if (wi === BLOCK) {
            wk = next[wk];
            wi = 0;
          }
          const e = (wk << LOG_BLOCK) + wi++;
          pool[2 * e] = pool[2 * i];
          pool[2 * e + 1] = slot;
          m++;
        }
      }
      // Blocks past the survivors go back to the free list.
      const keep = (m + BLOCK_MASK) >> LOG_BLOCK;
      const blocks = (n + BLOCK_MASK) >> LOG_BLOCK;
      for (let c = 0, k = head; c < blocks; c++, k = next[k]) if (c >= keep) this.freeBlocks[this.freeBlockCount++] = k;
      if (m === 0) {
        this.bEnd[b] = 0;
        this.bMask[b >> 5] &= ~(1 << (b & 31));
      } else this.bEnd[b] = (wk << LOG_BLOCK) + wi;
      kept += m;
    }
    this.size = kept;
    this.cancelledPending = 0;
  }

  private dropIfCancelled(slot: number): boolean {
    const rI = this.rI;
    if (rI[8 * slot + 4] < CANCELLED) return false;
    rI[8 * slot + 5] = (rI[8 * slot + 5] + 1) & 0x7ffffff;
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

  // ---- storage ----------------------------------------------------------------------------------------

  /** The number of entries in the chain from block `head` to end index e (> 0). */
  private chainCount(head: number, e: number): number {
    const last = (e - 1) >> LOG_BLOCK;
    let c = 0;
    for (let k = head; k !== last; k = this.blockNext[k]) c += BLOCK;
    return c + e - (last << LOG_BLOCK);
  }

  /** Starts a new last block for bucket b, whose end index is e (0: the bucket is empty); returns the new end. */
  private newBlock(b: number, e: number): number {
    const k = this.freeBlockCount > 0 ? this.freeBlocks[--this.freeBlockCount] : this.unusedBlock();
    if (e === 0) {
      this.bHead[b] = k;
      this.bMask[b >> 5] |= 1 << (b & 31);
    } else this.blockNext[(e >> LOG_BLOCK) - 1] = k;
    return k << LOG_BLOCK;
  }

  private unusedBlock(): number {
    if (this.blocksUsed === this.blockNext.length) {
      const n = 2 * this.blockNext.length;
      this.pool = grow(this.pool, 2 * BLOCK * n);
      this.poolU = new Uint32Array(this.pool.buffer);
      this.blockNext = grow(this.blockNext, n);
      this.freeBlocks = grow(this.freeBlocks, n);
    }
    return this.blocksUsed++;
  }

  private newSlot(): number {
    if (this.slotsUsed === this.slotCapacity) this.growSlots();
    if (this.slotsUsed >= SLOT_SPACE) throw new Error('internal: more than 2^26 pending events');
    return this.slotsUsed++;
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
