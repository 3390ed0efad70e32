/**
 * The worker pool changes where runs execute, never what they return: the same scenario gives
 * byte-identical JSON serially (in this thread) and on two workers, for a comparison with replications
 * and for a sweep; a failing run is reported as the serial run would report it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, simulate, simulateParallel, sweepScenario } from '../src/run.ts';
import { renderJson } from '../src/report/json.ts';
import { renderSweepJson } from '../src/report/sweep.ts';
import { EventBudgetError } from '../src/simulate.ts';
import { heapLimitMb } from '../src/parallel/pool.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-pool-'));
const file = path.join(dir, 'jitter.yaml');
writeFileSync(
  file,
  [
    'version: 1',
    'name: jitter',
    'seed: 11',
    'duration: 4h',
    'cluster: { nodes: 12, zones: 2 }',
    'releases: { every: 2h, delta: 1 MB }',
    'rollout: { jitter: 30s }',
    'variants:',
    '  - name: ecr',
    '    distribution: { kind: hosted, preset: ecr }',
    '  - name: private',
    '    distribution: { kind: private, instances: 1 }',
    '',
  ].join('\n'),
);

describe('the worker pool', () => {
  it('gives the same bytes as the serial run for a compare with replications', async () => {
    const scenario = await loadScenario(file);
    const serial = renderJson(simulate(scenario, { replications: 3 }));
    const seen: number[] = [];
    const parallel = renderJson(await simulateParallel(scenario, { replications: 3, jobs: 2, onProgress: (done, total) => seen.push(done / total) }));
    expect(parallel).toBe(serial);
    // 2 variants × 3 replications, each completion reported once.
    expect(seen).toHaveLength(6);
    expect(seen[5]).toBe(1);
  });

  it('gives the same bytes as the serial run for a sweep', async () => {
    const params = [{ name: 'cluster.nodes', values: ['4', '8'] }, { name: 'releases.delta', values: ['100KB', '10MB'] }];
    const serial = renderSweepJson(await sweepScenario(file, [], params, { jobs: 1, replications: 2 }));
    const parallel = renderSweepJson(await sweepScenario(file, [], params, { jobs: 2, replications: 2 }));
    expect(parallel).toBe(serial);
  });

  it('reports the failure a serial run would hit first', async () => {
    const scenario = await loadScenario(file);
    // A budget every run overruns: half the smallest run's events.
    const maxEvents = Math.floor(Math.min(...simulate(scenario).variants.map((v) => v.metrics.events)) / 2);
    const serial = (() => {
      try {
        simulate(scenario, { maxEvents });
      } catch (e) {
        return e;
      }
    })();
    expect(serial).toBeInstanceOf(EventBudgetError);
    await expect(simulateParallel(scenario, { maxEvents, jobs: 2 })).rejects.toEqual(serial);
  });
  it('gives the same bytes when runs need more heap than this thread has (they go to workers with a bigger heap)', async () => {
    const scenario = await loadScenario(file);
    const serial = renderJson(simulate(scenario, { replications: 2 }));
    const heapMb = heapLimitMb() + 256;
    expect(renderJson(await simulateParallel(scenario, { replications: 2, jobs: 1, heapMb }))).toBe(serial);
    expect(renderJson(await simulateParallel(scenario, { replications: 2, jobs: 2, heapMb }))).toBe(serial);
  });
});
