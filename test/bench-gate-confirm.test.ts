import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { betterRow, compareWithBaseline, formatComparison, formatRerun, makeBaseline, mergeBest, parseConfirm, regressedNames, withRuns } from '../bench/gate.ts';
import { BenchUsageError, describeMachine, machineInfo, parseBenchArgs, runBench, runSuites, type NamedSuite } from '../bench/index.ts';
import type { BenchRow, BenchSuiteOptions } from '../bench/types.ts';

// The gate's confirm step: an entry that regressed runs again (only it), keeps its best run, and is a
// regression only if every run was one.

const secs = (name: string, gate: number): BenchRow => ({ name, unit: 's', value: gate / 100, better: 'smaller', gate });
const ratio = (name: string, gate: number): BenchRow => ({ name, unit: 'x', value: gate, better: 'bigger', gate });

describe('best-of merging', () => {
  it('keeps the lower gate figure for smaller-is-better and the higher for bigger-is-better', () => {
    expect(betterRow(secs('a', 12), secs('a', 10)).gate).toBe(10);
    expect(betterRow(secs('a', 10), secs('a', 12)).gate).toBe(10);
    expect(betterRow(ratio('k', 1.0), ratio('k', 1.3)).gate).toBe(1.3);
    expect(betterRow(ratio('k', 1.3), ratio('k', 1.0)).gate).toBe(1.3);
    // A tie keeps the first run's row (its range and extra stay the ones printed first).
    const first = { ...secs('a', 10), extra: 'first' };
    expect(betterRow(first, { ...secs('a', 10), extra: 'second' })).toBe(first);
  });

  it('replaces only the entries that ran again, in the first run’s order', () => {
    const rows = [secs('a', 10), ratio('k', 1.0), secs('b', 5)];
    const merged = mergeBest(rows, [ratio('k', 1.2), secs('b', 6)]);
    expect(merged.map((r) => [r.name, r.gate])).toEqual([
      ['a', 10],
      ['k', 1.2],
      ['b', 5],
    ]);
  });
});

describe('the confirm loop, step by step', () => {
  const baseline = makeBaseline([secs('seed-e2e', 100), ratio('kernel-vs-flatqueue-1e5', 1.2), secs('fanout-distinct-5000', 50)], 'm');
  const record = baseline.machines[0];

  it('re-runs only what regressed, stops an entry once it is within the threshold, annotates the verdicts', () => {
    const first = [secs('seed-e2e', 124), ratio('kernel-vs-flatqueue-1e5', 0.96), secs('fanout-distinct-5000', 51)];
    const cmp1 = compareWithBaseline(first, record, 0.15);
    expect(regressedNames(cmp1)).toEqual(['seed-e2e', 'kernel-vs-flatqueue-1e5']);
    expect(formatRerun(regressedNames(cmp1), 2, 3)).toBe(
      're-running 2 entries that regressed (attempt 2 of 3): seed-e2e, kernel-vs-flatqueue-1e5',
    );

    // Attempt 2: the seed is back to +4 %; the kernel ratio is still 1.2/1.0 − 1 = +20 %.
    const best2 = mergeBest(first, [secs('seed-e2e', 104), ratio('kernel-vs-flatqueue-1e5', 1.0)]);
    const cmp2 = compareWithBaseline(best2, record, 0.15);
    expect(regressedNames(cmp2)).toEqual(['kernel-vs-flatqueue-1e5']);
    expect(formatRerun(regressedNames(cmp2), 3, 3)).toBe('re-running 1 entry that regressed (attempt 3 of 3): kernel-vs-flatqueue-1e5');

    // Attempt 3: the kernel is worse than its best so far, so the best (1.0) stands: a regression.
    const best3 = mergeBest(best2, [ratio('kernel-vs-flatqueue-1e5', 0.9)]);
    const runs = new Map([
      ['seed-e2e', 2],
      ['kernel-vs-flatqueue-1e5', 3],
    ]);
    const cmp3 = withRuns(compareWithBaseline(best3, record, 0.15), cmp1, runs);
    expect(cmp3.map((c) => [c.name, c.status, c.runs])).toEqual([
      ['seed-e2e', 'ok', 2],
      ['kernel-vs-flatqueue-1e5', 'regression', 3],
      ['fanout-distinct-5000', 'ok', undefined],
    ]);
    expect(cmp3[0].change).toBeCloseTo(0.04, 12);
    expect(cmp3[0].firstChange).toBeCloseTo(0.24, 12);
    expect(cmp3[1].change).toBeCloseTo(0.2, 12);
    expect(cmp3[1].firstChange).toBeCloseTo(1.2 / 0.96 - 1, 12);

    const text = formatComparison(cmp3, 0.15, 'b.json', 'm');
    expect(text).toContain('entries that regressed were run again (--confirm); each counts its best run');
    expect(text).toMatch(/seed-e2e\s+100\.0\s+104\.0\s+\+4\.0%\s+ok \(best of 2 runs; first \+24\.0%\)/);
    expect(text).toMatch(/kernel-vs-flatqueue-1e5\s+1\.200\s+1\.000\s+\+20\.0%\s+regression \(best of 3 runs; first \+25\.0%\)/);
    expect(text).toMatch(/fanout-distinct-5000\s+50\.00\s+51\.00\s+\+2\.0%\s+ok\n/);
    expect(text).toContain('1 regression beyond 15%');
  });

  it('says nothing about re-runs when nothing was re-run', () => {
    const cmp = withRuns(compareWithBaseline([secs('seed-e2e', 101)], record, 0.15), [], new Map());
    expect(formatComparison(cmp, 0.15, 'b.json', 'm')).not.toContain('--confirm');
  });

  it('joins an entry’s own allowance and its runs in one verdict', () => {
    const wide = { machines: [{ machine: 'm', entries: { ...record.entries, 'seed-e2e': { ...record.entries['seed-e2e'], threshold: 0.3 } } }] };
    const cmp = withRuns(compareWithBaseline([secs('seed-e2e', 125)], wide.machines[0], 0.15), [{ name: 'seed-e2e', unit: 's', status: 'regression', change: 0.4 }], new Map([['seed-e2e', 2]]));
    expect(formatComparison(cmp, 0.15, 'b.json', 'm')).toMatch(/ok \(allowed ±30% for this entry; best of 2 runs; first \+40\.0%\)/);
  });
});

describe('--confirm', () => {
  it('parses a whole number of re-runs and rejects anything else with a usage error', () => {
    expect(parseBenchArgs(['--confirm', '3']).confirm).toBe(3);
    expect(parseBenchArgs(['--confirm=0']).confirm).toBe(0);
    expect(parseBenchArgs([]).confirm).toBeUndefined();
    expect(parseConfirm(' 2 ')).toBe(2);
    for (const bad of ['-1', '2.5', 'two', '', '21']) {
      expect(() => parseBenchArgs([`--confirm=${bad}`]), bad).toThrow(BenchUsageError);
    }
    expect(() => parseBenchArgs(['--confirm', 'x'])).toThrow(/--confirm must be a whole number of re-runs/);
  });
});

describe('runSuites by exact name', () => {
  it('passes the names to the suite and keeps only those rows, noting each row’s suite', async () => {
    const seen: BenchSuiteOptions[] = [];
    const suites: NamedSuite[] = [
      { name: 'fanout', run: async (o = {}) => (seen.push(o), [secs('fanout-distinct-5000', 1), secs('fanout-distinct-50000', 2)]) },
      { name: 'other', run: async () => [secs('other-1', 3)] },
    ];
    const r = await runSuites(suites, undefined, ['fanout-distinct-5000']);
    expect(r.rows.map((x) => x.name)).toEqual(['fanout-distinct-5000']);
    expect(seen).toEqual([{ names: ['fanout-distinct-5000'] }]);
    expect(r.suiteOf.get('fanout-distinct-5000')).toBe('fanout');
    // A substring filter matching a suite's name still runs that suite whole.
    const whole = await runSuites(suites, 'fan');
    expect(whole.rows.map((x) => x.name)).toEqual(['fanout-distinct-5000', 'fanout-distinct-50000']);
    expect(whole.suiteOf.get('other-1')).toBeUndefined();
  });
});

describe('runBench with --baseline and --confirm', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-confirm-'));
  const file = path.join(dir, 'baseline.json');
  const machine = describeMachine(machineInfo());
  writeFileSync(file, JSON.stringify(makeBaseline([secs('slow', 100), secs('steady', 100), ratio('other', 1)], machine)));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  /** Suites whose `slow` entry measures the given gate figures run after run; `steady` always 100. */
  function suites(slowGates: number[], calls: BenchSuiteOptions[]): () => Promise<NamedSuite[]> {
    let run = 0;
    return async () => [
      {
        name: 'a',
        run: async (o = {}) => {
          calls.push(o);
          return [secs('slow', slowGates[Math.min(run++, slowGates.length - 1)]), secs('steady', 100)];
        },
      },
      { name: 'b', run: async (o = {}) => (calls.push({ ...o, names: ['<b>'] }), [ratio('other', 1)]) },
    ];
  }

  async function gate(slowGates: number[], confirm?: number) {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const calls: BenchSuiteOptions[] = [];
    const code = await runBench({ baseline: file, ...(confirm !== undefined ? { confirm } : {}) }, suites(slowGates, calls));
    return { code, text: out.join(''), calls };
  }

  it('passes when a re-run of the entry that regressed is back within the threshold', async () => {
    const { code, text, calls } = await gate([130, 105]);
    expect(code).toBe(0);
    expect(text).toContain('re-running 1 entry that regressed (attempt 2 of 3): slow');
    expect(text).not.toContain('attempt 3 of 3');
    expect(text).toMatch(/slow\s+100\.0\s+105\.0\s+\+5\.0%\s+ok \(best of 2 runs; first \+30\.0%\)/);
    expect(text).toContain('no regression');
    // Only suite a ran again, asked for the one entry by name; suite b ran once.
    expect(calls).toEqual([{}, { names: ['<b>'] }, { names: ['slow'] }]);
  });

  it('fails when every run regressed, after the default two re-runs', async () => {
    const { code, text, calls } = await gate([130, 125, 140]);
    expect(code).toBe(1);
    expect(text).toContain('(attempt 2 of 3): slow');
    expect(text).toContain('(attempt 3 of 3): slow');
    expect(text).toMatch(/slow\s+100\.0\s+125\.0\s+\+25\.0%\s+regression \(best of 3 runs; first \+30\.0%\)/);
    expect(text).toContain('1 regression beyond 15%');
    expect(calls).toHaveLength(4);
  });

  it('fails on the first run with --confirm 0', async () => {
    const { code, text, calls } = await gate([130, 100], 0);
    expect(code).toBe(1);
    expect(text).not.toContain('re-running');
    expect(text).toMatch(/slow\s+100\.0\s+130\.0\s+\+30\.0%\s+regression\n/);
    expect(calls).toHaveLength(2);
  });
});
