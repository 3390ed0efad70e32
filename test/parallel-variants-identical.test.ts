import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript module without types (bin/ is not type-checked)
import { compiledBundle } from '../bin/compiled.js';
import { loadScenario, simulate, simulateInParallel } from '../src/run.ts';
import { renderJson } from '../src/report/json.ts';
import { setWorkerEntry } from '../src/workers/pool.ts';
import { EventBudgetError } from '../src/simulate.ts';
import { ROOT, pullsim } from './cli-helpers.ts';

// Variants and replications run in worker threads from the compiled bundle (bin/compiled.js); the
// result must be the one the main thread computes from the TypeScript, to the byte.

const SMALL = ['cluster.nodes=60', 'duration=6h'];

describe('runs spread over worker threads', () => {
  afterAll(() => setWorkerEntry(undefined));

  it('give the same result JSON as one thread, replications included', async () => {
    const bundle = (await compiledBundle()) as string | undefined;
    expect(bundle).toBeDefined();
    const scenario = await loadScenario(`${ROOT}scenarios/seed-500-nodes.yaml`, SMALL);
    const options = { replications: 2 };
    const serial = renderJson(simulate(scenario, options));
    setWorkerEntry(new URL('variant-worker.js', bundle));
    const started: number[] = [];
    const parallel = renderJson(await simulateInParallel(scenario, { ...options, onVariant: (i) => started.push(i) }));
    expect(parallel).toBe(serial);
    expect([...started].sort()).toEqual([0, 1, 2]);
  });

  it('pass an event-budget stop back as an EventBudgetError', async () => {
    const bundle = (await compiledBundle()) as string | undefined;
    setWorkerEntry(new URL('variant-worker.js', bundle));
    const scenario = await loadScenario(`${ROOT}scenarios/seed-500-nodes.yaml`, SMALL);
    await expect(simulateInParallel(scenario, { maxEvents: 500 })).rejects.toBeInstanceOf(EventBudgetError);
  });

  it('in the CLI, whatever the thread count', () => {
    const args = ['run', 'scenarios/seed-500-nodes.yaml', ...SMALL.flatMap((s) => ['--set', s]), '--json', '-', '--quiet'];
    const one = pullsimWith({ PULLSIM_JOBS: '1' }, args);
    const three = pullsimWith({ PULLSIM_JOBS: '3' }, args);
    expect(one.status).toBe(0);
    expect(three.status).toBe(0);
    expect(three.stdout).toBe(one.stdout);
  });
});

function pullsimWith(env: Record<string, string>, args: string[]) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return pullsim(args);
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}
