import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pullsim } from './cli-helpers.ts';

// The CI gate end to end, on the one entry that is quick (~3 s): record a baseline, then an unchanged
// tree passes and a deliberate slowdown in the solver (PULLSIM_BENCH_SLOWDOWN, test-only) fails.

const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-gate-'));
const baseline = path.join(dir, 'baseline.json');
const FILTER = ['bench', '--filter', 'solver-fast-vs-reference'];

function bench(args: string[], slowdown?: string) {
  const saved = process.env.PULLSIM_BENCH_SLOWDOWN;
  if (slowdown === undefined) delete process.env.PULLSIM_BENCH_SLOWDOWN;
  else process.env.PULLSIM_BENCH_SLOWDOWN = slowdown;
  try {
    return pullsim([...FILTER, ...args]);
  } finally {
    if (saved === undefined) delete process.env.PULLSIM_BENCH_SLOWDOWN;
    else process.env.PULLSIM_BENCH_SLOWDOWN = saved;
  }
}

describe('pullsim bench --baseline', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes on an unchanged tree and exits 1 when the solver is deliberately slowed down', () => {
    const saved = bench(['--save-baseline', baseline]);
    expect(saved.status, saved.stderr).toBe(0);
    const recorded = JSON.parse(readFileSync(baseline, 'utf8'));
    // One record, this machine's, keyed by the machine line the bench printed.
    expect(recorded.machines).toHaveLength(1);
    expect(saved.stdout).toContain(`machine: ${recorded.machines[0].machine}`);
    expect(recorded.machines[0].entries['solver-fast-vs-reference'].gate).toBeGreaterThan(0);

    // A generous threshold for the unchanged run: this machine is shared, and the point here is the
    // contrast with the slowdown (every solve done four times), which moves the ratio by ~4x.
    const same = bench(['--baseline', baseline, '--threshold', '50%']);
    expect(same.status, same.stdout + same.stderr).toBe(0);
    expect(same.stdout).toContain('no regression');
    expect(same.stdout).toContain('not raw seconds');
    expect(same.stdout).not.toContain('no record for this machine');

    // One re-run (the default is two; the in-process tests cover that count) keeps this test short.
    const slow = bench(['--baseline', baseline, '--threshold', '50%', '--confirm', '1'], '3');
    expect(slow.status, slow.stdout + slow.stderr).toBe(1);
    // The gate confirms a regression before failing: the entry ran again, only it.
    expect(slow.stdout).toContain('re-running 1 entry that regressed (attempt 2 of 2): solver-fast-vs-reference');
    expect(slow.stdout).toMatch(/solver-fast-vs-reference\s+\S+\s+\S+\s+\+\d+\.\d%\s+regression \(best of 2 runs; first \+\d+\.\d%\)/);
  }, 60_000);

  it('rejects a missing baseline file before running anything', () => {
    const r = bench(['--baseline', path.join(dir, 'nope.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--save-baseline');
    expect(r.stdout).not.toContain('solver-fast-vs-reference ');
  });
});
