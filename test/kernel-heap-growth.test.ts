import { describe, expect, it } from 'vitest';
import { Simulator } from '../src/kernel/index.ts';
import { Rng } from '../src/kernel/index.ts';

describe('the event heap grows beyond its initial capacity', () => {
  it('holds 1e5 pending events and dispatches them in (time, seq) order', () => {
    const n = 100_000;
    const sim = new Simulator(16);
    const rng = new Rng('heap-growth');
    // Integer times in [0, 1000) so that ~100 events share each time and FIFO at ties is exercised.
    const times = new Float64Array(n);
    for (let i = 0; i < n; i++) times[i] = rng.int(1000);
    let count = 0;
    let lastTime = -1;
    let lastIndex = -1;
    let ordered = true;
    const type = sim.register((i) => {
      const t = times[i];
      if (t < lastTime || (t === lastTime && i < lastIndex)) ordered = false;
      if (sim.now !== t) ordered = false;
      lastTime = t;
      lastIndex = i;
      count++;
    });
    for (let i = 0; i < n; i++) sim.scheduleAt(times[i], type, i);
    expect(sim.pending).toBe(n);
    const stats = sim.run();
    expect(stats).toEqual({ events: n, stoppedBy: 'empty' });
    expect(count).toBe(n);
    expect(ordered).toBe(true);
  });

  it('keeps cancellation and handles valid across growth', () => {
    const n = 100_000;
    const sim = new Simulator(16);
    const ran = new Uint8Array(n);
    const type = sim.register((i) => {
      ran[i]++;
    });
    const handles: number[] = [];
    for (let i = 0; i < n; i++) handles.push(sim.schedule(n - i, type, i));
    for (let i = 0; i < n; i += 3) sim.cancel(handles[i]);
    expect(sim.pending).toBe(n);
    expect(sim.run().events).toBe(n - Math.ceil(n / 3));
    let wrong = 0;
    for (let i = 0; i < n; i++) if (ran[i] !== (i % 3 === 0 ? 0 : 1)) wrong++;
    expect(wrong).toBe(0);
  });

  it('grows while handlers schedule during dispatch', () => {
    const sim = new Simulator(16);
    let spawned = 0;
    let ran = 0;
    // The first event fans out to 1e5 children at once: the heap must grow from inside run().
    const child = sim.register(() => {
      ran++;
    });
    const root = sim.register(() => {
      for (let i = 0; i < 100_000; i++, spawned++) sim.schedule((i * 7919) % 101, child);
    });
    sim.schedule(0, root);
    sim.run({ maxEvents: 1 });
    expect(sim.pending).toBe(100_000);
    sim.run();
    expect(ran).toBe(spawned);
    expect(sim.now).toBe(100);
  });
});
