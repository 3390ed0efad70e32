import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LATE, NORMAL, Simulator, URGENT } from '../src/kernel/index.ts';
import { before } from './kernel-order.ts';

/**
 * The kernel orders times by their float64 bits in a radix queue with a sorted front. These cases drive
 * the parts a narrow range of times never reaches: times over the whole float64 range (−0, subnormals,
 * 1e300, Infinity), runs that stop (until) right after the queue re-based itself and then get events
 * earlier than that base from outside, and a front flooded with events scheduled into its range.
 */

interface Ev {
  time: number;
  priority: number;
  seq: number;
  id: number;
}

/** The reference: take the minimum (time, priority, seq) by a linear scan. */
function popMin(live: Ev[]): Ev {
  let m = 0;
  for (let i = 1; i < live.length; i++) {
    if (before(live[i], live[m])) m = i;
  }
  return live.splice(m, 1)[0];
}

const wideTime = fc.oneof(
  fc.constantFrom(0, -0, 2 ** -1074, 1e-300, 1e-9, 0.5, 1, 3, 1e6, 2 ** 52, 1e300, Infinity),
  fc.double({ min: 0, max: 1e6, noNaN: true }),
  fc.integer({ min: 0, max: 20 }),
);
const priority = fc.constantFrom(URGENT, NORMAL, LATE);

describe('radix queue order', () => {
  it('matches the reference over the whole float64 range, across runs stopped by until', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ time: wideTime, priority }), { minLength: 1, maxLength: 200 }),
        fc.array(fc.record({ until: wideTime, later: fc.array(fc.record({ delay: wideTime, priority }), { maxLength: 20 }) }), { maxLength: 8 }),
        (initial, steps) => {
          const sim = new Simulator(16);
          const got: number[] = [];
          const expected: number[] = [];
          const live: Ev[] = [];
          let seq = 0;
          const type = sim.register((id) => got.push(id));
          const add = (time: number, p: number): void => {
            const id = seq;
            sim.scheduleAt(time, type, id, p);
            live.push({ time, priority: p, seq: seq++, id });
          };
          for (const e of initial) add(e.time, e.priority);
          for (const step of steps) {
            const until = Math.max(sim.now, step.until);
            sim.run({ until });
            while (live.length > 0 && live.some((e) => e.time <= until)) expected.push(popMin(live).id);
            expect(got).toEqual(expected);
            if (until !== Infinity) expect(sim.now).toBe(until);
            // From outside, at or after the stopped clock: possibly before the queue's base.
            for (const l of step.later) add(sim.now + l.delay, l.priority);
          }
          sim.run();
          while (live.length > 0) expected.push(popMin(live).id);
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps order when handlers flood a front of distinct times (the front spills back to the buckets)', () => {
    const sim = new Simulator(16);
    const got: number[] = [];
    const live: Ev[] = [];
    let seq = 0;
    const type = sim.register((id) => {
      got.push(id);
      if (id !== 0) return;
      // In (1, 2), with 1 and 1000 pending: the first digit of their bits where they differ from the base
      // (0) is that of 1, so every one of these belongs to the front's range.
      for (let i = 0; i < 2000; i++) {
        const time = 1 + (1 + ((i * 7919) % 1000)) / 1002;
        const p = [URGENT, NORMAL, LATE][i % 3];
        live.push({ time, priority: p, seq, id: seq });
        sim.scheduleAt(time, type, seq++, p);
      }
    });
    for (const time of [1, 1000]) {
      live.push({ time, priority: NORMAL, seq, id: seq });
      sim.scheduleAt(time, type, seq++);
    }
    sim.run();
    const expected: number[] = [];
    while (live.length > 0) expected.push(popMin(live).id);
    expect(got).toEqual(expected);
    expect(sim.pending).toBe(0);
  });

  it('runs −0 with 0 and before every positive time', () => {
    const sim = new Simulator(16);
    const got: number[] = [];
    const type = sim.register((id) => got.push(id));
    sim.scheduleAt(2 ** -1074, type, 0);
    sim.scheduleAt(-0, type, 1);
    sim.scheduleAt(0, type, 2);
    sim.scheduleAt(-0, type, 3, URGENT);
    sim.run();
    expect(got).toEqual([3, 1, 2, 0]);
  });

  it('takes an event scheduled before the base after a run stopped just after re-basing', () => {
    const sim = new Simulator(16);
    const got: number[] = [];
    const type = sim.register((id) => got.push(id));
    // 100 times in one bucket: reaching them splits the bucket around 10, the new base.
    for (let i = 0; i < 100; i++) sim.scheduleAt(10 + (99 - i) / 100, type, i);
    expect(sim.run({ until: 5 })).toEqual({ events: 0, stoppedBy: 'until' });
    sim.scheduleAt(7, type, 100);
    sim.schedule(0, type, 101);
    sim.run();
    expect(got).toEqual([101, 100, ...Array.from({ length: 100 }, (_, i) => 99 - i)]);
  });
});
