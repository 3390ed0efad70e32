/**
 * The CLI starts with a short-run inlining budget and a batch expected to run long switches to V8's
 * default (src/parallel/jit-profile.ts). The decision is arithmetic on the scenario (the work estimate,
 * P2P weighted), so it is pinned here on the bundled scenarios whose timings set the thresholds; what the
 * flag does to speed is measured in the benchmarks, not here. It never changes a result: the golden runs
 * and the pool-vs-serial tests compare outputs of the CLI, which runs under either budget.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/run.ts';
import { estimateWork } from '../src/parallel/work-estimate.ts';
import { isLongBatch, jitWork, LONG_BATCH_WORK, LONG_RUN_V8_FLAG, P2P_WEIGHT, SHORT_RUN_V8_FLAG } from '../src/parallel/jit-profile.ts';

const runs = async (file: string, sets: string[] = []) => (await loadScenario(new URL(`../scenarios/${file}`, import.meta.url).pathname, sets)).variants.map((v) => v.run);

describe('the JIT profile of a batch', () => {
  it('weights P2P runs by P2P_WEIGHT and nothing else', async () => {
    const crowd = await runs('flash-crowd-1000.yaml');
    expect(crowd.map((r) => r.distribution.kind)).toEqual(['hosted', 'private', 'p2p', 'p2p']);
    expect(crowd.map(jitWork)).toEqual(crowd.map((r) => estimateWork(r) * (r.distribution.kind === 'p2p' ? P2P_WEIGHT : 1)));
    expect(jitWork(crowd[2])).toBe(850_000 * P2P_WEIGHT);
  });

  it('keeps the short-run budget for the seed scenario, at one thread or two', async () => {
    const seed = await runs('seed-500-nodes.yaml');
    // 480 k + 480 k + 780 k estimated events: 1.74 M in one thread, the 780 k run alone on the busiest of two.
    expect(seed.map(jitWork)).toEqual([480_000, 480_000, 780_000]);
    expect(isLongBatch(seed, 1)).toBe(false);
    expect(isLongBatch(seed, 2)).toBe(false);
  });

  it('switches for the seed over 7 days (measured slower under the short budget), over 66 h only in one thread', async () => {
    const week = await runs('seed-500-nodes.yaml', ['duration=7d']);
    expect(Math.max(...week.map(jitWork))).toBe(5_460_000);
    expect(isLongBatch(week, 3)).toBe(true); // its largest run alone passes LONG_BATCH_WORK
    const days = await runs('seed-500-nodes.yaml', ['duration=66h']);
    const total = days.map(jitWork).reduce((a, b) => a + b, 0);
    // 33 releases × 10 images: 500 × 330 × (6 + 2) twice and 500 × 330 × (11 + 2) once.
    expect(total).toBe(4_785_000);
    expect(isLongBatch(days, 2)).toBe(false); // 2.39 M per thread
    // 4.79 M in one thread: past LONG_BATCH_WORK, though still 3 % faster short (the crossover is ~8 M).
    expect(isLongBatch(days, 1)).toBe(true);
  });

  it('switches for the 1,000-node P2P flash crowd but not for 100 nodes', async () => {
    expect(isLongBatch(await runs('flash-crowd-1000.yaml'), 2)).toBe(true);
    const small = await runs('flash-crowd-1000.yaml', ['cluster.nodes=100']);
    expect(small.map(jitWork)).toEqual([3_000, 4_000, 85_000 * P2P_WEIGHT, 85_000 * P2P_WEIGHT]);
    expect(isLongBatch(small, 1)).toBe(false);
  });

  it('divides among no more threads than there are runs', async () => {
    const seed = await runs('seed-500-nodes.yaml', ['duration=66h']);
    // Two runs on 8 threads: the busiest thread holds one whole run, not a sixteenth of the batch.
    const two = seed.slice(0, 2);
    expect(isLongBatch(two, 8)).toBe(isLongBatch(two, 2));
    expect(isLongBatch([], 4)).toBe(false);
    expect(LONG_BATCH_WORK).toBe(4_000_000);
  });

  it('is set by bin/pullsim.js before the bundle loads, as the one flag the module names', () => {
    const bin = readFileSync(new URL('../bin/pullsim.js', import.meta.url), 'utf8');
    const set = bin.indexOf(`setFlagsFromString('${SHORT_RUN_V8_FLAG}')`);
    expect(set).toBeGreaterThan(0);
    expect(set).toBeLessThan(bin.indexOf('await compiledBundle()'));
    // Allocation-site pretenuring off, also before the bundle loads (the code cache is checked against it).
    const pretenure = bin.indexOf(`setFlagsFromString('--no-allocation-site-pretenuring')`);
    expect(pretenure).toBeGreaterThan(0);
    expect(pretenure).toBeLessThan(bin.indexOf('await compiledBundle()'));
    // Both flags name the same V8 setting, so switching replaces the budget rather than adding one.
    expect(SHORT_RUN_V8_FLAG.split('=')[0]).toBe(LONG_RUN_V8_FLAG.split('=')[0]);
  });
});
