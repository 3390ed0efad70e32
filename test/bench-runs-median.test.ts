import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { medianRows, parseRuns } from '../bench/gate.ts';
import { BenchUsageError, parseBenchArgs, runBench, type NamedSuite } from '../bench/index.ts';
import type { BenchRow } from '../bench/types.ts';

// `--runs N`: whole bench runs, each entry reported, written and compared as its median run.

const row = (name: string, gate: number, extra?: string): BenchRow => ({ name, unit: 's', value: gate / 10, better: 'smaller', gate, ...(extra ? { extra } : {}) });

describe('medianRows', () => {
  it('takes, per entry, the whole row of the run whose gate figure is the median', () => {
    const runs = [
      [row('a', 30, 'run1'), row('b', 5, 'run1')],
      [row('a', 10, 'run2'), row('b', 7, 'run2')],
      [row('a', 20, 'run3'), row('b', 6, 'run3')],
    ];
    const m = medianRows(runs);
    expect(m.map((r) => [r.name, r.gate, r.value])).toEqual([
      ['a', 20, 2],
      ['b', 6, 0.6],
    ]);
    expect(m[0].extra).toBe('run3; median of 3 bench runs by gate figure (30.00 10.00 20.00)');
    expect(m[1].extra).toBe('run3; median of 3 bench runs by gate figure (5.000 7.000 6.000)');
  });

  it('takes the lower middle of an even count, the runs that have an entry, and values for informational rows', () => {
    const info = (v: number): BenchRow => ({ name: 'err', unit: '%', value: v });
    const m = medianRows([
      [row('a', 4), info(-1)],
      [row('a', 2), info(3), row('late', 9)],
      [row('a', 3), info(2)],
      [row('a', 1), info(0)],
    ]);
    expect(m.map((r) => [r.name, r.gate ?? r.value])).toEqual([
      ['a', 2],
      ['err', 0],
      ['late', 9],
    ]);
    expect(m[1].extra).toBe('median of 4 bench runs by value (-1.000 3.000 2.000 0.000)');
    // One run's row is left as it was.
    expect(m[2]).toEqual(row('late', 9));
    expect(medianRows([[row('a', 1, 'x')]])).toEqual([row('a', 1, 'x')]);
  });

  it('parses --runs as a whole number from 1 to 20', () => {
    expect(parseBenchArgs(['--runs', '3']).runs).toBe(3);
    expect(parseRuns('1')).toBe(1);
    for (const bad of ['0', '-2', '1.5', 'x', '21']) expect(() => parseBenchArgs([`--runs=${bad}`]), bad).toThrow(BenchUsageError);
  });
});

describe('runBench --runs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-runs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  it('records a baseline from each entry’s median run', async () => {
    const gates = [12, 10, 50];
    let run = 0;
    const load = async (): Promise<NamedSuite[]> => [{ name: 's', run: async () => [row('e', gates[run++])] }];
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const file = path.join(dir, 'b.json');
    expect(await runBench({ runs: 3, saveBaseline: file, json: path.join(dir, 'r.json') }, load)).toBe(0);
    expect(run).toBe(3);
    const text = out.join('');
    expect(text).toContain('run 3 of 3: 1 row in');
    expect(text).toContain("each entry's median of 3 runs (by its gate figure):");
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.machines[0].entries.e).toEqual({ unit: 's', better: 'smaller', gate: 12, value: 1.2 });
    expect(JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8'))[0].value).toBe(1.2);
  });
});
