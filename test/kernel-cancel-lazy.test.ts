import { describe, expect, it } from 'vitest';
import { Simulator } from '../src/kernel/index.ts';

const SLOT_SPACE = 2 ** 26; // the kernel packs handles as generation·2^26 + slot

function setup() {
  const sim = new Simulator(16);
  const ran: number[] = [];
  const type = sim.register((arg) => ran.push(arg));
  return { sim, ran, type };
}

describe('cancel is lazy', () => {
  it('keeps the cancelled event in the queue until it is popped, then skips it', () => {
    const { sim, ran, type } = setup();
    sim.schedule(1, type, 1);
    const h = sim.schedule(2, type, 2);
    sim.schedule(3, type, 3);
    sim.cancel(h);
    expect(sim.pending).toBe(3);
    const stats = sim.run();
    expect(ran).toEqual([1, 3]);
    expect(stats.events).toBe(2);
    expect(sim.dispatched).toBe(2);
    expect(sim.pending).toBe(0);
    expect(sim.now).toBe(3);
  });

  it('does not advance the clock to a cancelled last event', () => {
    const { sim, ran, type } = setup();
    sim.schedule(1, type, 1);
    sim.cancel(sim.schedule(5, type, 2));
    sim.run();
    expect(ran).toEqual([1]);
    expect(sim.now).toBe(1);
  });

  it('treats cancelling twice, or after the event ran, as a no-op', () => {
    const { sim, ran, type } = setup();
    const a = sim.schedule(1, type, 1);
    sim.cancel(a);
    sim.cancel(a);
    const b = sim.schedule(2, type, 2);
    sim.run();
    sim.cancel(b);
    expect(ran).toEqual([2]);
  });

  it('cancels closures scheduled with call()', () => {
    const sim = new Simulator(16);
    const ran: string[] = [];
    const h = sim.call(1, () => ran.push('cancelled'));
    sim.call(2, () => ran.push('kept'));
    sim.cancel(h);
    sim.run();
    expect(ran).toEqual(['kept']);
  });
});

describe('stale handles never cancel a new event in a recycled slot', () => {
  it('after the old event ran', () => {
    const { sim, ran, type } = setup();
    const old = sim.schedule(1, type, 1);
    sim.run();
    const fresh = sim.schedule(1, type, 2);
    expect(fresh % SLOT_SPACE).toBe(old % SLOT_SPACE); // the slot really was recycled
    expect(fresh).not.toBe(old);
    sim.cancel(old);
    sim.run();
    expect(ran).toEqual([1, 2]);
  });

  it('after the old event was cancelled and popped', () => {
    const { sim, ran, type } = setup();
    const old = sim.schedule(1, type, 1);
    sim.cancel(old);
    sim.run();
    const fresh = sim.schedule(1, type, 2);
    expect(fresh % SLOT_SPACE).toBe(old % SLOT_SPACE);
    sim.cancel(old);
    sim.run();
    expect(ran).toEqual([2]);
  });

  it('when a handler cancels its own handle after scheduling into the freed slot', () => {
    const sim = new Simulator(16);
    const ran: number[] = [];
    let first = -1;
    let second = -1;
    const type = sim.register((arg) => {
      ran.push(arg);
      if (arg === 1) {
        second = sim.schedule(1, type, 2);
        sim.cancel(first);
      }
    });
    first = sim.schedule(1, type, 1);
    sim.run();
    expect(second % SLOT_SPACE).toBe(first % SLOT_SPACE);
    expect(ran).toEqual([1, 2]);
  });

  it('for closures recycled into a typed-event slot and back', () => {
    const sim = new Simulator(16);
    const ran: string[] = [];
    const type = sim.register(() => ran.push('typed'));
    const oldCall = sim.call(1, () => ran.push('old call'));
    sim.run();
    const typed = sim.schedule(1, type);
    sim.cancel(oldCall);
    sim.run();
    const newCall = sim.call(1, () => ran.push('new call'));
    sim.cancel(typed);
    sim.cancel(oldCall);
    sim.run();
    expect(newCall % SLOT_SPACE).toBe(oldCall % SLOT_SPACE);
    expect(ran).toEqual(['old call', 'typed', 'new call']);
  });

  it('over many generations of the same slot', () => {
    const { sim, ran, type } = setup();
    const stale: number[] = [];
    for (let i = 0; i < 1000; i++) {
      for (const h of stale) sim.cancel(h);
      stale.push(sim.schedule(0, type, i));
      sim.run();
    }
    expect(new Set(stale.map((h) => h % SLOT_SPACE)).size).toBe(1);
    expect(ran).toHaveLength(1000);
  });

  it('ignores handles that were never issued', () => {
    const { sim, ran, type } = setup();
    sim.schedule(1, type, 1);
    for (const bogus of [-1, NaN, 2 ** 40, 12345]) sim.cancel(bogus);
    sim.run();
    expect(ran).toEqual([1]);
  });
});
