/**
 * The runaway guards of run, compare and sweep: --max-events (in the main thread and in workers),
 * --max-wall (a wall-clock budget) and the memory estimate's refusal. Each stops with exit 2, one clear
 * message, no stack trace and no output file, since a stopped batch has no complete result to write.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, pullsim } from './cli-helpers.ts';

const SEED = 'scenarios/seed-500-nodes.yaml';
const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-guards-'));

function expectStopped(r: ReturnType<typeof pullsim>, message: RegExp | string, output: string): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(hasStackTrace(r.stderr)).toBe(false);
  expect(existsSync(output)).toBe(false);
}

describe('--max-events', () => {
  for (const jobs of ['1', '2']) {
    it(`stops compare with --jobs ${jobs}: exit 2, the budget named, nothing written`, () => {
      const out = path.join(dir, `compare-${jobs}.json`);
      const r = pullsim(['compare', SEED, '--set', 'cluster.nodes=50', '--max-events', '2000', '--jobs', jobs, '--json', out]);
      expectStopped(r, 'pullsim: the run stopped after 2000 events (its --max-events budget) before every rollout finished; no output was written. Raise --max-events', out);
    });
  }

  it('stops a sweep on workers the same way', () => {
    const out = path.join(dir, 'sweep.csv');
    const r = pullsim(['sweep', SEED, '--param', 'cluster.nodes=20,40', '--max-events', '1500', '--jobs', '2', '--csv', out]);
    expectStopped(r, /stopped after 1500 events \(its --max-events budget\)/, out);
  });

  it('rejects a budget that is not a whole number of at least 1', () => {
    for (const bad of ['0', '-5', '2.5', 'lots']) {
      const r = pullsim(['run', SEED, '--max-events', bad]);
      expect(r.status, bad).toBe(2);
      expect(r.stderr).toContain('--max-events must be a whole number of at least 1');
    }
  });
});

describe('--max-wall', () => {
  // Two weeks of releases on 500 nodes: about 15 s of work on a 2-core VM (three days now take ~2 s),
  // so a 2 s budget stops it mid-way.
  const LONG = [SEED, '--set', 'duration=14d'];

  for (const jobs of ['1', '2']) {
    it(`stops a long compare with --jobs ${jobs} soon after the budget: exit 2, nothing written`, () => {
      const out = path.join(dir, `wall-${jobs}.html`);
      const t0 = Date.now();
      const r = pullsim(['compare', ...LONG, '--max-wall', '2s', '--jobs', jobs, '--html', out]);
      const elapsed = Date.now() - t0;
      expectStopped(r, 'pullsim: stopped after 2 s of wall time (its --max-wall budget) before every run finished; no output was written. Raise --max-wall', out);
      // Start-up (~1.5 s) + the 2 s budget + a kernel slice; the whole compare would take ten times that.
      expect(elapsed).toBeLessThan(12_000);
    });
  }

  it('also stops a run still in its setup (warming 10,000 images on each of 2,000 nodes takes seconds)', () => {
    const scenario = path.join(dir, 'slow-setup.yaml');
    writeFileSync(
      scenario,
      ['version: 1', 'name: slow-setup', 'cluster: { nodes: 2000 }', 'images: { count: 10000, size: 500 GB, layers: 8 }', 'releases: { every: 2h, images: 10, delta: 100 KB }', 'distribution: { kind: hosted, preset: ecr }', ''].join('\n'),
    );
    const out = path.join(dir, 'slow-setup.json');
    // 2,000 nodes: at 500 the whole run (set-up and a day of releases) finished inside the 1 s budget on a
    // fast VM (1.1-1.2 s for the process), so there was nothing to stop; at 2,000 it takes ~7 s.
    const t0 = Date.now();
    // --force: the point is the wall budget, whatever the memory of the machine running the test.
    const r = pullsim(['run', scenario, '--max-wall', '1s', '--jobs', '1', '--force', '--json', out]);
    expectStopped(r, 'stopped after 1 s of wall time (its --max-wall budget)', out);
    expect(Date.now() - t0).toBeLessThan(6_000);
  });

  it('reads durations with units and rejects bad ones with a hint', () => {
    const ok = pullsim(['run', SEED, '--set', 'cluster.nodes=5', '--set', 'duration=2h', '--max-wall', '1h30m', '--quiet']);
    expect(ok.status, ok.stderr).toBe(0);
    for (const bad of ['0s', 'soon', '10 parsecs', '-3s']) {
      const r = pullsim(['run', SEED, `--max-wall=${bad}`]);
      expect(r.status, bad).toBe(2);
      expect(r.stderr).toMatch(/--max-wall/);
      expect(hasStackTrace(r.stderr)).toBe(false);
    }
  });
});

describe('the memory estimate', () => {
  it('refuses a scenario far bigger than the machine, before any run, and names --force', () => {
    // A million-node Kraken swarm over a day: hundreds of GB by the estimate, more than any CI machine.
    const out = path.join(dir, 'huge.json');
    const t0 = Date.now();
    const r = pullsim(['run', 'scenarios/seed-all-strategies.yaml', '--variant', 'kraken', '--set', 'cluster.nodes=1000000', '--json', out]);
    expectStopped(r, /^pullsim: this scenario needs ~\d+ GB \(machine has \d+(\.\d+)? GB\); pass --force to run anyway, .*\(estimate: 1 run on 1 thread, the largest ~\d+\.\d GB \(1,000,000 nodes, 120,000,000 pulls, 40,000,000 swarm pieces\)\)$/m, out);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
