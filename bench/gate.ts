/**
 * What CI does with bench rows: github-action-benchmark files, Bencher Metric Format, and the baseline
 * gate (compare with bench/baseline.json, fail on a regression beyond a threshold). Pure functions of
 * rows; the runner (index.ts) does the I/O.
 */
import type { BenchRow } from './types.ts';

/** github-action-benchmark's `custom*` tools read an array of these. */
export interface ActionBenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

/**
 * Rows split by direction: github-action-benchmark takes one direction per file (tool
 * customSmallerIsBetter or customBiggerIsBetter). Informational rows (no `better`) are left out.
 */
export function actionBenchmarkFiles(rows: readonly BenchRow[]): { smaller: ActionBenchmarkEntry[]; bigger: ActionBenchmarkEntry[] } {
  const entry = (r: BenchRow): ActionBenchmarkEntry => ({
    name: r.name,
    unit: r.unit,
    value: r.value,
    ...(r.range !== undefined ? { range: r.range } : {}),
    ...(r.extra !== undefined ? { extra: r.extra } : {}),
  });
  return {
    smaller: rows.filter((r) => r.better === 'smaller').map(entry),
    bigger: rows.filter((r) => r.better === 'bigger').map(entry),
  };
}

/** The file the bigger-is-better entries go to when `--json FILE` names the smaller-is-better one. */
export function biggerFileName(file: string): string {
  return /\.json$/i.test(file) ? file.replace(/\.json$/i, '.bigger.json') : `${file}.bigger.json`;
}

/** Bencher Metric Format: { benchmark: { measure: { value } } }; measure slugs are kebab-case. */
export type BencherMetricFormat = Record<string, Record<string, { value: number; lower_value?: number; upper_value?: number }>>;

export function bencherMetricFormat(rows: readonly BenchRow[]): BencherMetricFormat {
  const out: BencherMetricFormat = {};
  for (const r of rows) {
    if (!r.better) continue;
    const measures: BencherMetricFormat[string] = { [measureSlug(r.unit)]: { value: r.value } };
    if (r.gate !== undefined && r.gate !== r.value) measures['vs-reference'] = { value: r.gate };
    if (r.eventsPerSecond !== undefined) measures['events-per-second'] = { value: r.eventsPerSecond };
    if (r.peakRssMB !== undefined) measures['peak-rss-mb'] = { value: r.peakRssMB };
    out[r.name] = measures;
  }
  return out;
}

function measureSlug(unit: string): string {
  if (unit === 's') return 'seconds';
  if (unit === 'x') return 'ratio';
  if (unit === 'ops/s') return 'ops-per-second';
  return unit.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase() || 'value';
}

// ---- the baseline gate --------------------------------------------------------------------------------

export interface BaselineEntry {
  unit: string;
  better: 'smaller' | 'bigger';
  /** The figure compared (BenchRow.gate). */
  gate: number;
  /** The raw value when the baseline was recorded, for humans. */
  value: number;
  /**
   * This entry's own allowance (a fraction), when its run-to-run noise on the recording machine is wider
   * than the command's --threshold (a single long run); the larger of the two applies. Kept on re-save.
   */
  threshold?: number;
}

export interface Baseline {
  /** How the figures were made, for whoever opens the file. */
  note: string;
  machine: string;
  entries: Record<string, BaselineEntry>;
}

export function makeBaseline(rows: readonly BenchRow[], machine: string, previous?: Baseline): Baseline {
  const entries: Record<string, BaselineEntry> = { ...(previous?.entries ?? {}) };
  for (const r of rows) {
    if (!r.better || r.gate === undefined) continue;
    const kept = previous?.entries[r.name]?.threshold;
    entries[r.name] = { unit: r.unit, better: r.better, gate: r.gate, value: r.value, ...(kept !== undefined ? { threshold: kept } : {}) };
  }
  const sorted: Record<string, BaselineEntry> = {};
  for (const k of Object.keys(entries).sort()) sorted[k] = entries[k];
  return {
    note:
      'pullsim bench baseline. `gate` is compared, not `value`: ratios measured against an in-process reference ' +
      '(kernel ÷ flatqueue, fast ÷ reference solver) or, for timings, CPU seconds ÷ the CPU seconds of a reference workload ' +
      '(a flatqueue hold loop) run before and after the entry. Update with: pullsim bench --save-baseline bench/baseline.json',
    machine,
    entries: sorted,
  };
}

/** Reads `15%`, `15` or `0.15` (a bare number below 1 is a fraction). */
export function parseThreshold(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) throw new RangeError(`--threshold must look like 15% (got "${text}")`);
  const x = Number(m[1]);
  const fraction = m[2] === '%' || x >= 1 ? x / 100 : x;
  if (!(fraction > 0)) throw new RangeError(`--threshold must be above 0 (got "${text}")`);
  return fraction;
}

export interface Comparison {
  name: string;
  unit: string;
  status: 'ok' | 'regression' | 'improvement' | 'new' | 'not run';
  baseline?: number;
  current?: number;
  /** How much worse (positive) or better (negative) than the baseline, as a fraction. */
  change?: number;
  /** The entry's own allowance, when it is wider than the command's threshold (BaselineEntry.threshold). */
  allowed?: number;
}

/**
 * Compares rows with the baseline: an entry regresses when its gate figure is worse than the
 * baseline's by more than `threshold` (current/baseline − 1 for smaller-is-better, baseline/current − 1
 * for bigger-is-better).
 */
export function compareWithBaseline(rows: readonly BenchRow[], baseline: Baseline, threshold: number): Comparison[] {
  const out: Comparison[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    if (!r.better || r.gate === undefined) continue;
    seen.add(r.name);
    const b = baseline.entries[r.name];
    if (!b) {
      out.push({ name: r.name, unit: r.unit, status: 'new', current: r.gate });
      continue;
    }
    const change = r.better === 'smaller' ? r.gate / b.gate - 1 : b.gate / r.gate - 1;
    const allowed = Math.max(threshold, b.threshold ?? 0);
    const status = change > allowed ? 'regression' : change < -allowed ? 'improvement' : 'ok';
    out.push({ name: r.name, unit: r.unit, status, baseline: b.gate, current: r.gate, change, ...(allowed !== threshold ? { allowed } : {}) });
  }
  for (const [name, b] of Object.entries(baseline.entries)) {
    if (!seen.has(name)) out.push({ name, unit: b.unit, status: 'not run', baseline: b.gate });
  }
  return out;
}

export function formatComparison(cmp: readonly Comparison[], threshold: number, baselineFile: string, machine: string): string {
  const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;
  const num = (x: number | undefined): string => (x === undefined ? '' : x.toPrecision(4));
  const header = ['name', 'baseline', 'now', 'worse by', 'verdict'];
  const body = cmp.map((c) => [
    c.name,
    num(c.baseline),
    num(c.current),
    c.change === undefined ? '' : pct(c.change),
    c.allowed === undefined ? c.status : `${c.status} (allowed ±${(100 * c.allowed).toFixed(0)}% for this entry)`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const regressions = cmp.filter((c) => c.status === 'regression').length;
  return [
    `baseline ${baselineFile} (recorded on ${machine}), threshold ${(100 * threshold).toFixed(0)}%`,
    'compared: noise-resistant figures, not raw seconds: ratios against an in-process reference (kernel ÷ flatqueue,',
    'fast ÷ reference solver) and, for timings, CPU seconds ÷ the CPU seconds of a reference workload (a flatqueue',
    'hold loop at 1e5 pending) run in the same process just before and after the entry',
    '',
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...body.map(line),
    '',
    regressions > 0 ? `${regressions} regression${regressions === 1 ? '' : 's'} beyond ${(100 * threshold).toFixed(0)}%` : 'no regression',
    '',
  ].join('\n');
}
