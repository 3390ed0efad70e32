/**
 * The event kernel: a clock and a queue of events ordered by (time, priority, seq).
 *
 * seq is a monotone counter, so events at equal time and priority run in the order they were scheduled
 * (FIFO) and every run is deterministic. The kernel knows nothing about registries, nodes or networks: it
 * moves time and calls handlers.
 *
 * Performance: an event is a numeric handler type plus one numeric argument in typed arrays, so the hot
 * path allocates nothing; `call(fn)` exists for the rare events where a closure is clearer. See the
 * class comment for the queue's structure (a ladder queue, not a heap).
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
  /** Bucket 0 is the top: events later than every rung. */
  TOP = 0,
  /** A bucket this small is sorted into the front; a larger one (of distinct times) becomes a new rung. */
  FRONT_TAKE = 24,
  /** A front of distinct times is spilled into a new rung once events scheduled into its range make it this long. */
  FRONT_SPILL = 128,
  /** Rungs beyond this (times too close to separate further) are not made: the bucket is sorted whole. */
  MAX_RUNGS = 24,
  /** Buckets per event of a new rung (measured: more buckets only add empty ones to pass over). */
  RUNG_SCALE = 1,
  /** At most this many buckets a rung, so the buckets being filled stay in cache. */
  RUNG_CAP = 1024,
  /** Ties of one instant spanning less than this pack with their slot into one exact float64 (2^27 · 2^26 = 2^53). */
  PACK_RANGE = 2 ** 27,
  /** Buckets are chains of blocks of BLOCK entries in one shared pool. */
  LOG_BLOCK = 5,
  BLOCK = 1 << LOG_BLOCK,
  BLOCK_MASK = BLOCK - 1,
  /** Pending events from which a take loads the records of its events ahead of their dispatch (1 MB of records). */
  TOUCH_MIN = 1 << 15,
  /** NORMAL, as a literal for the default parameters. */
  NORMAL = 1,
}
/** Largest priority whose packed key stays exact; priorities are integers in [0, 511]. */
export const MAX_PRIORITY = K.MAX_PRIORITY;

// A slot's record (32 bytes, two typed-array views of one buffer): tie = priority·2^44 + seq at F64[4s],
// arg at F64[4s + 1], type at I32[8s + 4], generation at I32[8s + 5].

/**
 * Performance (issue 6, goal 2: at least as fast as a bare flatqueue push/pop loop, with FIFO ties):
 * the pending events live in a ladder queue (Tang, Goh & Thng, ACM TOMACS 2005), not in a heap. A binary
 * heap pays a chain of dependent, unpredictable compares on every event; here an event is usually
 * placed once, by one subtraction and one multiplication, and sorted once, among a handful, when its
 * bucket is reached.
 * - The top: an unsorted list of events later than `topLimit`, with their least and greatest time.
 * - Rungs: rung 0 is made from the top when everything below it is dispatched: as many buckets as the
 *   top had events (at most RUNG_CAP, so the buckets being filled stay in cache), of equal width between
 *   its least and greatest time, so a bucket holds a few events for most distributions. A bucket with
 *   more than FRONT_TAKE events of distinct times becomes the next rung when it is reached, the same way,
 *   over its own least and greatest time. Bucket i of a rung takes
 *   the times t with floor((t − start)·inv) = i (clamped to the last bucket): a monotone function of t,
 *   so a lower bucket's times are never later than a higher one's and equal times share a bucket.
 * - The front: a short array sorted by (time, priority, seq), from which events are dispatched; it holds
 *   the bucket last reached. An event scheduled below every rung's next bucket joins it in order (usually
 *   at its end); a front of distinct times that grows past FRONT_SPILL becomes a rung, so a wide front
 *   cannot make those insertions quadratic.
 * - Placing an event walks the rungs from the top: it goes to rung r's bucket if that bucket is not yet
 *   reached, or down to the next rung (which covers the bucket rung r reached last), or, below the
 *   deepest rung's next bucket, to the front.
 * - Buckets are chains of small blocks in one shared pool: an event is appended where its bucket ends
 *   (a drained bucket's blocks serve any other), and a bucket is read as a sequential stream. (Lists
 *   linked through the slot records cost fewer instructions, but reading one is a chain of dependent
 *   loads across the records: at 10^5 and more pending, a cache miss per event.)
 * - FIFO and priorities: all ordering below time is in the front, by the exact key priority·2^44 + seq,
 *   read only when two times are equal.
 * - A freed slot is reused first (LIFO), so the slot a handler's event takes is still in cache.
 */
export class Simulator {
  /**
   * Current simulated time in seconds. Performance: it and the ladder's time fields start as doubles (set
   * to their real start in the constructor): a field that begins as a small integer and later holds a
   * double changes representation mid-run, which discards every compiled function that touched it.
   */
  now = 0.5;
  /** Events dispatched so far (cancelled events are not counted). */
  dispatched = 0;

  // Buckets: chains of blocks in the pool (an entry's time in poolT, its slot in poolS). bHead is a
  // bucket's first block, bEnd the entry index after its last entry (0: empty; a multiple of BLOCK: its
  // last block is full). Block 0 is never allocated, so entry index 0 is free to mean "empty". Bucket 0 is
  // the top; rung r owns buckets [rLo[r], rLo[r] + rN[r]), and every bucket past the deepest rung is empty.
  private bHead: Int32Array;
  private bEnd: Int32Array;
  private poolT: Float64Array;
  private poolS: Int32Array;
  private blockNext: Int32Array;
  private freeBlocks: Int32Array;
  private freeBlockCount = 0;
  private blocksUsed = 1;
  /** Events in the top, and bounds of their times (the greatest finite one kept apart for the widths). */
  private topCount = 0;
  private topMin = 0.5;
  private topMax = 0.5;
  private topMaxFinite = 0.5;
  /** Times above this go to the top; at or below it, to a rung or the front. */
  private topLimit = 0.5;
  // Rungs: start time, buckets per unit of time, first bucket, bucket count, next bucket to reach.
  private rungs = 0;
  private rStart = new Float64Array(K.MAX_RUNGS);
  private rInv = new Float64Array(K.MAX_RUNGS);
  private rLo = new Int32Array(K.MAX_RUNGS);
  private rN = new Int32Array(K.MAX_RUNGS);
  private rCur = new Int32Array(K.MAX_RUNGS);
  /** Rung 0's rStart, rInv, rN and rCur again, as fields. */
  private r0Start = 0.5;
  private r0Inv = 0.5;
  private r0N = 0;
  private r0Cur = 0;
  // The front: times fT and slots fS sorted by (time, tie) in [fHead, fTail). Slots are kept as integers:
  // a slot read back from a float64 array is converted (and checked) on every use as an index.
  private fT = new Float64Array(64);
  private fS = new Int32Array(64);
  private fHead = 0;
  private fTail = 0;
  /** Pending entries, front and buckets, counting cancelled ones not yet dropped. */
  private size = 0;

  // Scratch for sorting a large instant (one time's events) by tie.
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
    this.now = 0;
    this.topMin = Infinity;
    this.topMax = -Infinity;
    this.topMaxFinite = -Infinity;
    this.topLimit = -Infinity;
    const n = Math.max(16, initialCapacity + 1);
    this.slotCapacity = n;
    this.rF = new Float64Array(4 * n);
    this.rI = new Int32Array(this.rF.buffer);
    this.freeSlots = new Int32Array(n);
    this.bHead = new Int32Array(2 * K.RUNG_CAP);
    this.bEnd = new Int32Array(2 * K.RUNG_CAP);
    const blocks = (n >> K.LOG_BLOCK) + K.RUNG_CAP + 64;
    this.poolT = new Float64Array(K.BLOCK * blocks);
    this.poolS = new Int32Array(K.BLOCK * blocks);
    this.blockNext = new Int32Array(blocks);
    this.freeBlocks = new Int32Array(blocks);
    this.handlers.push(() => {
      throw new Error('internal: CALL_TYPE dispatched through the handler table');
    });
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
    if (!(delay >= 0)) badDelay(delay);
    return this.push(this.now + delay, type, arg, priority);
  }

  /** Schedules event `type` at absolute `time` (must not be in the past). */
  scheduleAt(time: number, type: number, arg = 0, priority: number = K.NORMAL): number {
    if (!(time >= this.now)) badTime(time, this.now);
    return this.push(time, type, arg, priority);
  }

  /** Schedules a closure. Convenient for rare events; hot paths should use `schedule` with a handler type. */
  call(delay: number, fn: () => void, priority: number = K.NORMAL): number {
    if (!(delay >= 0)) badDelay(delay);
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
    if (slot > K.NO_SLOT && slot < this.slotsUsed && rI[8 * slot + 5] === gen && rI[8 * slot + 4] < K.CANCELLED) {
      rI[8 * slot + 4] |= K.CANCELLED;
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
    let events = 0;
    const handlers = this.handlers;
    // Read once: an imported binding is a load (and, unbundled, a check) on every use.
    const checks = CHECKS;
    for (;;) {
      let h = this.fHead;
      if (h === this.fTail) {
        if (this.size === 0) break;
        if (events >= maxEvents) return { events, stoppedBy: 'maxEvents' };
        this.refill();
        h = 0;
      } else if (events >= maxEvents) return { events, stoppedBy: 'maxEvents' };
      const t = this.fT[h];
      if (t > until) {
        this.now = until;
        return { events, stoppedBy: 'until' };
      }
      const slot = this.fS[h];
      this.fHead = h + 1;
      this.size--;
      // Invariant, one compare per event: simulated time never goes backwards.
      if (checks && t < this.now) timeBackwards(t, this.now);
      const rI = this.rI;
      const type = rI[8 * slot + 4];
      // Generation bump: the handle of this event is dead from here on, and the slot is free for reuse.
      rI[8 * slot + 5] = (rI[8 * slot + 5] + 1) & 0x7ffffff;
      this.freeSlots[this.freeCount++] = slot;
      if (type < K.CANCELLED && type !== K.CALL_TYPE) {
        this.now = t;
        events++;
        this.dispatched++;
        handlers[type](this.rF[4 * slot + 1]);
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
    if (until !== Infinity && until > this.now) this.now = until;
    return { events, stoppedBy: 'empty' };
  }

  // ---------------------------------------------------------------------------------------------------

  private push(time: number, type: number, arg: number, priority: number): number {
    // One mask test rejects negatives, fractions, NaN and > MAX_PRIORITY, any of which would break the
    // exact (priority, seq) key and with it FIFO order at ties; the seq test keeps that key exact.
    if ((priority & K.MAX_PRIORITY) !== priority || this.seq >= K.SEQ_SPACE) badPush(priority);
    const slot = this.freeCount > 0 ? this.freeSlots[--this.freeCount] : this.newSlot();
    const tie = priority * K.SEQ_SPACE + this.seq++;
    const rF = this.rF;
    const rI = this.rI;
    // + 0 turns −0 into 0.
    time += 0;
    rF[4 * slot] = tie;
    rF[4 * slot + 1] = arg;
    rI[8 * slot + 4] = type;
    this.size++;
    let b: number = K.TOP;
    if (time > this.topLimit) {
      this.topCount++;
      if (time < this.topMin) this.topMin = time;
      if (time > this.topMax) {
        this.topMax = time;
        if (time < Infinity) this.topMaxFinite = time;
      }
    } else {
      b = this.bucketBelowTop(time);
      if (b < 0) {
        this.frontInsert(time, tie, slot);
        return rI[8 * slot + 5] * K.SLOT_SPACE + slot;
      }
    }
    // One append for both ways in: the JIT's inlining budget is in bytecode, and the run loop inlines this.
    this.append(b, time, slot);
    return rI[8 * slot + 5] * K.SLOT_SPACE + slot;
  }

  /** The bucket of a time at or below topLimit (see the class comment), or −1 for the front. */
  private bucketBelowTop(time: number): number {
    const rungs = this.rungs;
    if (rungs === 0) return -1;
    // Rung 0, where most events go, from fields (no array loads and checks); its first bucket is 1.
    const x = Math.floor((time - this.r0Start) * this.r0Inv);
    const n = this.r0N;
    // Clamped before the test: past the last bucket is the last bucket, reached or not.
    const i = x < n ? x : n - 1;
    return i >= this.r0Cur ? 1 + i : this.bucketDeep(time);
  }

  /** bucketBelowTop below rung 0's next bucket: a deeper rung's bucket, or −1 for the front. */
  private bucketDeep(time: number): number {
    const rungs = this.rungs;
    for (let r = 1; r < rungs; r++) {
      const x = Math.floor((time - this.rStart[r]) * this.rInv[r]);
      const n = this.rN[r];
      const i = x < n ? x : n - 1;
      if (i >= this.rCur[r]) return this.rLo[r] + i;
    }
    return -1;
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
    if (this.fTail - this.fHead >= K.FRONT_SPILL && this.spillFront(time)) {
      // The new deepest rung covers `time`.
      this.append(this.bucketBelowTop(time), time, slot);
      return;
    }
    if (this.fTail === this.fT.length) this.frontRoom(1);
    const fT = this.fT;
    const fS = this.fS;
    const rF = this.rF;
    const head = this.fHead;
    let i = this.fTail++;
    for (; i > head; i--) {
      const pt = fT[i - 1];
      if (pt < time || (pt === time && rF[4 * fS[i - 1]] < tie)) break;
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

  /**
   * The front is long and one more event is coming into its range (at `time`): its events become a new
   * deepest rung, which covers the range the front did, unless they (and `time`) are one instant or the
   * rungs are used up. Returns whether it spilled.
   */
  private spillFront(time: number): boolean {
    const head = this.fHead;
    const tail = this.fTail;
    const first = this.fT[head];
    const last = this.fT[tail - 1];
    const min = time < first ? time : first;
    const max = time > last ? time : last;
    if (!(min < max) || this.rungs === K.MAX_RUNGS) return false;
    // An event at Infinity is clamped to the last bucket; the widths come from the finite times.
    let maxFinite = max;
    if (maxFinite === Infinity) {
      maxFinite = min;
      for (let i = tail - 1; i >= head; i--) {
        if (this.fT[i] < Infinity) {
          maxFinite = this.fT[i] > min ? this.fT[i] : min;
          break;
        }
      }
    }
    const nb = Math.min(K.RUNG_SCALE * (tail - head), K.RUNG_CAP);
    const inv = nb / (maxFinite - min);
    if (!(inv < Infinity)) return false;
    this.fHead = 0;
    this.fTail = 0;
    this.addRung(head, tail, min, inv, nb);
    return true;
  }

  /**
   * The front is empty: reaches the next non-empty bucket of the deepest rung (or, with no rungs, the
   * top) and sorts it into the front, or makes it a new rung and goes on.
   */
  private refill(): void {
    for (;;) {
      const r = this.rungs - 1;
      if (r < 0) {
        // Everything pending is in the top: it becomes the front or rung 0.
        const n = this.topCount;
        if (n === 0) throw new Error('internal: events pending but none in the queue');
        const head = this.bHead[K.TOP];
        const e = this.bEnd[K.TOP];
        this.bEnd[K.TOP] = 0;
        const min = this.topMin;
        const max = this.topMax;
        const maxFinite = this.topMaxFinite;
        this.topCount = 0;
        this.topMin = Infinity;
        this.topMax = -Infinity;
        this.topMaxFinite = -Infinity;
        this.topLimit = max;
        this.chainToFront(head, e, n);
        if (n <= K.FRONT_TAKE) this.sortFront(n);
        else if (min === max) this.sortInstant(n);
        else if (this.frontToRung(n, min, maxFinite > min ? maxFinite : min)) continue;
        return;
      }
      // Read each round: a new rung may have grown the bucket arrays.
      const bEnd = this.bEnd;
      const lo = this.rLo[r];
      const nb = this.rN[r];
      let i = this.rCur[r];
      while (i < nb && bEnd[lo + i] === 0) i++;
      if (i === nb) {
        this.rungs = r;
        continue;
      }
      this.rCur[r] = i + 1;
      if (r === 0) this.r0Cur = i + 1;
      const b = lo + i;
      const head = this.bHead[b];
      const e = bEnd[b];
      bEnd[b] = 0;
      // Within one block iff 0 < n <= BLOCK: a chain's last block is never its first.
      let n = e - (head << K.LOG_BLOCK);
      if (n > 0 && n <= K.BLOCK) {
        const at = head << K.LOG_BLOCK;
        this.freeBlocks[this.freeBlockCount++] = head;
        this.fHead = 0;
        this.fTail = n;
        if (n === 1) {
          // The commonest take: one event, nothing to sort.
          this.fT[0] = this.poolT[at];
          this.fS[0] = this.poolS[at];
        } else this.blockToFront(at, n);
        return;
      }
      n = this.chainCount(head, e);
      this.chainToFront(head, e, n);
      if (n <= K.FRONT_TAKE) {
        this.sortFront(n);
        return;
      }
      let min = Infinity;
      let max = -Infinity;
      let maxFinite = -Infinity;
      const fT = this.fT;
      for (let j = 0; j < n; j++) {
        const t = fT[j];
        if (t < min) min = t;
        if (t > max) {
          max = t;
          if (t < Infinity) maxFinite = t;
        }
      }
      if (min === max) {
        this.sortInstant(n);
        return;
      }
      if (!this.frontToRung(n, min, maxFinite > min ? maxFinite : min)) return;
    }
  }

  /**
   * Sorts one block's n <= BLOCK entries, [at, at + n) of the pool, into the front (its fHead and fTail
   * already set): insertion sort, the tie read only at equal times.
   */
  private blockToFront(at: number, n: number): void {
    const fT = this.fT;
    const fS = this.fS;
    const poolT = this.poolT;
    const poolS = this.poolS;
    const rF = this.rF;
    fT[0] = poolT[at];
    fS[0] = poolS[at];
    for (let j = 1; j < n; j++) {
      const time = poolT[at + j];
      const slot = poolS[at + j];
      let i = j;
      for (; i > 0; i--) {
        const pt = fT[i - 1];
        if (pt < time || (pt === time && rF[4 * fS[i - 1]] < rF[4 * slot])) break;
        fT[i] = pt;
        fS[i] = fS[i - 1];
      }
      fT[i] = time;
      fS[i] = slot;
    }
  }

  /**
   * Copies a bucket's n entries (its chain from block `head` to end index e) into the front, [0, n), in
   * their order, and frees its blocks. A large queue's records are out of cache: they are loaded here,
   * early and together, so the misses overlap instead of stalling dispatch one by one.
   */
  private chainToFront(head: number, e: number, n: number): void {
    this.frontFor(n);
    const fT = this.fT;
    const fS = this.fS;
    const poolT = this.poolT;
    const poolS = this.poolS;
    const next = this.blockNext;
    const touch = this.size >= K.TOUCH_MIN;
    const rI = this.rI;
    let touched = 0;
    let j = 0;
    for (let k = head; j < n; ) {
      const at = k << K.LOG_BLOCK;
      const stop = at + (n - j < K.BLOCK ? n - j : K.BLOCK);
      for (let i = at; i < stop; i++) {
        const slot = poolS[i];
        fT[j] = poolT[i];
        fS[j++] = slot;
        if (touch) touched += rI[8 * slot + 4];
      }
      this.freeBlocks[this.freeBlockCount++] = k;
      k = next[k];
    }
    this.touched = touched;
    this.fHead = 0;
    this.fTail = n;
  }

  /** Sorts the front's [0, n) by (time, tie): insertion sort, small n, the tie read only at equal times. */
  private sortFront(n: number): void {
    const fT = this.fT;
    const fS = this.fS;
    const rF = this.rF;
    if (n > K.FRONT_TAKE) {
      this.sortFrontWhole(n);
      return;
    }
    for (let j = 1; j < n; j++) {
      const time = fT[j];
      const slot = fS[j];
      let i = j;
      for (; i > 0; i--) {
        const pt = fT[i - 1];
        if (pt < time || (pt === time && rF[4 * fS[i - 1]] < rF[4 * slot])) break;
        fT[i] = pt;
        fS[i] = fS[i - 1];
      }
      fT[i] = time;
      fS[i] = slot;
    }
  }

  /** Sorts the front's [0, n) by (time, tie) with a native sort: the rare bucket whose times no rung can separate. */
  private sortFrontWhole(n: number): void {
    const fT = this.fT;
    const fS = this.fS;
    const rF = this.rF;
    const order = Int32Array.from({ length: n }, (_, i) => i).sort((x, y) => fT[x] - fT[y] || rF[4 * fS[x]] - rF[4 * fS[y]]);
    const times = Float64Array.from(order, (i) => fT[i]);
    const slots = Int32Array.from(order, (i) => fS[i]);
    fT.set(times);
    fS.set(slots);
  }

  /**
   * Makes the front's [0, n) events (times in [min, maxFinite], min < maxFinite) the new deepest rung and
   * empties the front. Returns false, leaving them sorted in the front, when the rungs are used up or
   * the times are too close to divide.
   */
  private frontToRung(n: number, min: number, maxFinite: number): boolean {
    const nb = Math.min(K.RUNG_SCALE * n, K.RUNG_CAP);
    const inv = nb / (maxFinite - min);
    if (this.rungs === K.MAX_RUNGS || !(inv < Infinity)) {
      this.sortFrontWhole(n);
      return false;
    }
    this.fHead = 0;
    this.fTail = 0;
    this.addRung(0, n, min, inv, nb);
    return true;
  }

  /**
   * A new deepest rung of nb buckets from `min`, `inv` buckets per unit of time, holding the front
   * arrays' events [from, to). Performance: the loop makes no calls (buckets and blocks are reserved
   * first) so the JIT keeps the arrays' checks out of it.
   */
  private addRung(from: number, to: number, min: number, inv: number, nb: number): void {
    const r = this.rungs;
    const lo = r === 0 ? 1 : this.rLo[r - 1] + this.rN[r - 1];
    if (lo + nb > this.bEnd.length) this.growBuckets(lo + nb);
    // At worst every bucket has a part-filled last block besides the full ones.
    const need = Math.min(to - from, nb + ((to - from) >> K.LOG_BLOCK));
    while (this.freeBlockCount + this.blockNext.length - this.blocksUsed < need) this.growPool();
    this.rStart[r] = min;
    this.rInv[r] = inv;
    this.rLo[r] = lo;
    this.rN[r] = nb;
    this.rCur[r] = 0;
    if (r === 0) {
      this.r0Start = min;
      this.r0Inv = inv;
      this.r0N = nb;
      this.r0Cur = 0;
    }
    this.rungs = r + 1;
    const fT = this.fT;
    const fS = this.fS;
    const bHead = this.bHead;
    const end = this.bEnd;
    const poolT = this.poolT;
    const poolS = this.poolS;
    const next = this.blockNext;
    const free = this.freeBlocks;
    let freeCount = this.freeBlockCount;
    let used = this.blocksUsed;
    for (let j = from; j < to; j++) {
      const time = fT[j];
      const x = Math.floor((time - min) * inv);
      const b = lo + (x < nb ? x : nb - 1);
      let e = end[b];
      if ((e & K.BLOCK_MASK) === 0) {
        // The bucket's last block is full (or it has none): chain a new one, as newBlock does.
        const nk = freeCount > 0 ? free[--freeCount] : used++;
        if (e === 0) bHead[b] = nk;
        else next[(e >> K.LOG_BLOCK) - 1] = nk;
        e = nk << K.LOG_BLOCK;
      }
      poolT[e] = time;
      poolS[e] = fS[j];
      end[b] = e + 1;
    }
    this.freeBlockCount = freeCount;
    this.blocksUsed = used;
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

  /** The front's [0, n) events (n > FRONT_TAKE, all at one time) sorted by tie alone. */
  private sortInstant(n: number): void {
    if (this.bTie.length < n) {
      this.bTie = new Float64Array(2 * n);
      this.bSlot = new Int32Array(2 * n);
    }
    const fS = this.fS;
    const rF = this.rF;
    for (let j = 0; j < n; j++) {
      const slot = fS[j];
      this.bTie[j] = rF[4 * slot];
      this.bSlot[j] = slot;
    }
    this.sortTies(n);
    fS.set(this.bSlot.subarray(0, n));
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
    const buckets = this.rungs === 0 ? 1 : this.rLo[this.rungs - 1] + this.rN[this.rungs - 1];
    for (let b = 0; b < buckets; b++) {
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
      this.bEnd[b] = m === 0 ? 0 : (wk << K.LOG_BLOCK) + wi;
      if (b === K.TOP) this.topCount = m;
      kept += m;
    }
    this.size = kept;
    this.cancelledPending = 0;
  }

  private dropIfCancelled(slot: number): boolean {
    const rI = this.rI;
    if (rI[8 * slot + 4] < K.CANCELLED) return false;
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

  private growBuckets(n: number): void {
    const size = Math.max(n, 2 * this.bEnd.length);
    this.bHead = grow(this.bHead, size);
    this.bEnd = grow(this.bEnd, size);
  }

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
    if (e === 0) this.bHead[b] = k;
    else this.blockNext[(e >> K.LOG_BLOCK) - 1] = k;
    return k << K.LOG_BLOCK;
  }

  private unusedBlock(): number {
    if (this.blocksUsed === this.blockNext.length) this.growPool();
    return this.blocksUsed++;
  }

  private growPool(): void {
    const n = 2 * this.blockNext.length;
    this.poolT = grow(this.poolT, K.BLOCK * n);
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
    this.rF = grow(this.rF, 4 * n);
    this.rI = new Int32Array(this.rF.buffer);
    this.freeSlots = grow(this.freeSlots, n);
    this.slotCapacity = n;
  }
}

// Out of line, so the hot paths stay small enough for the JIT to inline them into the run loop (its
// budget is in bytecode, and a template string costs a few dozen bytes).
function badDelay(delay: number): never {
  throw new RangeError(`Negative or invalid delay ${delay}`);
}

function badTime(time: number, now: number): never {
  throw new RangeError(`Event time ${time} is before now ${now}`);
}

function timeBackwards(t: number, now: number): never {
  throw new InvariantError('simulated time never goes backwards', `an event at t=${t} after t=${now}`);
}

function badPush(priority: number): never {
  if ((priority & K.MAX_PRIORITY) !== priority) throw new RangeError(`Priority ${priority} is not an integer in [0, ${K.MAX_PRIORITY}]`);
  throw new Error('internal: event sequence counter exhausted');
}

function grow<T extends Float64Array | Int32Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}
