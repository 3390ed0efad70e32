import { describe, expect, it } from 'vitest';
import { LATE, NORMAL, Rng, Simulator, URGENT } from '../src/kernel/index.ts';

// The heap orders by time only; events that share a time are run from a batch ordered by (priority,
// seq). These cases pin the edges of that hand-over.

describe('events sharing a time run in (priority, seq) order', () => {
  it('when a handler schedules at the current time into a running tie', () => {
    const sim = new Simulator(16);
    const ran: string[] = [];
    const names = ['a', 'b', 'c', 'urgent', 'late', 'normal'];
    const type = sim.register((i) => {
      ran.push(names[i]);
      if (i === 0) {
        sim.schedule(0, type, 4, LATE);
        sim.schedule(0, type, 3, URGENT);
        sim.schedule(0, type, 5, NORMAL);
      }
    });
    sim.scheduleAt(1, type, 0);
    sim.scheduleAt(1, type, 1);
    sim.scheduleAt(1, type, 2);
    sim.run();
    // urgent jumps the queue; the new NORMAL one follows the older ones; LATE runs last.
    expect(ran).toEqual(['a', 'urgent', 'b', 'c', 'normal', 'late']);
  });

  it('when the last event of a tie schedules two more at the same time', () => {
    const sim = new Simulator(16);
    const ran: number[] = [];
    const type = sim.register((i) => {
      ran.push(i);
      if (i === 1) {
        sim.schedule(0, type, 3, NORMAL);
        sim.schedule(0, type, 2, URGENT);
      }
    });
    sim.scheduleAt(1, type, 0);
    sim.scheduleAt(1, type, 1);
    sim.run();
    expect(ran).toEqual([0, 1, 2, 3]);
  });

  it('when a run stops inside a tie and an event for that time is scheduled from outside', () => {
    const sim = new Simulator(16);
    const ran: number[] = [];
    const type = sim.register((i) => ran.push(i));
    for (let i = 0; i < 4; i++) sim.scheduleAt(2, type, i);
    sim.scheduleAt(3, type, 9);
    expect(sim.run({ maxEvents: 2 })).toEqual({ events: 2, stoppedBy: 'maxEvents' });
    expect(sim.now).toBe(2);
    expect(sim.pending).toBe(3);
    sim.schedule(0, type, 7, URGENT);
    sim.schedule(0, type, 8, NORMAL);
    expect(sim.pending).toBe(5);
    sim.run();
    expect(ran).toEqual([0, 1, 7, 2, 3, 8, 9]);
  });

  it('does not move the clock to a time whose events were all cancelled', () => {
    const sim = new Simulator(16);
    const ran: number[] = [];
    const type = sim.register((i) => ran.push(i));
    sim.scheduleAt(1, type, 1);
    const a = sim.scheduleAt(5, type, 2);
    const b = sim.scheduleAt(5, type, 3);
    sim.cancel(a);
    sim.cancel(b);
    expect(sim.run()).toEqual({ events: 1, stoppedBy: 'empty' });
    expect(ran).toEqual([1]);
    expect(sim.now).toBe(1);
  });

  it('skips cancelled events inside a tie and keeps the others in order', () => {
    const sim = new Simulator(16);
    const ran: number[] = [];
    const type = sim.register((i) => ran.push(i));
    const handles = [0, 1, 2, 3, 4].map((i) => sim.scheduleAt(1, type, i, i % 2 === 0 ? NORMAL : URGENT));
    sim.cancel(handles[1]);
    sim.cancel(handles[4]);
    sim.run();
    expect(ran).toEqual([3, 0, 2]);
  });
});

// A large tie is sorted one of three ways depending on how far apart its events were scheduled
// (simulator.ts sortBatch); each must give the (priority, seq) order.
describe('large ties run in (priority, seq) order', () => {
  function runTie(shape: (sim: Simulator, type: number, scheduleTie: (i: number, p: number) => void) => void): { ran: number[]; expected: number[] } {
    const sim = new Simulator(16);
    const ran: number[] = [];
    const tie: { i: number; p: number }[] = [];
    const type = sim.register((i) => {
      if (i >= 0) ran.push(i);
    });
    shape(sim, type, (i, p) => {
      tie.push({ i, p });
      sim.scheduleAt(7, type, i, p);
    });
    sim.run();
    const expected = tie.map((e, k) => ({ ...e, k })).sort((a, b) => a.p - b.p || a.k - b.k).map((e) => e.i);
    return { ran, expected };
  }

  it('when its events were scheduled one after another (a cluster in lockstep)', () => {
    const { ran, expected } = runTie((_sim, _type, tie) => {
      for (let i = 0; i < 2000; i++) tie(i, NORMAL);
    });
    expect(ran).toEqual(expected);
  });

  it('when other events were scheduled in between', () => {
    const rng = new Rng('large-tie-spread');
    const { ran, expected } = runTie((sim, type, tie) => {
      for (let i = 0; i < 300; i++) {
        tie(i, NORMAL);
        for (let j = 0; j < 40; j++) sim.scheduleAt(1 + rng.int(5), type, -1);
      }
    });
    expect(ran).toEqual(expected);
  });

  it('when it mixes priorities', () => {
    const rng = new Rng('large-tie-priorities');
    const { ran, expected } = runTie((_sim, _type, tie) => {
      for (let i = 0; i < 500; i++) tie(i, [URGENT, NORMAL, LATE][rng.int(3)]);
    });
    expect(ran).toEqual(expected);
  });
});
