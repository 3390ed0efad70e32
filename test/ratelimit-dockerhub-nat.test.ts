import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';

/** FACTS.md V6: 500 nodes, 10 images every 2 h, anonymous Docker Hub. */
function seedOnDockerHub(egress: 'nat' | 'public-ip', plan: string) {
  return simulateRun(
    RunConfig.parse({
      duration: '24h',
      cluster: { nodes: 500, zones: 1, egress, natGateways: 'single' },
      images: { count: 10, size: '500 MB', layers: 8 },
      releases: { every: '2h', delta: '100 KB' },
      distribution: { kind: 'hosted', preset: 'dockerhub', plan },
    }),
  );
}

describe('Docker Hub pull limits (FACTS.md §3b, V6)', () => {
  it('behind one NAT IP, anonymous: at most 100 pulls per 6 h succeed; every other pull is counted', () => {
    const m = seedOnDockerHub('nat', 'anonymous');
    expect(m.pulls).toBe(500 * 10 * 12);
    const ok = m.pulls - m.pulls_failed;
    // Releases span 22 h, so four 6 h windows: at most 400 successful pulls, and the quota is used.
    expect(ok).toBeLessThanOrEqual(400);
    expect(ok).toBeGreaterThanOrEqual(300);
    expect(m.pulls_failed_by_reason).toEqual({ 'rate-limited': m.pulls_failed });
    expect(m.throttled_requests).toBeGreaterThanOrEqual(m.pulls_failed);
    // A refused manifest GET stops the pull: no layer bytes for failed pulls.
    expect(m.layer_bytes).toBe(ok * 100e3);
  });

  it('with a public IP per node (30 pulls per node per 6 h) nothing is throttled', () => {
    const m = seedOnDockerHub('public-ip', 'anonymous');
    expect(m.throttled_requests).toBe(0);
    expect(m.pulls_failed).toBe(0);
    expect(m.layer_bytes).toBe(500 * 10 * 12 * 100e3);
  });

  it('an authenticated personal account shares 200 pulls per 6 h across the cluster; paid plans are unlimited', () => {
    const personal = seedOnDockerHub('public-ip', 'personal');
    expect(personal.pulls - personal.pulls_failed).toBeLessThanOrEqual(800);
    expect(personal.pulls - personal.pulls_failed).toBeGreaterThanOrEqual(600);
    const team = seedOnDockerHub('nat', 'team');
    expect(team.throttled_requests).toBe(0);
    expect(team.pulls_failed).toBe(0);
  });
});
