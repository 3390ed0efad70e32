import { describe, expect, it } from 'vitest';
import { Rng, Simulator } from '../src/kernel/index.ts';
import { before, type Keyed } from './kernel-order.ts';

/**
 * A queue far larger than the kernel starts with: from 16 slots to 50,000 pending, so the block pool
 * grows while buckets are split (a split reserves its blocks before it moves anything), and with more
 * than 2^15 pending a take loads its events' records ahead of dispatch. Distinct times, repeated times
 * and three priorities; every dispatch schedules a successor for a while (the hold pattern). The order
 * must be exactly (time, priority, seq): a plain binary heap on that key, fed the same events at the same
 * moments, pops the same event at every dispatch.
 */
interface Ref extends Keyed {
  id: number;
}

/** The reference: a binary heap on (time, priority, seq). */
class RefHeap {
  private a: Ref[] = [];
  get size(): number {
    return this.a.length;
  }
  push(r: Ref): void {
    const a = this.a;
    let i = a.push(r) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): Ref {
    const a = this.a;
    const top = a[0];
    const last = a.pop() as Ref;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l], a[m])) m = l;
        if (r < a.length && before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

describe('a large queue grown from a small one', () => {
  it('dispatches 50,000 pending events and their successors in (time, priority, seq) order', () => {
    const initial = 50_000;
    const successors = 60_000;
    const rng = new Rng('kernel-large-queue');
    const sim = new Simulator(16);
    const blocksAtStart = (sim as unknown as { blockNext: Int32Array }).blockNext.length;
    const ref = new RefHeap();
    let seq = 0;
    let nextId = 0;
    // The reference is popped at each dispatch, before the handler schedules, as the kernel is.
    let dispatched = 0;
    let firstMismatch = -1;
    const schedule = (time: number, priority: number): void => {
      const id = nextId++;
      sim.scheduleAt(time, type, id, priority);
      ref.push({ time, priority, seq: seq++, id });
    };
    // One time in eight is an integer, so ties of time meet priorities and FIFO.
    const drawTime = (from: number): number => (rng.int(8) === 0 ? Math.ceil(from) + rng.int(50) : from + rng.uniform(0, 500));
    let made = 0;
    const type = sim.register((id) => {
      const want = ref.pop();
      if (firstMismatch < 0 && (want.id !== id || want.time !== sim.now)) firstMismatch = dispatched;
      dispatched++;
      if (made < successors) {
        made++;
        schedule(drawTime(sim.now), rng.int(3));
      }
    });
    for (let i = 0; i < initial; i++) schedule(drawTime(0), rng.int(3));
    expect(sim.pending).toBe(initial);

    const stats = sim.run();
    expect(stats).toEqual({ events: initial + successors, stoppedBy: 'empty' });
    expect(dispatched).toBe(initial + successors);
    expect(firstMismatch).toBe(-1);
    expect(ref.size).toBe(0);
    // The pool had to grow for the 50,000 (so splits ran with the pool near full).
    expect((sim as unknown as { blockNext: Int32Array }).blockNext.length).toBeGreaterThan(blocksAtStart);
  });
});
