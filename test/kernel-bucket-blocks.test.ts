import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LATE, NORMAL, Rng, Simulator, URGENT } from '../src/kernel/index.ts';
import { before, type Keyed } from './kernel-order.ts';

/**
 * The radix queue's buckets are chains of 32-entry blocks in one shared pool. These cases fill buckets
 * far past one block, cancel from the middle of chains (compaction rewrites a chain in place and frees
 * its tail blocks), and check the order against a reference, and that a long run reuses drained blocks
 * instead of growing the pool (the old per-bucket arrays kept their largest size forever).
 */

interface Ev extends Keyed {
  handle: number;
}

describe('bucket block chains', () => {
  it('dispatch the minimum live event every time through schedules, cancels and compactions', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 300, max: 1000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.string({ maxLength: 8 }),
        (n, distinct, cancelShare, seed) => {
          const rng = new Rng(`bucket-blocks:${seed}`);
          const sim = new Simulator(16);
          const live = new Map<number, Ev>();
          const bySeq = new Map<number, Ev>();
          let seq = 0;
          let wrong = 0;
          const add = (time: number): void => {
            const priority = [URGENT, NORMAL, LATE][rng.int(3)];
            const handle = sim.scheduleAt(time, type, seq, priority);
            const e = { time, priority, seq: seq++, handle };
            live.set(handle, e);
            bySeq.set(e.seq, e);
          };
          const type = sim.register((s) => {
            const e = bySeq.get(s)!;
            // The reference: the event run must be the minimum of all live ones.
            for (const x of live.values()) if (before(x, e)) wrong++;
            if (sim.now !== e.time) wrong++;
            live.delete(e.handle);
            // Every fourth event schedules a successor, some into the range being dispatched.
            if (s % 4 === 0) add(sim.now + rng.int(3) * rng.uniform(0, 2));
          });
          // Few distinct times put hundreds of events in one bucket: chains of many blocks.
          for (let i = 0; i < n; i++) add(rng.int(distinct) * 0.5 + (rng.uniform(0, 1) < 0.3 ? rng.uniform(0, 20) : 0));
          for (let round = 0; round < 4; round++) {
            for (const e of [...live.values()]) {
              if (rng.uniform(0, 1) < cancelShare) {
                sim.cancel(e.handle);
                live.delete(e.handle);
              }
            }
            const until = sim.now + 3;
            sim.run({ until });
            for (const e of live.values()) if (!(e.time > until)) wrong++;
          }
          sim.run();
          expect(wrong).toBe(0);
          expect(live.size).toBe(0);
          expect(sim.pending).toBe(0);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('reuse drained blocks: a long hold run at 20,000 pending does not grow the pool past its need', () => {
    const pending = 20_000;
    const sim = new Simulator(16);
    const rng = new Rng('bucket-blocks-hold');
    const type = sim.register(() => {
      sim.schedule(rng.exponential(pending), type);
    });
    for (let i = 0; i < pending; i++) sim.scheduleAt(rng.uniform(0, pending), type);
    sim.run({ maxEvents: 1_000_000 });
    expect(sim.pending).toBe(pending);
    const blocks = (sim as unknown as { blockNext: Int32Array }).blockNext.length;
    // 625 full blocks hold the events; 256 buckets may each have a partial last block; the pool doubles.
    expect(blocks).toBeLessThanOrEqual(2 * (pending / 32 + 256));
  });
});
