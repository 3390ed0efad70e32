import { describe, expect, it } from 'vitest';
import { pullsim, hasStackTrace } from './cli-helpers.ts';
import type { RunResult } from '../src/metrics/result.ts';

const SEED = 'scenarios/seed-500-nodes.yaml';
/** 500 nodes × 10 images × 12 releases × 100 kB (issue 2 acceptance). */
const SEED_LAYER_BYTES = 500 * 10 * 12 * 100e3;

describe('pullsim run on the seed scenario', () => {
  it('prints valid JSON whose successful variants moved exactly the delta bytes', () => {
    const r = pullsim(['run', SEED, '--json', '-']);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as RunResult;
    expect(result.schemaVersion).toBe(1);
    expect(result.tool.name).toBe('pullsim');
    expect(result.scenario.name).toBe('seed-500-nodes');
    expect(result.variants.map((v) => v.name)).toEqual(['dockerhub', 'ecr', 'private-registry']);
    for (const v of result.variants) {
      expect(v.metrics.pulls_failed).toBe(0);
      expect(v.metrics.releases).toBe(12);
      expect(v.metrics.pulls).toBe(500 * 10 * 12);
      expect(Math.abs(v.metrics.layer_bytes - SEED_LAYER_BYTES) / SEED_LAYER_BYTES).toBeLessThan(0.001);
      expect(v.metrics.metadata_bytes).toBeGreaterThan(0);
      expect(v.metrics.ingress_bytes).toBe(v.metrics.layer_bytes + v.metrics.metadata_bytes);
      expect(v.metrics.wall_ms).toBeNull();
    }
    // The human summary goes to stderr when JSON owns stdout.
    expect(r.stderr).toContain('dockerhub');
  });

  it('is byte-identical for the same scenario and seed', () => {
    const a = pullsim(['run', SEED, '--json', '-', '--quiet']);
    const b = pullsim(['run', SEED, '--json', '-', '--quiet']);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const c = pullsim(['run', SEED, '--csv', '-', '--quiet']);
    const d = pullsim(['run', SEED, '--csv', '-', '--quiet']);
    expect(c.stdout).toBe(d.stdout);
    expect(c.stdout.split('\n')[0]).toContain('rollout_s_p99');
  });

  it('scales layer bytes with --set cluster.nodes=5000', () => {
    const r = pullsim(['run', SEED, '--set', 'cluster.nodes=5000', '--variant', 'ecr', '--json', '-', '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    const m = (JSON.parse(r.stdout) as RunResult).variants[0].metrics;
    expect(m.pulls_failed).toBe(0);
    expect(Math.abs(m.layer_bytes - 10 * SEED_LAYER_BYTES) / (10 * SEED_LAYER_BYTES)).toBeLessThan(0.001);
  });

  it('rejects a negative node count with exit 2, naming cluster.nodes, without a stack trace', () => {
    const r = pullsim(['run', SEED, '--set', 'cluster.nodes=-5']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('cluster.nodes');
    expect(r.stderr).toContain('--set');
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stdout).toBe('');
  });
});
