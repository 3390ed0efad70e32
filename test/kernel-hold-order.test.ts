import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Simulator } from '../src/kernel/index.ts';
import { before } from './kernel-order.ts';

/**
 * The hold pattern (each dispatched event schedules one successor), the kernel benchmark's workload:
 * with thousands pending, buckets are split and sorted into the front again and again while handlers
 * keep scheduling into them; the order must still be exactly (time, priority, seq).
 */
describe('hold loop with many pending events', () => {
  it('dispatches in the order of a naive minimum-taking reference', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.array(fc.oneof(fc.constantFrom(0, 1, 2), fc.double({ min: 0, max: 50, noNaN: true })), { minLength: 64, maxLength: 64 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 64, maxLength: 64 }),
        (pending, delays, priorities) => {
          const sim = new Simulator(16);
          const got: number[] = [];
          // Reference: (time, priority, seq, id) records, the minimum taken by a linear scan.
          const ref: { time: number; priority: number; seq: number; id: number }[] = [];
          let seq = 0;
          let nextId = 0;
          const holds = 4 * pending;
          let k = 0;
          const type = sim.register((id) => {
            got.push(id);
            if (k >= holds) return;
            const d = delays[k % 64];
            const p = priorities[(k * 7) % 64];
            k++;
            sim.schedule(d, type, nextId, p);
            ref.push({ time: sim.now + d, priority: p, seq: seq++, id: nextId++ });
          });
          for (let i = 0; i < pending; i++) {
            const t = Math.floor(delays[i % 64] * (i % 5));
            const p = priorities[i % 64];
            sim.scheduleAt(t, type, nextId, p);
            ref.push({ time: t, priority: p, seq: seq++, id: nextId++ });
          }
          sim.run();

          const expected: number[] = [];
          // Replay the reference: pop the minimum, and the k-th pop schedules what the kernel's k-th did.
          const live = ref.slice(0, pending);
          let j = pending;
          while (live.length > 0) {
            let m = 0;
            for (let i = 1; i < live.length; i++) {
              if (before(live[i], live[m])) m = i;
            }
            expected.push(live[m].id);
            live.splice(m, 1);
            if (j < ref.length) live.push(ref[j++]);
          }
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
  });
});
