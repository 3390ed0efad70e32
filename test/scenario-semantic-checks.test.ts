import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/run.ts';
import { ScenarioError, type ScenarioIssue } from '../src/scenario/errors.ts';
import { releaseDrainBound } from '../src/scenario/semantic.ts';
import { GZIP } from '../src/workload/images.ts';

const SEED = 'scenarios/seed-500-nodes.yaml';

async function issuesOf(sets: string[]): Promise<ScenarioIssue[]> {
  try {
    await loadScenario(SEED, sets);
    return [];
  } catch (e) {
    if (e instanceof ScenarioError) return [...e.issues];
    throw e;
  }
}

const base = {
  cluster: { nodes: 500, zones: 3, nic: 1.25e9, unpack: 1e8 },
  images: { count: 10, compression: GZIP },
  releases: { every: 7200, delta: 1e9 },
};

describe('release interval shorter than a release can drain', () => {
  it('the per-node bound is images × delta over the slower of NIC and unpack', () => {
    // 10 × 1 GB = 10 GB per node; NIC 1.25 GB/s → 8 s, unpack 100 MB/s → 100 s: unpack decides.
    const b = releaseDrainBound({ ...base, distribution: { kind: 'hosted' } });
    expect(b?.seconds).toBe(100);
    expect(b?.why).toContain('unpacked');
  });

  it('a proxying private registry adds nodes × bytes over its instances’ NICs; redirect does not', () => {
    const priv = { kind: 'private', instances: 2, nic: 1.25e9 };
    // 500 × 10 GB / 2.5 GB/s = 2,000 s.
    expect(releaseDrainBound({ ...base, distribution: priv })?.seconds).toBe(2000);
    expect(releaseDrainBound({ ...base, distribution: { ...priv, storage: { redirect: true } } })?.seconds).toBe(100);
  });

  it('lazy pulling claims no bound (containers start before the bytes are all there)', () => {
    expect(releaseDrainBound({ ...base, images: { ...base.images, lazy: {} }, distribution: { kind: 'hosted' } })).toBeUndefined();
  });

  it('is an error at releases.every naming the variant whose strategy cannot keep up', async () => {
    // 500 nodes × 10 × 10 GB through 2 × 10 Gbit/s = 20,000 s > 2 h; per node 10 × 10 GB at 100 MB/s = 1,000 s < 2 h.
    const issues = await issuesOf(['releases.delta=10GB', 'images.size=20GB']);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: ['releases', 'every'], line: 28 });
    expect(issues[0].message).toContain('at least 5h 33m');
    expect(issues[0].message).toContain('(in variant "private-registry")');
  });

  it('the seed scenario as shipped passes', async () => {
    expect(await issuesOf([])).toEqual([]);
  });
});

describe('more zones than nodes', () => {
  it('is an error at cluster.zones', async () => {
    const issues = await issuesOf(['cluster.nodes=2']);
    expect(issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['cluster.zones', '3 zones but only 2 nodes: nodes are spread round-robin, so 1 zone would hold none'],
    ]);
  });

  it('a field already invalid on its own gets one message, not a cross-field one too', async () => {
    const issues = await issuesOf(['cluster.zones=600']);
    expect(issues.map((i) => i.message)).toEqual(['must be at most 26, got 600']);
  });
});
