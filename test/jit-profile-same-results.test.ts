/**
 * The CLI runs under its short-run JIT profile (bin/pullsim.js, src/parallel/jit-profile.ts), the library
 * and this test process under V8's defaults: a JIT flag changes how fast code runs, never what it
 * computes. The CLI's JSON of a run, on one thread and on two, is byte for byte what `simulate` gives here.
 */
import { describe, expect, it } from 'vitest';
import { pullsim } from './cli-helpers.ts';
import { loadScenario, simulate } from '../src/run.ts';
import { renderJson } from '../src/report/json.ts';
import { isLongBatch } from '../src/parallel/jit-profile.ts';

const SEED = 'scenarios/seed-500-nodes.yaml';
const SETS = ['duration=5h', 'cluster.nodes=60'];

describe('the JIT profile changes no result', () => {
  it('gives the same JSON from the CLI (short profile) as in-process (V8 defaults)', async () => {
    const scenario = await loadScenario(new URL(`../${SEED}`, import.meta.url).pathname, SETS);
    expect(isLongBatch(scenario.variants.map((v) => v.run), 2)).toBe(false);
    const here = renderJson(simulate(scenario));
    for (const jobs of ['1', '2']) {
      const r = pullsim(['run', SEED, ...SETS.flatMap((s) => ['--set', s]), '--jobs', jobs, '--json', '-', '--quiet']);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(here);
    }
  });
});
