import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pullsim } from './cli-helpers.ts';
import { cartesian, findCrossovers, parseShard, parseSweepParameter, SweepParameterError, type SweepPoint } from '../src/report/sweep.ts';
import type { RunResult, VariantMetrics } from '../src/metrics/result.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-sweep-'));

describe('sweep parameters', () => {
  it('take lists and ranges, hyperfine style', () => {
    expect(parseSweepParameter('cluster.nodes=100,500,1000')).toEqual({ name: 'cluster.nodes', values: ['100', '500', '1000'] });
    expect(parseSweepParameter('cluster.nodes=100..10000:x2').values).toEqual(['100', '200', '400', '800', '1600', '3200', '6400']);
    expect(parseSweepParameter('cluster.zones=1..3').values).toEqual(['1', '2', '3']);
    expect(parseSweepParameter('network.bandwidthFactor=0.5..1:+0.1').values).toEqual(['0.5', '0.6', '0.7', '0.8', '0.9', '1']);
    expect(parseSweepParameter('releases.delta=100KB,10MB').values).toEqual(['100KB', '10MB']);
  });

  it('explain how to fix a malformed --param', () => {
    expect(() => parseSweepParameter('cluster.nodes')).toThrow(SweepParameterError);
    expect(() => parseSweepParameter('x=0.5..1')).toThrow(/a step is required .*:\+STEP/);
    expect(() => parseSweepParameter('x=10..1')).toThrow(/backwards/);
  });

  it('form the cartesian product with the first parameter slowest', () => {
    expect(cartesian([{ name: 'a', values: ['1', '2'] }, { name: 'b', values: ['x', 'y'] }])).toEqual([
      { a: '1', b: 'x' }, { a: '1', b: 'y' }, { a: '2', b: 'x' }, { a: '2', b: 'y' },
    ]);
  });

  it('find where one variant starts beating another, interpolated linearly', () => {
    // Cost per day: a = 10 flat, b = n / 100, so b is cheaper below n = 1000 and dearer above.
    const m = (cost: number) => ({ rollout_s: { p50: 1, p90: 1, p99: 1, max: 1 }, cost_usd_per_day: cost, registry_egress_bytes: 1, pulls_failed: 0, releases: 1 }) as unknown as VariantMetrics;
    const point = (n: number): SweepPoint => ({
      index: n,
      parameters: { 'cluster.nodes': String(n) },
      result: { variants: [{ name: 'a', description: '', metrics: m(10) }, { name: 'b', description: '', metrics: m(n / 100) }] } as unknown as RunResult,
    });
    const c = findCrossovers([{ name: 'cluster.nodes', values: ['500', '2000'] }], [point(500), point(2000)]);
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({ measure: 'cost per day', winner: 'a', loser: 'b', between: ['500', '2000'], estimate: 1000, estimateText: '1000' });
  });
});

describe('pullsim sweep', () => {
  it('runs 3 × 3 points with 2 replications: 18 runs, one tidy CSV row each, and their means in the JSON', () => {
    const file = path.join(dir, 'small.yaml');
    writeFileSync(
      file,
      [
        'version: 1', 'name: small', 'duration: 4h', 'cluster: { nodes: 6 }', 'releases: { every: 2h, delta: 100 KB }', 'rollout: { jitter: 10s }',
        'distribution: { kind: hosted, preset: ecr }', '',
      ].join('\n'),
    );
    const csv = path.join(dir, 'sweep.csv');
    const json = path.join(dir, 'sweep.json');
    const r = pullsim(['sweep', file, '--param', 'cluster.nodes=4..16:x2', '--param', 'releases.delta=100KB,1MB,10MB', '--replications', '2', '--csv', csv, '--json', json]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('9 points');
    const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(lines[0].startsWith('parameter_cluster_nodes,parameter_releases_delta,variant,seed,replication,simulated_s,')).toBe(true);
    expect(lines).toHaveLength(1 + 18);
    expect(lines[1].startsWith('4,100KB,ecr,1,0,')).toBe(true);
    expect(lines[2]).toMatch(/^4,100KB,ecr,\d+,1,/);
    const doc = JSON.parse(readFileSync(json, 'utf8')) as { replications: number; points: { parameters: Record<string, string>; result: RunResult }[] };
    expect(doc.replications).toBe(2);
    expect(doc.points).toHaveLength(9);
    const runs = doc.points.flatMap((p) => p.result.variants.flatMap((v) => v.runs ?? []));
    expect(runs).toHaveLength(18);
    // Each point's metrics are the mean of its two runs.
    for (const p of doc.points) {
      const v = p.result.variants[0];
      expect(v.metrics.rollout_s.p99).toBeCloseTo((v.runs![0].metrics.rollout_s.p99 + v.runs![1].metrics.rollout_s.p99) / 2, 12);
      expect(v.replicated!['rollout_s.p99'].n).toBe(2);
    }
    expect(doc.points[8].result.variants[0].metrics.pulls).toBe(16 * 2);
  });

  it('reports a bad --param as a usage error with exit 2', () => {
    const r = pullsim(['sweep', 'scenarios/seed-500-nodes.yaml', '--param', 'cluster.nodes']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('needs NAME=VALUES');
  });
});

describe('sharded sweeps', () => {
  it('--shard 1/2 + --shard 2/2 + merge equals the unsharded sweep exactly', () => {
    const file = path.join(dir, 'shard.yaml');
    writeFileSync(
      file,
      [
        'version: 1', 'name: shard', 'duration: 4h', 'cluster: { nodes: 6 }', 'releases: { every: 2h, delta: 100 KB }', 'rollout: { jitter: 10s }',
        'variants:', '  - name: ecr', '    distribution: { kind: hosted, preset: ecr }', '  - name: private', '    distribution: { kind: private, instances: 1 }', '',
      ].join('\n'),
    );
    const grid = ['--param', 'cluster.nodes=4..16:x2', '--param', 'releases.delta=100KB,1MB,50MB', '--replications', '2', '-q'];
    const whole = pullsim(['sweep', file, ...grid, '--json', '-']);
    expect(whole.status, whole.stderr).toBe(0);
    const parts = [1, 2].map((i) => {
      const out = path.join(dir, `part-${i}.json`);
      const r = pullsim(['sweep', file, ...grid, '--shard', `${i}/2`, '--json', out]);
      expect(r.status, r.stderr).toBe(0);
      return out;
    });
    const part1 = JSON.parse(readFileSync(parts[0], 'utf8')) as { shard: unknown; points: { index: number }[] };
    expect(part1.shard).toEqual({ index: 1, count: 2 });
    expect(part1.points.map((p) => p.index)).toEqual([0, 2, 4, 6, 8]);
    const merged = pullsim(['merge', ...parts]);
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(whole.stdout);
    // A missing shard is an error that says what to do.
    const half = pullsim(['merge', parts[0]]);
    expect(half.status).toBe(2);
    expect(half.stderr).toContain('4 of 9 points are missing');
    // A shard of another sweep (here: other replications) is refused, not silently joined.
    const other = path.join(dir, 'other-2.json');
    expect(pullsim(['sweep', file, ...grid.filter((a) => a !== '2' && a !== '--replications'), '--shard', '2/2', '--json', other]).status).toBe(0);
    const mixed = pullsim(['merge', parts[0], other]);
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toContain('the shards come from different sweeps');
  });

  it('takes the shard index from JOB_COMPLETION_INDEX in a Kubernetes Indexed Job', () => {
    expect(parseShard('3', { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 1, count: 3 });
    expect(parseShard('2/4', {})).toEqual({ index: 2, count: 4 });
    expect(() => parseShard('3', {})).toThrow(/JOB_COMPLETION_INDEX/);
    expect(() => parseShard('5/4', {})).toThrow(/from 1 to 4/);
    expect(parseShard('auto', { JOB_COMPLETION_INDEX: '3', JOB_COMPLETION_COUNT: '4' })).toEqual({ index: 4, count: 4 });
    expect(() => parseShard('auto', { JOB_COMPLETION_INDEX: '0' })).toThrow(/JOB_COMPLETION_COUNT, which is not set/);
  });
});

describe('pullsim sweep --html', () => {
  it('writes the crossovers and one chart per criterion that varies, self-contained', () => {
    const html = path.join(dir, 'sweep.html');
    const r = pullsim([
      'sweep', 'scenarios/seed-500-nodes.yaml', '--set', 'cluster.nodes=20', '--set', 'duration=6h', '--variant', 'ecr', '--variant', 'private-registry',
      '--param', 'releases.delta=100KB,10MB,100MB', '--html', html, '-q',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('WARN');
    const text = readFileSync(html, 'utf8');
    expect(text).toContain('private-registry beats ecr on cost per day from releases.delta between 10MB and 100MB');
    // rollout p99, cost per day and registry egress vary; failed pulls are all zero and get no chart.
    expect((text.match(/<svg /g) ?? []).length).toBe(3);
    expect(text).not.toMatch(/(src|href)="https?:/i);
  });

  it('renders the same sweep as Markdown directly and from its saved JSON (pullsim report)', () => {
    const json = path.join(dir, 'md-sweep.json');
    const args = ['sweep', 'scenarios/seed-500-nodes.yaml', '--set', 'cluster.nodes=10', '--set', 'duration=4h', '--variant', 'ecr', '--param', 'releases.delta=100KB,1MB'];
    const direct = pullsim([...args, '--markdown', '-', '--json', json]);
    expect(direct.status, direct.stderr).toBe(0);
    expect(direct.stdout).toContain('| `releases.delta` | ecr p99 | ecr $/day |');
    const later = pullsim(['report', json, '--markdown', '-']);
    expect(later.status, later.stderr).toBe(0);
    expect(later.stdout).toBe(direct.stdout);
  });
});
