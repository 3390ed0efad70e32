import { describe, expect, it } from 'vitest';
import {
  actionBenchmarkFiles,
  bencherMetricFormat,
  biggerFileName,
  compareWithBaseline,
  formatComparison,
  makeBaseline,
  normaliseBaseline,
  parseThreshold,
  pickRecord,
} from '../bench/gate.ts';
import { formatCacheSize, formatSteal, parseSteal } from '../bench/index.ts';
import type { BenchRow } from '../bench/types.ts';

const rows: BenchRow[] = [
  { name: 'fanout-distinct-5000', unit: 's', value: 0.03, range: '±2.0%', extra: 'x', better: 'smaller', gate: 0.5, eventsPerSecond: 1e6, peakRssMB: 200 },
  { name: 'kernel-vs-flatqueue-1e5', unit: 'x', value: 1.1, better: 'bigger', gate: 1.1, eventsPerSecond: 5e6 },
  { name: 'kernel-hold-1e5', unit: 'ops/s', value: 5e6, better: 'bigger' },
  { name: 'p2p-local-vs-exact-error-100', unit: '%', value: -1.5 },
];

describe('bench machine formats', () => {
  it('split github-action-benchmark entries by direction and leave informational rows out', () => {
    const { smaller, bigger } = actionBenchmarkFiles(rows);
    expect(smaller).toEqual([{ name: 'fanout-distinct-5000', unit: 's', value: 0.03, range: '±2.0%', extra: 'x' }]);
    expect(bigger.map((e) => e.name)).toEqual(['kernel-vs-flatqueue-1e5', 'kernel-hold-1e5']);
    expect(biggerFileName('out/bench.json')).toBe('out/bench.bigger.json');
    expect(biggerFileName('bench')).toBe('bench.bigger.json');
  });

  it('write Bencher Metric Format with one measure per figure', () => {
    expect(bencherMetricFormat(rows)).toEqual({
      'fanout-distinct-5000': {
        seconds: { value: 0.03 },
        'vs-reference': { value: 0.5 },
        'events-per-second': { value: 1e6 },
        'peak-rss-mb': { value: 200 },
      },
      'kernel-vs-flatqueue-1e5': { ratio: { value: 1.1 }, 'events-per-second': { value: 5e6 } },
      'kernel-hold-1e5': { 'ops-per-second': { value: 5e6 } },
    });
  });
});

describe('the baseline gate', () => {
  const baseline = makeBaseline(rows, 'test machine').machines[0];

  it('records only gated rows', () => {
    expect(Object.keys(baseline.entries)).toEqual(['fanout-distinct-5000', 'kernel-vs-flatqueue-1e5']);
  });

  it('measures change in the direction that is worse', () => {
    const now: BenchRow[] = [
      { ...rows[0], gate: 0.6 }, // 20 % more time: worse by +20 %
      { ...rows[1], gate: 1.0 }, // 1.1 → 1.0 throughput ratio: worse by 1.1/1.0 − 1 = +10 %
    ];
    const cmp = compareWithBaseline(now, baseline, 0.15);
    expect(cmp.map((c) => [c.name, c.status])).toEqual([
      ['fanout-distinct-5000', 'regression'],
      ['kernel-vs-flatqueue-1e5', 'ok'],
    ]);
    expect(cmp[0].change).toBeCloseTo(0.2, 12);
    expect(cmp[1].change).toBeCloseTo(0.1, 12);
  });

  it("an entry's own allowance widens the threshold for it alone, and survives a re-save", () => {
    const noisy = { ...baseline, entries: { ...baseline.entries, 'fanout-distinct-5000': { ...baseline.entries['fanout-distinct-5000'], threshold: 0.35 } } };
    const now: BenchRow[] = [
      { ...rows[0], gate: 0.6 }, // +20 %: within this entry's 35 %
      { ...rows[1], gate: 0.9 }, // 1.1 / 0.9 − 1 = +22 %: beyond the command's 15 %
    ];
    const cmp = compareWithBaseline(now, noisy, 0.15);
    expect(cmp.map((c) => [c.name, c.status, c.allowed])).toEqual([
      ['fanout-distinct-5000', 'ok', 0.35],
      ['kernel-vs-flatqueue-1e5', 'regression', undefined],
    ]);
    expect(compareWithBaseline([{ ...rows[0], gate: 0.7 }], noisy, 0.15)[0].status).toBe('regression'); // +40 %
    const resaved = makeBaseline(now, 'test machine', { note: '', machines: [noisy] }).machines;
    expect(resaved).toHaveLength(1);
    expect(resaved[0].entries['fanout-distinct-5000']).toEqual({ unit: 's', better: 'smaller', gate: 0.6, value: rows[0].value, threshold: 0.35 });
  });

  it('reports entries it did not run and entries the baseline lacks, without failing on them', () => {
    const cmp = compareWithBaseline([{ name: 'seed-e2e', unit: 's', value: 1, better: 'smaller', gate: 3 }], baseline, 0.15);
    expect(cmp.map((c) => c.status)).toEqual(['new', 'not run', 'not run']);
  });

  it('reads thresholds as percent or fraction', () => {
    expect(parseThreshold('15%')).toBeCloseTo(0.15, 15);
    expect(parseThreshold('15')).toBeCloseTo(0.15, 15);
    expect(parseThreshold('0.15')).toBeCloseTo(0.15, 15);
    expect(() => parseThreshold('fast')).toThrow(/15%/);
  });
});

describe('baseline records per machine', () => {
  const A = 'Intel(R) Xeon(R) Processor, 2 cores, Node v20.20.2, linux-x64';
  const B = 'Intel(R) Xeon(R) Processor, 2 cores, L2 2 MiB, L3 105 MiB, Node v20.20.2, linux-x64';
  const C = 'AMD EPYC 7763 64-Core Processor, 4 cores, L2 512 KiB, L3 32 MiB, Node v20.20.2, linux-x64';
  const gated = (gate: number): BenchRow[] => [{ name: 'seed-e2e', unit: 's', value: 1, better: 'smaller', gate }];

  it('saving on a second machine adds its record and keeps the first as it was', () => {
    const one = makeBaseline(gated(80), A);
    const two = makeBaseline(gated(98), B, one);
    expect(two.machines.map((r) => [r.machine, r.entries['seed-e2e'].gate])).toEqual([
      [A, 80],
      [B, 98],
    ]);
    // Re-saving on the first machine replaces its record in place.
    const three = makeBaseline(gated(79), A, two);
    expect(three.machines.map((r) => [r.machine, r.entries['seed-e2e'].gate])).toEqual([
      [A, 79],
      [B, 98],
    ]);
  });

  it("a new machine's record takes an entry's own allowance from another machine's", () => {
    const one = makeBaseline(gated(80), A);
    one.machines[0].entries['seed-e2e'].threshold = 0.3;
    expect(makeBaseline(gated(98), B, one).machines[1].entries['seed-e2e'].threshold).toBe(0.3);
  });

  it('compares with the own record, else the nearest (same CPU and cores), else the last', () => {
    const both = makeBaseline(gated(98), B, makeBaseline(gated(80), A));
    expect(pickRecord(both, B)).toEqual({ record: both.machines[1], exact: true });
    expect(pickRecord(both, A)).toEqual({ record: both.machines[0], exact: true });
    // Same model and cores, other caches: the later of the two same-model records, flagged as foreign.
    const other = 'Intel(R) Xeon(R) Processor, 2 cores, L2 1 MiB, L3 32 MiB, Node v20.20.2, linux-x64';
    expect(pickRecord(both, other)).toEqual({ record: both.machines[1], exact: false });
    const withC = makeBaseline(gated(50), C, both);
    expect(pickRecord(withC, other)?.record.machine).toBe(B);
    expect(pickRecord(withC, 'Some CPU, 8 cores, Node v20.20.2, linux-x64')).toEqual({ record: withC.machines[2], exact: false });
    expect(pickRecord({ note: '', machines: [] }, A)).toBeUndefined();
  });

  it('says when the record compared with is another machine\'s, and how to record this one', () => {
    const cmp = compareWithBaseline(gated(98), makeBaseline(gated(80), A).machines[0], 0.15);
    expect(cmp[0].status).toBe('regression');
    const foreign = formatComparison(cmp, 0.15, 'bench/baseline.json', A, B);
    expect(foreign).toContain(`no record for this machine (${B})`);
    expect(foreign).toContain('--save-baseline bench/baseline.json');
    expect(formatComparison(cmp, 0.15, 'bench/baseline.json', A)).not.toContain('warning');
  });

  it('reads the one-machine shape of earlier baselines, and rejects what is not a baseline', () => {
    const old = { note: 'n', machine: A, entries: { 'seed-e2e': { unit: 's', better: 'smaller', gate: 80, value: 1 } } };
    expect(normaliseBaseline(old)).toEqual({ note: 'n', machines: [{ machine: A, entries: old.entries }] });
    expect(normaliseBaseline({ machines: [{ machine: A }] })).toMatch(/machines\[0\] needs .*"entries"/);
    expect(normaliseBaseline([])).toMatch(/no "machines" list/);
    expect(normaliseBaseline(null)).toMatch(/not an object/);
  });

  it("formats sysfs cache sizes", () => {
    expect(formatCacheSize('2048K')).toBe('2 MiB');
    expect(formatCacheSize('107520K')).toBe('105 MiB');
    expect(formatCacheSize('48K')).toBe('48 KiB');
    expect(formatCacheSize('1280K')).toBe('1.3 MiB');
    expect(formatCacheSize('odd')).toBe('odd');
  });
});

describe('hypervisor steal', () => {
  it("reads the aggregate cpu line's 8th field, in 1/100 s ticks", () => {
    const stat = 'cpu  184283 16 11441 1596116 902 0 1251 18433 0 0\ncpu0 92000 8 5700 798000 450 0 600 9200 0 0\n';
    expect(parseSteal(stat)).toBeCloseTo(184.33, 12);
    expect(parseSteal('cpu  1 2 3 4\n')).toBeUndefined();
    expect(parseSteal('intr 5\n')).toBeUndefined();
  });

  it('warns above 2 % of the machine', () => {
    expect(formatSteal(1, 100, 2)).toBe('hypervisor steal during the run: 1.0 CPU s (0.5 % of 2 cores × 100 s)');
    expect(formatSteal(10, 100, 2)).toMatch(/^hypervisor steal during the run: 10\.0 CPU s \(5\.0 % of 2 cores × 100 s\) — warning/);
  });
});
