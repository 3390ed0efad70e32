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

export class Simulator {
  /** Current simulated time in seconds. */
  now = 0;
  /** Events dispatched so far (cancelled events are not counted). */
  dispatched = 0;

  // Heap arrays (indexed by heap position).
  private hTime: Float64Array;
  private hTie: Float64Array;
  private hSlot: Int32Array;
  private size = 0;

  // Slot arrays (indexed by slot), recycled through a free list.
  private sType: Int32Array;
  private sArg: Float64Array;
  private sGen: Int32Array;
  private sCancelled: Uint8Array;
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotsUsed = 0;
  private fns: (Handler | (() => void) | undefined)[] = [];

  private seq = 0;
  private handlers: Handler[] = [];

  constructor(initialCapacity = 1024) {
    const n = Math.max(16, initialCapacity);
    this.hTime = new Float64Array(n);
    this.hTie = new Float64Array(n);
    this.hSlot = new Int32Array(n);
    this.sType = new Int32Array(n);
    this.sArg = new Float64Array(n);
    this.sGen = new Int32Array(n);
    this.sCancelled = new Uint8Array(n);
    this.freeSlots = new Int32Array(n);
    this.handlers.push(() => {
      throw new Error('internal: CALL_TYPE dispatched through the handler table');
    });
  }

  /** Registers a handler and returns its numeric event type. */
  register(handler: Handler): number {
    this.handlers.push(handler);
    return this.handlers.length - 1;
  }

  /** Number of events waiting (including lazily cancelled ones not yet popped). */
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

  /** Lazily cancels a pending event. Cancelling a handle that already ran or was cancelled is a no-op. */
  cancel(handle: number): void {
    const slot = handle % SLOT_SPACE;
    const gen = (handle - slot) / SLOT_SPACE;
    if (slot < this.slotsUsed && this.sGen[slot] === gen) this.sCancelled[slot] = 1;
  }

  /** Dispatches events in order until the queue is empty, `until` is passed or `maxEvents` ran. */
  run(options: RunOptions = {}): RunStats {
    const until = options.until ?? Infinity;
    const maxEvents = options.maxEvents ?? Infinity;
    // Without this check `until` < now would move the clock backwards when the run stops.
    if (!(until >= this.now)) throw new RangeError(`run until ${until} is before now ${this.now}`);
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
      this.popTop();
      const type = this.sType[slot];
      const arg = this.sArg[slot];
      const cancelled = this.sCancelled[slot] === 1;
      const fn = type === CALL_TYPE ? this.fns[slot] : undefined;
      this.freeSlot(slot);
      if (cancelled) continue;
      this.now = t;
      events++;
      this.dispatched++;
      if (type === CALL_TYPE) (fn as () => void)();
      else handlers[type](arg);
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
    const slot = this.allocSlot();
    this.sType[slot] = type;
    this.sArg[slot] = arg;
    this.sCancelled[slot] = 0;
    if (this.size === this.hTime.length) this.growHeap();
    const tie = priority * SEQ_SPACE + this.seq++;
    // Sift up.
    let i = this.size++;
    const hTime = this.hTime;
    const hTie = this.hTie;
    const hSlot = this.hSlot;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = hTime[p];
      if (pt < time || (pt === time && hTie[p] < tie)) break;
      hTime[i] = pt;
      hTie[i] = hTie[p];
      hSlot[i] = hSlot[p];
      i = p;
    }
    hTime[i] = time;
    hTie[i] = tie;
    hSlot[i] = slot;
    return this.sGen[slot] * SLOT_SPACE + slot;
  }

  private popTop(): void {
    const n = --this.size;
    if (n === 0) return;
    const hTime = this.hTime;
    const hTie = this.hTie;
    const hSlot = this.hSlot;
    const time = hTime[n];
    const tie = hTie[n];
    const slot = hSlot[n];
    // Sift down the last element from the root.
    let i = 0;
    const half = n >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      const r = c + 1;
      if (r < n && (hTime[r] < hTime[c] || (hTime[r] === hTime[c] && hTie[r] < hTie[c]))) c = r;
      const ct = hTime[c];
      if (time < ct || (time === ct && tie < hTie[c])) break;
      hTime[i] = ct;
      hTie[i] = hTie[c];
      hSlot[i] = hSlot[c];
      i = c;
    }
    hTime[i] = time;
    hTie[i] = tie;
    hSlot[i] = slot;
  }

  private allocSlot(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount];
    if (this.slotsUsed === this.sType.length) this.growSlots();
    if (this.slotsUsed >= SLOT_SPACE) throw new Error('internal: more than 2^26 pending events');
    return this.slotsUsed++;
  }

  private freeSlot(slot: number): void {
    this.sGen[slot] = (this.sGen[slot] + 1) & 0x7ffffff;
    if (this.fns[slot] !== undefined) this.fns[slot] = undefined;
    this.freeSlots[this.freeCount++] = slot;
  }

  private growHeap(): void {
    const n = this.hTime.length * 2;
    this.hTime = grow(this.hTime, n);
    this.hTie = grow(this.hTie, n);
    this.hSlot = grow(this.hSlot, n);
  }

  private growSlots(): void {
    const n = this.sType.length * 2;
    this.sType = grow(this.sType, n);
    this.sArg = grow(this.sArg, n);
    this.sGen = grow(this.sGen, n);
    this.sCancelled = grow(this.sCancelled, n);
    this.freeSlots = grow(this.freeSlots, n);
  }
}

function grow<T extends Float64Array | Int32Array | Uint8Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}
