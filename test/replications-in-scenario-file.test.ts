import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, simulate } from '../src/run.ts';
import { pullsim } from './cli-helpers.ts';
import type { RunResult } from '../src/metrics/result.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-repfile-'));
const file = path.join(dir, 'three.yaml');
writeFileSync(
  file,
  ['version: 1', 'name: three', 'replications: 3', 'duration: 2h', 'cluster: { nodes: 4 }', 'releases: { every: 1h, delta: 100 KB }', 'distribution: { kind: hosted, preset: ecr }', 'rollout: { jitter: 5s }', ''].join('\n'),
);

describe('replications in the scenario file', () => {
  it('run every variant that many times unless --replications says otherwise', async () => {
    const r = simulate(await loadScenario(file));
    expect(r.replications).toBe(3);
    expect(r.variants[0].runs!.map((x) => x.replication)).toEqual([0, 1, 2]);
    expect(r.variants[0].runs![0].seed).toBe(r.seed);
    const cli = pullsim(['run', file, '--replications', '2', '--json', '-', '-q', '-j', '1']);
    expect(cli.status, cli.stderr).toBe(0);
    expect((JSON.parse(cli.stdout) as RunResult).replications).toBe(2);
  });

  it('must be a whole number of at least 1, reported at its line', () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, ['version: 1', 'name: bad', 'replications: 0', 'cluster: { nodes: 4 }', 'releases: { every: 1h, delta: 100 KB }', 'distribution: { kind: hosted, preset: ecr }', ''].join('\n'));
    const r = pullsim(['validate', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:3:\d+\s+replications:/);
  });
});
