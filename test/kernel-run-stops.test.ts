import { describe, expect, it } from 'vitest';
import { Simulator } from '../src/kernel/index.ts';

function setup(times: number[]) {
  const sim = new Simulator(16);
  const ran: number[] = [];
  const type = sim.register((arg) => ran.push(arg));
  times.forEach((t, i) => sim.scheduleAt(t, type, i));
  return { sim, ran, type };
}

describe('run({ until })', () => {
  it('runs events up to and including until, keeps later ones and leaves the clock at until', () => {
    const { sim, ran } = setup([1, 5, 5, 6, 10]);
    expect(sim.run({ until: 5 })).toEqual({ events: 3, stoppedBy: 'until' });
    expect(ran).toEqual([0, 1, 2]);
    expect(sim.now).toBe(5);
    expect(sim.pending).toBe(2);

    expect(sim.run({ until: 7.5 })).toEqual({ events: 1, stoppedBy: 'until' });
    expect(sim.now).toBe(7.5);
    expect(sim.pending).toBe(1);

    expect(sim.run()).toEqual({ events: 1, stoppedBy: 'empty' });
    expect(ran).toEqual([0, 1, 2, 3, 4]);
    expect(sim.now).toBe(10);
  });

  it('moves the clock to until when the queue empties first', () => {
    const { sim } = setup([1, 2]);
    expect(sim.run({ until: 100 })).toEqual({ events: 2, stoppedBy: 'empty' });
    expect(sim.now).toBe(100);
  });

  it('leaves the clock at until between events, so a relative delay counts from until', () => {
    const { sim, ran, type } = setup([10]);
    sim.run({ until: 4 });
    expect(sim.now).toBe(4);
    sim.schedule(1, type, 99);
    sim.run();
    expect(ran).toEqual([99, 0]);
  });

  it('rejects an until before now instead of moving the clock backwards', () => {
    const { sim } = setup([10, 20]);
    sim.run({ until: 10 });
    expect(() => sim.run({ until: 5 })).toThrow(/5.*before now 10/);
    expect(sim.now).toBe(10);
  });
});

describe('run({ maxEvents })', () => {
  it('stops after exactly maxEvents dispatched events', () => {
    const { sim, ran } = setup([1, 2, 3, 4, 5]);
    expect(sim.run({ maxEvents: 2 })).toEqual({ events: 2, stoppedBy: 'maxEvents' });
    expect(ran).toEqual([0, 1]);
    expect(sim.now).toBe(2);
    expect(sim.pending).toBe(3);
    expect(sim.run({ maxEvents: 2 })).toEqual({ events: 2, stoppedBy: 'maxEvents' });
    expect(sim.run({ maxEvents: 2 })).toEqual({ events: 1, stoppedBy: 'empty' });
    expect(ran).toEqual([0, 1, 2, 3, 4]);
    expect(sim.dispatched).toBe(5);
  });

  it('dispatches nothing with maxEvents 0', () => {
    const { sim, ran } = setup([1]);
    expect(sim.run({ maxEvents: 0 })).toEqual({ events: 0, stoppedBy: 'maxEvents' });
    expect(ran).toEqual([]);
    expect(sim.now).toBe(0);
  });

  it('does not count cancelled events', () => {
    const sim = new Simulator(16);
    const ran: number[] = [];
    const type = sim.register((arg) => ran.push(arg));
    const handles = [1, 2, 3, 4].map((t) => sim.scheduleAt(t, type, t));
    sim.cancel(handles[0]);
    sim.cancel(handles[1]);
    expect(sim.run({ maxEvents: 1 })).toEqual({ events: 1, stoppedBy: 'maxEvents' });
    expect(ran).toEqual([3]);
  });

  it('reports empty when the last event is also the maxEvents-th', () => {
    const { sim } = setup([1, 2]);
    expect(sim.run({ maxEvents: 2 })).toEqual({ events: 2, stoppedBy: 'empty' });
  });

  it('counts events scheduled by handlers during the run', () => {
    const sim = new Simulator(16);
    let n = 0;
    const tick = sim.register(() => {
      n++;
      sim.schedule(1, tick);
    });
    sim.schedule(0, tick);
    expect(sim.run({ maxEvents: 1000 })).toEqual({ events: 1000, stoppedBy: 'maxEvents' });
    expect(n).toBe(1000);
    expect(sim.now).toBe(999);
    expect(sim.pending).toBe(1);
  });
});
