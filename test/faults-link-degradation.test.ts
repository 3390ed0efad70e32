import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';

/** One node pulls a 500 MB layer from Docker Hub through its NAT gateway (100 Gbit/s, per-connection 60 MB/s). */
function run(links: unknown[]) {
  return simulateRun(
    RunConfig.parse({
      duration: '1h',
      cluster: { nodes: 1, egress: 'nat' },
      images: { count: 1, size: '600 MB', layers: 1, multiArch: false },
      releases: { every: '1h', delta: '500 MB' },
      distribution: { kind: 'hosted', preset: 'dockerhub', plan: 'team' },
      faults: { links },
    }),
  );
}

describe('link degradation windows', () => {
  it('a NAT gateway at 1/1000 of its capacity for the whole pull: the layer takes L / (c·f) instead of L / 60 MB/s', () => {
    const calm = run([]);
    const slow = run([{ link: 'nat', at: 0, duration: '1h', factor: 0.001 }]);
    const degraded = (100e9 / 8) * 0.001; // 12.5 MB/s, below the 60 MB/s connection cap
    const expected = 500e6 / degraded - 500e6 / 60e6;
    // The small metadata bodies are slower too, by well under a millisecond in all.
    expect(slow.rollout_s.max - calm.rollout_s.max).toBeGreaterThan(expected);
    expect(slow.rollout_s.max - calm.rollout_s.max).toBeLessThan(expected + 0.001);
    expect(slow.layer_bytes).toBe(calm.layer_bytes);
  });

  it('a window that ends mid-transfer restores the capacity: the rest goes at full speed', () => {
    const calm = run([]);
    // 10 s at 12.5 MB/s moves 125 MB (minus what the metadata took); the remaining ≈375 MB go at 60 MB/s.
    const partly = run([{ link: 'nat', at: 0, duration: '10s', factor: 0.001 }]);
    const t = partly.rollout_s.max;
    expect(t).toBeGreaterThan(10 + 375e6 / 60e6);
    expect(t).toBeLessThan(10 + 375e6 / 60e6 + calm.rollout_s.max);
  });

  it("a registry link fault on a private registry slows its instances' NICs", () => {
    // One node pulls a 500 MB layer from a private registry whose instances have 10 Gbit/s NICs; at 1/1000
    // the NIC gives 1.25 MB/s, so the layer takes 400 s instead of 500 MB at the calm rate.
    const priv = (links: unknown[], instances: number) =>
      simulateRun(
        RunConfig.parse({
          duration: '1h',
          cluster: { nodes: 1 },
          images: { count: 1, size: '600 MB', layers: 1, multiArch: false },
          releases: { every: '1h', delta: '500 MB' },
          distribution: { kind: 'private', instances },
          faults: { links },
        }),
      );
    for (const instances of [1, 2]) {
      const calm = priv([], instances);
      const slow = priv([{ link: 'registry', at: 0, duration: '1h', factor: 0.001 }], instances);
      const expected = 500e6 / ((10e9 / 8) * 0.001) - 500e6 / calm.registry_peak_Bps;
      // The small metadata bodies are slower too, by a few milliseconds in all.
      expect(slow.rollout_s.max - calm.rollout_s.max).toBeGreaterThan(expected);
      expect(slow.rollout_s.max - calm.rollout_s.max).toBeLessThan(expected + 0.05);
      expect(slow.layer_bytes).toBe(calm.layer_bytes);
    }
  });

  it('a link fault on a zone that is not the cluster\'s is rejected with the zone list', () => {
    const r = RunConfig.safeParse({
      cluster: { nodes: 1 },
      releases: { every: '1h', delta: '1 MB' },
      distribution: { kind: 'hosted', preset: 'ecr' },
      faults: { links: [{ link: 'nat', zone: 'mars-1a', at: 0, duration: '1m', factor: 0.5 }] },
    });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/not a cluster zone/);
  });
});
