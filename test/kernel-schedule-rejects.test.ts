import { describe, expect, it } from 'vitest';
import { MAX_PRIORITY, Simulator } from '../src/kernel/index.ts';

describe('schedule rejects bad input with the value in the message', () => {
  const sim = new Simulator();
  const type = sim.register(() => {});

  it('negative delay', () => {
    expect(() => sim.schedule(-1, type)).toThrow(RangeError);
    expect(() => sim.schedule(-1, type)).toThrow(/Negative.*-1/);
    expect(() => sim.schedule(-0.25, type)).toThrow(/-0\.25/);
    expect(() => sim.call(-3, () => {})).toThrow(/-3/);
  });

  it('NaN delay', () => {
    expect(() => sim.schedule(NaN, type)).toThrow(/NaN/);
    expect(() => sim.call(NaN, () => {})).toThrow(/NaN/);
  });

  it('an absolute time in the past', () => {
    const s = new Simulator();
    const t = s.register(() => {});
    s.schedule(5, t);
    s.run();
    expect(() => s.scheduleAt(4, t)).toThrow(/4 is before now 5/);
    expect(() => s.scheduleAt(5, t)).not.toThrow();
  });

  it('a priority that would break the exact (priority, seq) key', () => {
    for (const p of [-1, 0.5, MAX_PRIORITY + 1, 1000, NaN, Infinity]) {
      expect(() => sim.schedule(0, type, 0, p)).toThrow(new RegExp(`Priority ${p}`));
    }
    expect(() => sim.schedule(0, type, 0, MAX_PRIORITY)).not.toThrow();
  });

  it('leaves the queue untouched when it throws', () => {
    const s = new Simulator();
    const t = s.register(() => {});
    expect(() => s.schedule(-1, t)).toThrow();
    expect(() => s.schedule(0, t, 0, -1)).toThrow();
    expect(s.pending).toBe(0);
  });

  it('accepts zero delay (runs at the current time, after what is already due)', () => {
    const s = new Simulator();
    const ran: number[] = [];
    const t = s.register((a) => ran.push(a));
    s.schedule(0, t, 1);
    s.schedule(0, t, 2);
    s.run();
    expect(ran).toEqual([1, 2]);
    expect(s.now).toBe(0);
  });
});
