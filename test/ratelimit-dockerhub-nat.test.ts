import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';
import type { TransferEvent } from '../src/cluster/events.ts';

const SIX_HOURS = 6 * 3600;

/** FACTS.md V6: 500 nodes, 10 images every 2 h, Docker Hub; the times of the manifest GETs that were served. */
function seedOnDockerHub(egress: 'nat' | 'public-ip', plan: string) {
  const served: number[] = [];
  let now = 0;
  const m = simulateRun(
    RunConfig.parse({
      duration: '24h',
      cluster: { nodes: 500, zones: 1, egress, natGateways: 'single' },
      images: { count: 10, size: '500 MB', layers: 8 },
      releases: { every: '2h', delta: '100 KB' },
      distribution: { kind: 'hosted', preset: 'dockerhub', plan },
    }),
    {
      observers: [{
        releasePublished: (_r, t) => (now = t),
        // A served manifest is its 2 KB body; a refused one is the 100 B body of the 429.
        transferDone: (e: TransferEvent) => {
          if (e.kind === 'manifest' && e.bytes === 2000) served.push(now);
        },
      }],
    },
  );
  return { m, served };
}

describe('Docker Hub pull limits (FACTS.md §3b, V6)', () => {
  const nat = seedOnDockerHub('nat', 'anonymous');

  it('behind one NAT IP, anonymous: 100 pulls per 6 h window succeed, the rest are retried, then counted failed', () => {
    const { m } = nat;
    expect(m.pulls).toBe(500 * 10 * 12);
    const ok = m.pulls - m.pulls_failed;
    // The bucket refills at 0, 6, 12 and 18 h, each a release time (releases every 2 h); kubelet's back-off
    // gives up about 10 minutes after a release, so the releases at 2, 4, 8, … h find it empty: 4 × 100.
    expect(ok).toBe(400);
    expect(m.pulls_failed_by_reason).toEqual({ 'rate-limited': m.pulls_failed });
    // Every refused attempt is one 429: either retried (6 retries per pull with kubelet's default) or the last.
    expect(m.retries).toBe(m.pulls_failed * 6);
    expect(m.throttled_requests).toBe(m.retries + m.pulls_failed);
    // A refused manifest GET stops the pull: no layer bytes for failed pulls.
    expect(m.layer_bytes).toBe(ok * 100e3);
  });

  it('behind one NAT, 100 manifest GETs are served in each 6 h window and none in between', () => {
    // `served` holds the release each was served in; within one release they land within minutes, so
    // per release window the count is exact: releases 0, 3, 6, 9 get 100 each, the others none.
    const perRelease = new Map<number, number>();
    for (const t of nat.served) perRelease.set(t, (perRelease.get(t) ?? 0) + 1);
    expect([...perRelease.entries()]).toEqual([
      [0, 100],
      [SIX_HOURS, 100],
      [2 * SIX_HOURS, 100],
      [3 * SIX_HOURS, 100],
    ]);
  });

  it('with a public IP per node (30 pulls per node per 6 h) nothing is throttled', () => {
    const { m } = seedOnDockerHub('public-ip', 'anonymous');
    expect(m.throttled_requests).toBe(0);
    expect(m.retries).toBe(0);
    expect(m.pulls_failed).toBe(0);
    expect(m.layer_bytes).toBe(500 * 10 * 12 * 100e3);
  });

  it('an authenticated personal account shares 200 pulls per 6 h across the cluster; paid plans are unlimited', () => {
    const personal = seedOnDockerHub('public-ip', 'personal').m;
    expect(personal.pulls - personal.pulls_failed).toBe(800);
    const team = seedOnDockerHub('nat', 'team').m;
    expect(team.throttled_requests).toBe(0);
    expect(team.pulls_failed).toBe(0);
  });
});
