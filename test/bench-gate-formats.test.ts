import { describe, expect, it } from 'vitest';
import {
  actionBenchmarkFiles,
  bencherMetricFormat,
  biggerFileName,
  compareWithBaseline,
  makeBaseline,
  parseThreshold,
} from '../bench/gate.ts';
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
  const baseline = makeBaseline(rows, 'test machine');

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
    expect(makeBaseline(now, 'test machine', noisy).entries['fanout-distinct-5000']).toEqual({ unit: 's', better: 'smaller', gate: 0.6, value: rows[0].value, threshold: 0.35 });
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
