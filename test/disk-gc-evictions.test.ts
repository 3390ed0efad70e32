import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';

function run(images: Record<string, unknown>, disk: Record<string, unknown>, releases: Record<string, unknown>, cache: 'warm' | 'cold' = 'warm') {
  return simulateRun(
    RunConfig.parse({
      duration: '12h',
      cluster: { nodes: 1, egress: 'public-ip', cache, disk },
      images: { multiArch: false, ...images },
      releases,
      distribution: { kind: 'hosted', preset: 'ecr' },
    }),
  );
}

describe("kubelet's image GC and disk-pressure eviction", () => {
  it('GC deletes old versions nobody runs: no re-pulls, only the deltas move', () => {
    // 80 MB image on a 100 MB disk: each 10 MB delta crosses 85 MB sooner or later; the old tops are unused.
    const m = run({ count: 1, size: '80 MB', layers: 8 }, { size: '100 MB' }, { every: '1h', delta: '10 MB' });
    expect(m.pulls).toBe(12);
    expect(m.pulls_failed).toBe(0);
    expect(m.layer_bytes).toBe(12 * 10e6);
  });

  it('when GC cannot free enough, a pod is evicted and its image pulled again', () => {
    // Two 40 MB images (4 × 10 MB) fill 80 MB of a 100 MB disk. Image 0 gets a 10 MB delta: 90 MB > 85 MB and
    // every layer is in use, so image 1's pod is evicted (40 MB freed) and recreated: it pulls image 1 again,
    // GC then deleting image 0's old top layer to fit it.
    const m = run({ count: 2, size: '40 MB', layers: 4 }, { size: '100 MB' }, { every: '12h', images: 1, delta: '10 MB' });
    expect(m.pulls).toBe(2);
    expect(m.pulls_failed).toBe(0);
    expect(m.layer_bytes).toBe(10e6 + 40e6);
  });

  it('a layer that cannot fit even then fails its pull as disk-full, counted after the retries', () => {
    const m = run({ count: 1, size: '100 MB', layers: 1 }, { size: '50 MB' }, { every: '12h', delta: '100 MB' }, 'cold');
    expect(m.pulls_failed_by_reason).toEqual({ 'disk-full': 1 });
    expect(m.retries).toBe(6);
  });

  it('thresholds are checked: gcLow below gcHigh', () => {
    expect(
      RunConfig.safeParse({
        cluster: { nodes: 1, disk: { size: '10 GB', gcHigh: 70, gcLow: 75 } },
        releases: { every: '1h', delta: '1 MB' },
        distribution: { kind: 'hosted', preset: 'ecr' },
      }).success,
    ).toBe(false);
  });
});
