import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SlidingWindowLimiter } from '../src/distribution/ratelimit.ts';

describe('sliding-window pull quota', () => {
  it('accepts exactly `limit` requests per window per key, then refuses until the oldest expires', () => {
    const l = new SlidingWindowLimiter(100, 21600);
    for (let i = 0; i < 100; i++) expect(l.tryAcquire(1, i)).toBe(true);
    expect(l.tryAcquire(1, 100)).toBe(false);
    expect(l.tryAcquire(2, 100)).toBe(true); // another egress IP has its own bucket
    expect(l.nextFree(1, 200)).toBe(21600);
    expect(l.tryAcquire(1, 21599.999)).toBe(false);
    expect(l.tryAcquire(1, 21600)).toBe(true); // the request accepted at t=0 has left the window
    expect(l.tryAcquire(1, 21600)).toBe(false);
  });

  it('never accepts more than `limit` in any window (property against a brute-force count)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 200 }).map((xs) => xs.sort((a, b) => a - b)),
        (limit, times) => {
          const window = 100;
          const l = new SlidingWindowLimiter(limit, window);
          const accepted: number[] = [];
          for (const t of times) {
            const inWindow = accepted.filter((a) => a + window > t).length;
            const ok = l.tryAcquire(0, t);
            // The limiter accepts exactly when the brute-force count says there is room.
            expect(ok).toBe(inWindow < limit);
            if (ok) accepted.push(t);
          }
        },
      ),
    );
  });

  it('rejects nonsense limits', () => {
    expect(() => new SlidingWindowLimiter(0, 10)).toThrow(/positive integer/);
    expect(() => new SlidingWindowLimiter(5, 0)).toThrow(/window/);
  });
});
