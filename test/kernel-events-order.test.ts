import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LATE, NORMAL, Simulator, URGENT } from '../src/kernel/index.ts';

/** Times drawn from a tiny set so that most events tie on time, plus some arbitrary ones. */
const time = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0, 1, 2, 2.5, 10) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 100, noNaN: true }) },
);
const priority = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(URGENT, NORMAL, LATE) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 511 }) },
);

describe('events run in (time, priority, seq) order', () => {
  it('matches a stable sort of the scheduled events (FIFO at ties)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ time, priority }), { maxLength: 300 }), (events) => {
        const sim = new Simulator(16);
        const order: number[] = [];
        const type = sim.register((i) => order.push(i));
        events.forEach((e, i) => sim.scheduleAt(e.time, type, i, e.priority));

        // Array.prototype.sort is stable, so equal (time, priority) keep insertion (seq) order.
        const expected = events
          .map((e, i) => ({ ...e, i }))
          .sort((a, b) => a.time - b.time || a.priority - b.priority)
          .map((e) => e.i);
        const stats = sim.run();
        expect(order).toEqual(expected);
        expect(stats).toEqual({ events: events.length, stoppedBy: 'empty' });
      }),
      { numRuns: 300 },
    );
  });

  it('matches a naive reference when handlers schedule and cancel more events', () => {
    // Each dispatched event runs a script entry: schedule children (delay, priority) and maybe cancel an
    // earlier handle. The reference keeps a plain list and always takes the minimum (time, priority, seq).
    const step = fc.record({
      children: fc.array(fc.record({ delay: time, priority }), { maxLength: 3 }),
      cancel: fc.option(fc.nat(), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.record({ time, priority }), { minLength: 1, maxLength: 20 }),
        fc.array(step, { minLength: 1, maxLength: 50 }),
        (initial, script) => {
          const limit = 400; // bounds the total number of scheduled events
          expect(runKernel(initial, script, limit)).toEqual(runReference(initial, script, limit));
        },
      ),
      { numRuns: 200 },
    );
  });
});

interface Spec {
  time: number;
  priority: number;
}
interface Step {
  children: { delay: number; priority: number }[];
  cancel: number | undefined;
}
type Trace = [id: number, time: number][];

function runKernel(initial: Spec[], script: Step[], limit: number): Trace {
  const sim = new Simulator(16);
  const handles: number[] = [];
  const trace: Trace = [];
  const type = sim.register((id) => {
    trace.push([id, sim.now]);
    const s = script[id % script.length];
    for (const c of s.children) {
      if (handles.length < limit) handles.push(sim.schedule(c.delay, type, handles.length, c.priority));
    }
    if (s.cancel !== undefined) sim.cancel(handles[s.cancel % handles.length]);
  });
  for (const e of initial) handles.push(sim.scheduleAt(e.time, type, handles.length, e.priority));
  sim.run();
  return trace;
}

function runReference(initial: Spec[], script: Step[], limit: number): Trace {
  const pending: { id: number; time: number; priority: number; cancelled: boolean; done: boolean }[] = [];
  const trace: Trace = [];
  let now = 0;
  const add = (t: number, priority: number) => pending.push({ id: pending.length, time: t, priority, cancelled: false, done: false });
  for (const e of initial) add(e.time, e.priority);
  for (;;) {
    let best: (typeof pending)[number] | undefined;
    for (const e of pending) {
      if (e.done) continue;
      // Ids are seq numbers, so "first found wins" on equal (time, priority) is FIFO.
      if (!best || e.time < best.time || (e.time === best.time && e.priority < best.priority)) best = e;
    }
    if (!best) return trace;
    best.done = true;
    if (best.cancelled) continue;
    now = best.time;
    trace.push([best.id, now]);
    const s = script[best.id % script.length];
    for (const c of s.children) if (pending.length < limit) add(now + c.delay, c.priority);
    if (s.cancel !== undefined) {
      // Cancelling an event that already ran is a no-op, as in the kernel.
      const target = pending[s.cancel % pending.length];
      if (!target.done) target.cancelled = true;
    }
  }
}
