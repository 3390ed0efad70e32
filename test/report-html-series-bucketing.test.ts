import { describe, expect, it } from 'vitest';
import { MAX_POINTS, TransferTimeline, rolloutCurve } from '../src/metrics/timeseries.ts';

describe('chart time series', () => {
  it('rollout completion is the share of all targets ready by each time, ending below 1 when some failed', () => {
    const c = rolloutCurve([3, 1, 2], 4);
    expect(c).toEqual({ t_s: [0, 1, 2, 3], ready_share: [0, 0.25, 0.5, 0.75] });
  });

  it('rollout completion keeps at most MAX_POINTS points and always its last one', () => {
    const xs = Array.from({ length: 10_000 }, (_, i) => i + 1);
    const c = rolloutCurve(xs, 10_000);
    expect(c.t_s.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(c.t_s.at(-1)).toBe(10_000);
    expect(c.ready_share.at(-1)).toBe(1);
  });

  it('throughput conserves bytes: Σ Bps × width × releases = bytes recorded, per source', () => {
    const tl = new TransferTimeline();
    // 100 s of samples forces the 1 ms fine grid to coarsen many times.
    for (let i = 0; i < 1000; i++) tl.record(i * 0.1, 1000, i % 2 ? 'ecr' : 'peer');
    const releases = 4;
    const s = tl.series(0, releases);
    expect(Object.keys(s)).toEqual(['ecr', 'peer']);
    const width = s.ecr.t_s[1] - s.ecr.t_s[0];
    expect(s.ecr.t_s.length).toBeLessThanOrEqual(MAX_POINTS);
    for (const name of ['ecr', 'peer'] as const) {
      const total = s[name].Bps.reduce((a, b) => a + b, 0) * width * releases;
      // Values are stored to 6 significant digits.
      expect(Math.abs(total - 500 * 1000) / (500 * 1000)).toBeLessThan(1e-5);
    }
  });

  it('spreads a transfer whose start is known evenly over its flow time', () => {
    const tl = new TransferTimeline();
    // 2 MB flowing from 10 s to 30 s is 100 kB/s throughout, whatever the bucket width becomes.
    tl.record(30, 2e6, 'ecr', 10);
    const s = tl.series(40, 1).ecr;
    const width = s.t_s[1] - s.t_s[0];
    s.t_s.forEach((t, i) => {
      const covered = Math.max(0, Math.min(30, t + width) - Math.max(10, t));
      expect(s.Bps[i]).toBeCloseTo((1e5 * covered) / width, 0);
    });
    expect(Math.max(...s.Bps)).toBeCloseTo(1e5, 0);
  });
});

describe('per-zone traffic', () => {
  it('splits every ingress byte over the zones, cross-zone bytes only where no registry sits', async () => {
    const { loadScenario, simulate } = await import('../src/run.ts');
    const scenario = await loadScenario('scenarios/seed-500-nodes.yaml', ['cluster.nodes=30', 'duration=4h']);
    const r = simulate(scenario);
    for (const v of r.variants) {
      const zones = v.series!.ingress_by_zone!;
      expect(Object.keys(zones)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
      const total = Object.values(zones).reduce((n, z) => n + Object.values(z.bytes_by_source).reduce((a, b) => a + b, 0), 0);
      expect(total).toBe(v.metrics.ingress_bytes);
      const cross = Object.values(zones).reduce((n, z) => n + z.cross_zone_bytes, 0);
      expect(cross).toBe(v.metrics.cross_zone_bytes);
    }
    // The private registry runs in 1a and 1b only: zone 1c's nodes get every byte from another zone.
    const priv = r.variants.find((v) => v.name === 'private-registry')!.series!.ingress_by_zone!['us-east-1c'];
    expect(priv.cross_zone_bytes).toBe(Object.values(priv.bytes_by_source).reduce((a, b) => a + b, 0));
  });
});
