import { describe, expect, it } from 'vitest';
import { Rng, RngStreams } from '../src/kernel/index.ts';

const draw = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.next());

describe('named rng streams', () => {
  it('same seed and name give the same sequence', () => {
    expect(draw(new RngStreams(42).stream('releases'), 100)).toEqual(draw(new RngStreams(42).stream('releases'), 100));
  });

  it('return the same stream object for the same name, so draws continue', () => {
    const streams = new RngStreams(42);
    const first = draw(streams.stream('releases'), 10);
    const next = draw(streams.stream('releases'), 10);
    expect(first.concat(next)).toEqual(draw(new RngStreams(42).stream('releases'), 20));
  });

  it('different seeds or names give different sequences', () => {
    const a = draw(new RngStreams(42).stream('releases'), 20);
    expect(draw(new RngStreams(43).stream('releases'), 20)).not.toEqual(a);
    expect(draw(new RngStreams(42).stream('p2p:peer-choice'), 20)).not.toEqual(a);
    expect(draw(new RngStreams('42').stream('releases'), 20)).toEqual(a); // the seed is used as text
  });

  it('adding a stream, or drawing from another, does not change a stream’s draws', () => {
    const alone = new RngStreams(7);
    const expected = draw(alone.stream('releases'), 50);

    const crowded = new RngStreams(7);
    const other = crowded.stream('p2p:peer-choice');
    draw(other, 13);
    const releases = crowded.stream('releases');
    const got: number[] = [];
    for (let i = 0; i < 50; i++) {
      got.push(releases.next());
      draw(crowded.stream(`churn:${i}`), 3);
      other.next();
    }
    expect(got).toEqual(expected);
  });

  it('streams with different names are uncorrelated', () => {
    const streams = new RngStreams(1);
    const n = 20_000;
    const a = draw(streams.stream('a'), n);
    const b = draw(streams.stream('b'), n);
    // Deterministic for this seed; |r| of two independent uniform samples is ~1/sqrt(n) = 0.007.
    expect(Math.abs(pearson(a, b))).toBeLessThan(0.03);
    // Sanity: a stream is not its neighbour shifted by one draw.
    expect(Math.abs(pearson(a.slice(1), b.slice(0, n - 1)))).toBeLessThan(0.03);
  });

  it('helpers stay in their ranges', () => {
    const rng = new RngStreams(3).stream('helpers');
    for (let i = 0; i < 1000; i++) {
      const u = rng.uniform(2, 5);
      expect(u >= 2 && u < 5).toBe(true);
      const k = rng.int(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
      expect(rng.exponential(10)).toBeGreaterThanOrEqual(0);
    }
  });
});

function pearson(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}
