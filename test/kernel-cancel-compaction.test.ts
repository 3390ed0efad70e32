import { describe, expect, it } from 'vitest';
import { LATE, NORMAL, Rng, Simulator, URGENT } from '../src/kernel/index.ts';

// When more than half of the heap is cancelled events, the kernel drops them in one pass (compaction).
// These cases drive it far past that point and check that nothing observable changes.

const SLOT_SPACE = 2 ** 26;

describe('compacting cancelled events out of the heap', () => {
  it('keeps the survivors in (time, priority, seq) order and frees the rest', () => {
    const sim = new Simulator(16);
    const ran: number[] = [];
    const type = sim.register((i) => ran.push(i));
    const rng = new Rng('compaction-order');
    const n = 10_000;
    // Few distinct times, so survivors tie often and the batch orders them after the rebuild.
    const times = Array.from({ length: n }, () => rng.int(50));
    const prios = Array.from({ length: n }, () => [URGENT, NORMAL, LATE][rng.int(3)]);
    const handles = times.map((t, i) => sim.scheduleAt(t, type, i, prios[i]));
    const kept: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 5 === 0) kept.push(i);
      else sim.cancel(handles[i]);
    }
    expect(sim.pending).toBeLessThan(n); // compaction ran: cancelled events were dropped before popping
    const expected = kept.sort((a, b) => times[a] - times[b] || prios[a] - prios[b] || a - b);
    expect(sim.run()).toEqual({ events: kept.length, stoppedBy: 'empty' });
    expect(ran).toEqual(expected);
    expect(sim.pending).toBe(0);
  });

  it('never lets a stale handle of a dropped event cancel the new event in its slot', () => {
    const sim = new Simulator(16);
    const ran: number[] = [];
    const type = sim.register((i) => ran.push(i));
    const old = Array.from({ length: 1000 }, (_, i) => sim.schedule(10, type, i));
    for (const h of old) sim.cancel(h);
    const fresh = Array.from({ length: 1000 }, (_, i) => sim.schedule(20, type, 1000 + i));
    const reused = new Set(old.map((h) => h % SLOT_SPACE));
    expect(fresh.some((h) => reused.has(h % SLOT_SPACE))).toBe(true); // slots really were recycled
    for (const h of old) sim.cancel(h);
    sim.run();
    expect(ran).toEqual(Array.from({ length: 1000 }, (_, i) => 1000 + i));
  });

  it('matches a reference while handlers keep re-timing events by cancel + schedule', () => {
    // The P2P transport's pattern: every event re-times a few others (cancel the old finish, schedule a
    // new one), leaving many dead entries per live one.
    const rng = new Rng('compaction-retime');
    const script = Array.from({ length: 3000 }, () => ({ retime: rng.int(4), delay: rng.int(8) * 0.5 }));
    const run = (useKernel: boolean): [number, number][] => {
      const trace: [number, number][] = [];
      const live = 200;
      const at = new Float64Array(live);
      if (useKernel) {
        const sim = new Simulator(16);
        const handle = new Float64Array(live);
        let k = 0;
        const type = sim.register((j) => {
          trace.push([j, sim.now]);
          if (k >= script.length) return;
          const s = script[k++];
          for (let r = 0; r <= s.retime; r++) {
            const o = (j + 17 * r + k) % live;
            if (o === j) continue;
            sim.cancel(handle[o]);
            handle[o] = sim.schedule(s.delay + r, type, o);
          }
          handle[j] = sim.schedule(s.delay, type, j);
        });
        for (let j = 0; j < live; j++) handle[j] = sim.scheduleAt(j % 7, type, j);
        sim.run();
        return trace;
      }
      // Reference: each of `live` actors has one pending (time, seq); pick the smallest every step.
      const seqOf = new Float64Array(live);
      let seq = 0;
      for (let j = 0; j < live; j++) {
        at[j] = j % 7;
        seqOf[j] = seq++;
      }
      let k = 0;
      for (;;) {
        let j = -1;
        for (let i = 0; i < live; i++) if (at[i] < Infinity && (j < 0 || at[i] < at[j] || (at[i] === at[j] && seqOf[i] < seqOf[j]))) j = i;
        if (j < 0) return trace;
        const now = at[j];
        at[j] = Infinity;
        trace.push([j, now]);
        if (k >= script.length) continue;
        const s = script[k++];
        for (let r = 0; r <= s.retime; r++) {
          const o = (j + 17 * r + k) % live;
          if (o === j) continue;
          at[o] = now + s.delay + r;
          seqOf[o] = seq++;
        }
        at[j] = now + s.delay;
        seqOf[j] = seq++;
      }
    };
    expect(run(true)).toEqual(run(false));
  });
});
