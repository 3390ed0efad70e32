import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';

function run(signing: unknown, over: Record<string, unknown> = {}, count = 20) {
  return simulateRun(
    RunConfig.parse({
      duration: '6h',
      cluster: { nodes: 1, egress: 'public-ip' },
      images: { count, size: '80 MB', layers: 8, multiArch: false, signing },
      releases: { every: '2h', delta: '100 KB' },
      distribution: { kind: 'hosted', preset: 'dockerhub', plan: 'anonymous' },
      ...over,
    }),
  );
}

describe('image signatures', () => {
  it('cosign: a signature manifest and blob per pull; notation: referrers, manifest and envelope', () => {
    const team = { distribution: { kind: 'hosted', preset: 'dockerhub', plan: 'team' } };
    const none = run('none', team);
    const cosign = run('cosign', team);
    const notation = run('notation', team);
    expect(cosign.requests - none.requests).toBe(60 * 2);
    expect(cosign.metadata_bytes - none.metadata_bytes).toBe(60 * (800 + 305));
    expect(notation.requests - none.requests).toBe(60 * 3);
    expect(notation.metadata_bytes - none.metadata_bytes).toBe(60 * (600 + 1000 + 32654));
  });

  it('a cosign signature GET is a manifest GET: it counts against Docker Hub\'s 100 pulls per 6 h', () => {
    // 20 images × 3 releases = 60 pulls in the 6 h window from one IP: fine unsigned; signed, each pull
    // costs 2 manifest GETs, so the 51st pull is refused (and its retries) until the window reopens.
    expect(run('none').pulls_failed).toBe(0);
    const signed = run('cosign');
    expect(signed.pulls_failed_by_reason).toEqual({ 'rate-limited': 10 });
  });

  it('verification runs on the node before the config and layers are fetched: serial pulls add it up', () => {
    const a = run('none', {}, 10);
    const b = run({ format: 'notation', verify: '50ms' }, {}, 10);
    // Ten images pulled one at a time: at least 10 × 50 ms more, plus the three signature round trips each.
    expect(b.rollout_s.max - a.rollout_s.max).toBeGreaterThan(10 * 0.05);
  });
});
