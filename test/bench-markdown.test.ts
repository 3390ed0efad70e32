import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { benchMarkdown, compareWithBaseline, comparisonParts, formatComparison, makeBaseline } from '../bench/gate.ts';
import { BenchUsageError, describeMachine, machineInfo, runBench, type NamedSuite } from '../bench/index.ts';
import type { BenchRow } from '../bench/types.ts';

// `pullsim bench --markdown FILE`: the rows and the gate's verdict for a CI job summary.

const rows: BenchRow[] = [
  { name: 'seed-e2e', unit: 's', value: 0.912, range: '±6.0%', extra: 'median of 5', better: 'smaller', gate: 104 },
  { name: 'kernel-vs-flatqueue-1e5', unit: 'x', value: 1.5, better: 'bigger', gate: 1.5 },
  { name: 'err|<b>*x*</b>', unit: '%', value: -1.512, extra: 'a | b' },
];
const baseline = makeBaseline([{ ...rows[0], gate: 100 }, rows[1]], 'm').machines[0];

describe('benchMarkdown', () => {
  it('puts the verdict first, then the gate table, then every row, with suite strings escaped', () => {
    const cmp = compareWithBaseline(rows, baseline, 0.15);
    const md = benchMarkdown(rows, 'AMD EPYC, 2 cores', comparisonParts(cmp, 0.15, 'bench/baseline.json', 'm'), ['22 rows in 70.0 s']);
    expect(md).toBe(
      [
        '# pullsim bench',
        '',
        'machine: AMD EPYC, 2 cores',
        '',
        '## Gate: ✅ no regression',
        '',
        'baseline bench/baseline.json (recorded on m), threshold 15%',
        '',
        '| name | baseline | now | worse by | verdict |',
        '| :--- | ---: | ---: | ---: | :--- |',
        '| seed-e2e | 100.0 | 104.0 | +4.0% | ok |',
        '| kernel-vs-flatqueue-1e5 | 1.500 | 1.500 | +0.0% | ok |',
        '',
        'compared: noise-resistant figures, not raw seconds: ratios against an in-process reference (kernel ÷ flatqueue, ' +
          'fast ÷ reference solver) and, for timings, CPU seconds ÷ the CPU seconds of a reference workload (a flatqueue ' +
          'hold loop at 1e5 pending) run in the same process just before and after the entry',
        '',
        '## Results',
        '',
        '| name | value | unit | ±range | extra |',
        '| :--- | ---: | :--- | :--- | :--- |',
        '| seed-e2e | 0.9120 | s | ±6.0% | median of 5 |',
        '| kernel-vs-flatqueue-1e5 | 1.500 | x |  |  |',
        '| err\\|&lt;b&gt;\\*x\\*&lt;/b&gt; | -1.512 | % |  | a \\| b |',
        '',
        '22 rows in 70.0 s',
        '',
      ].join('\n'),
    );
  });

  it('says when the gate failed and when the record is another machine’s', () => {
    const slow = [{ ...rows[0], gate: 130 }];
    const parts = comparisonParts(compareWithBaseline(slow, baseline, 0.15), 0.15, 'b.json', 'm', 'this VM');
    const md = benchMarkdown(slow, 'this VM', parts);
    expect(md).toContain('## Gate: ❌ 1 regression beyond 15%');
    expect(md).toContain('> warning: b.json has no record for this machine (this VM); compared with the nearest one.');
    expect(md).toContain('| seed-e2e | 100.0 | 130.0 | +30.0% | regression |');
    // The terminal table is made of the same parts.
    expect(formatComparison(compareWithBaseline(slow, baseline, 0.15), 0.15, 'b.json', 'm', 'this VM')).toContain('1 regression beyond 15%');
    // Without a gate there is no gate section.
    expect(benchMarkdown(slow, 'm')).not.toContain('## Gate');
  });
});

describe('runBench --markdown', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-md-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  it('writes the summary after the gate, with its verdict', async () => {
    const file = path.join(dir, 'baseline.json');
    writeFileSync(file, JSON.stringify(makeBaseline([{ ...rows[0], gate: 100 }], describeMachine(machineInfo()))));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const load = async (): Promise<NamedSuite[]> => [{ name: 'e2e', run: async () => [{ ...rows[0], gate: 140 }] }];
    const md = path.join(dir, 'bench.md');
    expect(await runBench({ baseline: file, markdown: md, confirm: 1 }, load)).toBe(1);
    const text = readFileSync(md, 'utf8');
    expect(text).toContain('## Gate: ❌ 1 regression beyond 15%');
    expect(text).toContain('| seed-e2e | 100.0 | 140.0 | +40.0% | regression (best of 2 runs; first +40.0%) |');
    expect(text).toMatch(/\n1 row in \d+\.\d s\n/);
    // The re-run note is a paragraph of its own, after the one on how figures are compared.
    expect(text).toContain('just before and after the entry\n\nentries that regressed were run again (--confirm)');
  });

  it('refuses stdout, where the table goes', async () => {
    await expect(runBench({ markdown: '-' }, async () => [])).rejects.toThrow(BenchUsageError);
  });
});
