import { describe, expect, it } from 'vitest';
import { LATE, NORMAL, Rng, Simulator, URGENT } from '../src/kernel/index.ts';
import { before, type Keyed } from './kernel-order.ts';

/**
 * The kernel's ladder queue: times go to rungs of equal-width buckets, a crowded bucket becomes a deeper
 * rung, a flooded front becomes a rung, and times no rung can separate (adjacent float64s, or more than
 * the deepest rung allows) are sorted whole. These cases build each of those shapes and check the
 * dispatch order against a reference that takes the (time, priority, seq) minimum.
 */
interface Ev extends Keyed {
  id: number;
}

function popMin(live: Ev[]): Ev {
  let m = 0;
  for (let i = 1; i < live.length; i++) if (before(live[i], live[m])) m = i;
  return live.splice(m, 1)[0];
}

/** The depth of the ladder right now (a private field, read to check a case builds the shape it means to). */
const rungsOf = (sim: Simulator): number => (sim as unknown as { rungs: number }).rungs;

/** Schedules every time up front (priorities cycling), runs, and compares with the reference. */
function runAll(times: number[]): { got: number[]; expected: number[]; deepest: number } {
  const sim = new Simulator(16);
  const got: number[] = [];
  let deepest = 0;
  const type = sim.register((id) => {
    got.push(id);
    deepest = Math.max(deepest, rungsOf(sim));
  });
  const live: Ev[] = [];
  times.forEach((time, i) => {
    const priority = [NORMAL, URGENT, NORMAL, LATE][i % 4];
    live.push({ time, priority, seq: i, id: i });
    sim.scheduleAt(time, type, i, priority);
  });
  sim.run();
  const expected: number[] = [];
  while (live.length > 0) expected.push(popMin(live).id);
  return { got, expected, deepest };
}

describe('ladder queue rungs', () => {
  it('nests rungs for clusters inside clusters (each crowded bucket becomes a deeper rung)', () => {
    const rng = new Rng('ladder-nested');
    const times: number[] = [];
    // Three levels of clustering: 4 clusters of 8 sub-clusters of 40 close times, and far outliers.
    for (let c = 0; c < 4; c++) {
      for (let s = 0; s < 8; s++) {
        const at = 1000 * c + 1e-3 * s;
        for (let k = 0; k < 40; k++) times.push(at + 1e-9 * rng.int(1000));
      }
    }
    times.push(0, 1e9, 5e8);
    const { got, expected, deepest } = runAll(times);
    expect(got).toEqual(expected);
    expect(deepest).toBeGreaterThanOrEqual(3);
  });

  it('sorts whole what no rung can separate: runs of adjacent float64s and more levels than rungs', () => {
    const times: number[] = [];
    // 300 consecutive doubles above 4 (less than one ulp per bucket), then 40 clusters of 30 times, the
    // k-th at 2^(−20k): each rung's first bucket holds every later cluster, so each cluster is one rung
    // deeper than the last and the rungs run out.
    let t = 4;
    for (let i = 0; i < 300; i++) {
      times.push(t);
      t += 4 * Number.EPSILON;
    }
    times.push(0);
    for (let k = 0; k < 40; k++) for (let j = 0; j < 30; j++) times.push(2 ** (-20 * k) * (1 + j / 32));
    const { got, expected, deepest } = runAll(times);
    expect(got).toEqual(expected);
    // The kernel's limit (MAX_RUNGS).
    expect(deepest).toBe(24);
  });

  it('keeps events at Infinity last, in FIFO order, among finite times', () => {
    const times: number[] = [];
    for (let i = 0; i < 200; i++) times.push(i % 7 === 0 ? Infinity : (i * 37) % 101);
    const { got, expected } = runAll(times);
    expect(got).toEqual(expected);
  });

  it('keeps order when handlers flood the front while rungs are in use (the front becomes a deeper rung)', () => {
    const sim = new Simulator(16);
    const got: number[] = [];
    const live: Ev[] = [];
    let seq = 0;
    const add = (time: number, priority: number): void => {
      live.push({ time, priority, seq, id: seq });
      sim.scheduleAt(time, type, seq++, priority);
    };
    const rng = new Rng('ladder-flood');
    let floods = 0;
    let deepest = 0;
    const type = sim.register((id) => {
      got.push(id);
      deepest = Math.max(deepest, rungsOf(sim));
      // Every 50th event floods the range just after now, below the next bucket: the front.
      if (id % 50 === 0 && floods < 20) {
        floods++;
        for (let i = 0; i < 300; i++) add(sim.now + 1e-6 + rng.uniform(0, 1e-4), [URGENT, NORMAL, LATE][i % 3]);
      }
    });
    for (let i = 0; i < 3000; i++) add(rng.uniform(0, 100), NORMAL);
    sim.run();
    const expected: number[] = [];
    // Every event was recorded when it was scheduled, and a handler only schedules times strictly after
    // now, so taking the minimum of all of them, in turn, gives the order.
    while (live.length > 0) expected.push(popMin(live).id);
    expect(got).toEqual(expected);
    expect(floods).toBe(20);
    expect(deepest).toBeGreaterThanOrEqual(2);
  });
});
