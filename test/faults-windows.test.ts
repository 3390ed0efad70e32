import { describe, expect, it } from 'vitest';
import { Rng } from '../src/kernel/index.ts';
import { intervalAt, mergeIntervals, windowsOf, windowTimingIssue } from '../src/faults/windows.ts';
import { Faults } from '../src/faults/schema.ts';

describe('fault windows', () => {
  it('a scheduled window is [at, at + duration)', () => {
    expect(windowsOf({ at: 3600, duration: 900 }, new Rng('x'), 86400)).toEqual([[3600, 4500]]);
  });

  it('random windows alternate exponential up and down times: availability → MTBF / (MTBF + MTTR)', () => {
    const ws = windowsOf({ mtbf: 3600, mttr: 360 }, new Rng('availability'), 1e7);
    let down = 0;
    for (const [a, b] of ws) down += b - a;
    // 1e7 s holds about 2,500 cycles: the down share is 360 / 3960 = 0.0909 within a few percent of itself.
    expect(down / 1e7).toBeGreaterThan(0.0909 * 0.92);
    expect(down / 1e7).toBeLessThan(0.0909 * 1.08);
    // Windows start inside the horizon, in order, never overlapping.
    for (let i = 1; i < ws.length; i++) expect(ws[i][0]).toBeGreaterThanOrEqual(ws[i - 1][1]);
    expect(ws[ws.length - 1][0]).toBeLessThan(1e7);
  });

  it('the same stream draws the same windows', () => {
    expect(windowsOf({ mtbf: 600, mttr: 60, from: 100 }, new Rng('s'), 1e5)).toEqual(windowsOf({ mtbf: 600, mttr: 60, from: 100 }, new Rng('s'), 1e5));
  });

  it('overlapping and touching windows merge; lookups find the window holding t', () => {
    const m = mergeIntervals([
      [10, 20],
      [0, 5],
      [15, 30],
      [30, 40],
      [50, 50],
    ]);
    expect(m).toEqual([
      [0, 5],
      [10, 40],
    ]);
    expect(intervalAt(m, 4.999)).toBe(0);
    expect(intervalAt(m, 5)).toBe(-1);
    expect(intervalAt(m, 39)).toBe(1);
    expect(intervalAt(m, 40)).toBe(-1);
  });

  it('a window is scheduled or random, with both of its fields', () => {
    expect(windowTimingIssue({ at: 1 })?.path).toBe('duration');
    expect(windowTimingIssue({ mtbf: 1 })?.path).toBe('mttr');
    expect(windowTimingIssue({ at: 1, duration: 2, mtbf: 3 })?.message).toMatch(/not both/);
    expect(windowTimingIssue({})?.message).toMatch(/at \+ duration/);
    const bad = Faults.safeParse({ outages: [{ service: 'registry', at: '1h' }] });
    expect(bad.success).toBe(false);
    expect(Faults.safeParse({ outages: [{ service: 'registry', mtbf: '7d', mttr: '30m' }] }).success).toBe(true);
  });
});
