/**
 * What CI does with bench rows: github-action-benchmark files, Bencher Metric Format, and the baseline
 * gate (compare with bench/baseline.json, fail on a regression beyond a threshold). Pure functions of
 * rows; the runner (index.ts) does the I/O.
 */
import type { BenchRow } from './types.ts';
import { escapeMarkdown, markdownTable } from '../src/report/markdown.ts';

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

/** Formats a value with about four significant digits and thousands separators for big numbers. */
export function formatBenchValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e4) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(3);
  return value.toPrecision(4);
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

/** One machine's figures: ratios differ between machines (cache sizes, clock), so each has its own. */
export interface BaselineRecord {
  /** The machine as describeMachine (bench/index.ts) describes it (CPU, cores, caches, Node, platform): the record's key. */
  machine: string;
  entries: Record<string, BaselineEntry>;
}

export interface Baseline {
  /** How the figures were made, for whoever opens the file. */
  note: string;
  machines: BaselineRecord[];
}

const BASELINE_NOTE =
  'pullsim bench baseline, one record per machine (a run is compared with the record of its own machine). `gate` is ' +
  'compared, not `value`: ratios measured against an in-process reference (kernel ÷ flatqueue, fast ÷ reference solver) ' +
  'or, for timings, CPU seconds ÷ the CPU seconds of a reference workload (a flatqueue hold loop) run before and after ' +
  "the entry. Record or update this machine's with: pullsim bench --save-baseline bench/baseline.json";

/**
 * A parsed baseline file in the current shape, or a message saying what is wrong. The first shape (one
 * machine: `{ note, machine, entries }`) reads as a baseline with that one record.
 */
export function normaliseBaseline(value: unknown): Baseline | string {
  if (!value || typeof value !== 'object') return 'not a pullsim bench baseline (not an object)';
  const v = value as { note?: unknown; machine?: unknown; entries?: unknown; machines?: unknown };
  const isRecord = (r: unknown): r is BaselineRecord =>
    !!r && typeof r === 'object' && typeof (r as BaselineRecord).machine === 'string' && !!(r as BaselineRecord).entries && typeof (r as BaselineRecord).entries === 'object';
  const note = typeof v.note === 'string' ? v.note : BASELINE_NOTE;
  if (Array.isArray(v.machines)) {
    const bad = v.machines.findIndex((r) => !isRecord(r));
    if (bad >= 0) return `not a pullsim bench baseline (machines[${bad}] needs a "machine" string and an "entries" object)`;
    return { note, machines: v.machines as BaselineRecord[] };
  }
  if (isRecord(v)) return { note, machines: [{ machine: v.machine as string, entries: v.entries as Record<string, BaselineEntry> }] };
  return 'not a pullsim bench baseline (no "machines" list and no "entries")';
}

/**
 * The baseline with this machine's record made or updated from `rows`, entry by entry (a filtered run
 * refreshes only its entries); other machines' records are kept as they were. An entry's own `threshold`
 * (a noise allowance) is kept from this machine's record, or else taken from another machine's.
 */
export function makeBaseline(rows: readonly BenchRow[], machine: string, previous?: Baseline): Baseline {
  const records = previous?.machines ?? [];
  const own = records.find((r) => r.machine === machine);
  const entries: Record<string, BaselineEntry> = { ...(own?.entries ?? {}) };
  for (const r of rows) {
    if (!r.better || r.gate === undefined) continue;
    const kept = own?.entries[r.name]?.threshold ?? records.map((m) => m.entries[r.name]?.threshold).find((t) => t !== undefined);
    entries[r.name] = { unit: r.unit, better: r.better, gate: r.gate, value: r.value, ...(kept !== undefined ? { threshold: kept } : {}) };
  }
  const sorted: Record<string, BaselineEntry> = {};
  for (const k of Object.keys(entries).sort()) sorted[k] = entries[k];
  const record: BaselineRecord = { machine, entries: sorted };
  return {
    note: BASELINE_NOTE,
    machines: own ? records.map((r) => (r === own ? record : r)) : [...records, record],
  };
}

/**
 * The record to compare a run on `machine` with: its own (exact: true), or, when the machine was never
 * recorded, the nearest one (same CPU model and core count, else the last recorded) with exact: false;
 * undefined for a baseline without records.
 */
export function pickRecord(baseline: Baseline, machine: string): { record: BaselineRecord; exact: boolean } | undefined {
  const own = baseline.machines.find((r) => r.machine === machine);
  if (own) return { record: own, exact: true };
  const model = /^(.*? cores)/.exec(machine)?.[1];
  const near = model === undefined ? undefined : [...baseline.machines].reverse().find((r) => r.machine.startsWith(model));
  const record = near ?? baseline.machines.at(-1);
  return record ? { record, exact: false } : undefined;
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
  /** How many times the entry ran, when the gate re-ran it (withRuns); `current` is then its best run. */
  runs?: number;
  /** The first run's change, when the entry was re-run. */
  firstChange?: number;
}

/**
 * Compares rows with the baseline: an entry regresses when its gate figure is worse than the
 * baseline's by more than `threshold` (current/baseline − 1 for smaller-is-better, baseline/current − 1
 * for bigger-is-better).
 */
export function compareWithBaseline(rows: readonly BenchRow[], baseline: Pick<BaselineRecord, 'entries'>, threshold: number): Comparison[] {
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

/** A comparison in parts, so the terminal table and the Markdown summary say the same things. */
export interface ComparisonParts {
  /** What was compared with what: "baseline FILE (recorded on …), threshold 15%". */
  title: string;
  /** The warning when the record is another machine's (three lines), else empty. */
  warning: string[];
  /** How the figures are made, and that entries were re-run when some were: paragraphs of terminal lines. */
  notes: string[][];
  header: string[];
  body: string[][];
  /** Entries that regressed, and the line saying so: "no regression" or "N regressions beyond 15%". */
  regressions: number;
  summary: string;
}

/**
 * The comparison's parts. `foreign` names this run's machine when the record compared with is another
 * machine's (pickRecord's exact: false): the output then says so, and how to record this one.
 */
export function comparisonParts(cmp: readonly Comparison[], threshold: number, baselineFile: string, machine: string, foreign?: string): ComparisonParts {
  const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;
  const num = (x: number | undefined): string => (x === undefined ? '' : x.toPrecision(4));
  const verdict = (c: Comparison): string => {
    const notes = [
      ...(c.allowed === undefined ? [] : [`allowed ±${(100 * c.allowed).toFixed(0)}% for this entry`]),
      ...(c.runs === undefined || c.runs < 2 ? [] : [`best of ${c.runs} runs${c.firstChange === undefined ? '' : `; first ${pct(c.firstChange)}`}`]),
    ];
    return notes.length === 0 ? c.status : `${c.status} (${notes.join('; ')})`;
  };
  const regressions = regressedNames(cmp).length;
  const rerun = cmp.some((c) => (c.runs ?? 1) > 1);
  return {
    title: `baseline ${baselineFile} (recorded on ${machine}), threshold ${(100 * threshold).toFixed(0)}%`,
    warning:
      foreign === undefined
        ? []
        : [
            `warning: ${baselineFile} has no record for this machine (${foreign}); compared with the nearest one.`,
            'Ratios differ between machines (cache sizes, clock), so a verdict below may be the machine, not the code.',
            `Record this machine: --save-baseline ${baselineFile}`,
          ],
    notes: [
      [
        'compared: noise-resistant figures, not raw seconds: ratios against an in-process reference (kernel ÷ flatqueue,',
        'fast ÷ reference solver) and, for timings, CPU seconds ÷ the CPU seconds of a reference workload (a flatqueue',
        'hold loop at 1e5 pending) run in the same process just before and after the entry',
      ],
      ...(rerun ? [['entries that regressed were run again (--confirm); each counts its best run, so a regression is one every run showed']] : []),
    ],
    header: ['name', 'baseline', 'now', 'worse by', 'verdict'],
    body: cmp.map((c) => [c.name, num(c.baseline), num(c.current), c.change === undefined ? '' : pct(c.change), verdict(c)]),
    regressions,
    summary: regressions > 0 ? `${regressions} regression${regressions === 1 ? '' : 's'} beyond ${(100 * threshold).toFixed(0)}%` : 'no regression',
  };
}

/** The comparison as the terminal table (comparisonParts, then renderComparison). */
export function formatComparison(cmp: readonly Comparison[], threshold: number, baselineFile: string, machine: string, foreign?: string): string {
  return renderComparison(comparisonParts(cmp, threshold, baselineFile, machine, foreign));
}

/** Comparison parts as the terminal table. */
export function renderComparison(p: ComparisonParts): string {
  const widths = p.header.map((h, i) => Math.max(h.length, ...p.body.map((b) => b[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [p.title, ...p.warning, ...p.notes.flat(), '', line(p.header), widths.map((w) => '-'.repeat(w)).join('  '), ...p.body.map(line), '', p.summary, ''].join('\n');
}

/**
 * The run as GitHub-flavoured Markdown (`--markdown FILE`), for a CI job summary or a pull-request
 * comment: the verdict first when there is a gate, then its table, then every row. Every string from a
 * suite, the machine or a file name is escaped (src/report/markdown.ts), so none can break a table; the
 * figures and verdicts are the gate's own text.
 */
export function benchMarkdown(rows: readonly BenchRow[], machine: string, gate?: ComparisonParts, footer: readonly string[] = []): string {
  const e = escapeMarkdown;
  const lines = ['# pullsim bench', '', `machine: ${e(machine)}`, ''];
  if (gate) {
    lines.push(`## Gate: ${gate.regressions > 0 ? '❌' : '✅'} ${e(gate.summary)}`, '', e(gate.title), '');
    if (gate.warning.length > 0) lines.push(`> ${gate.warning.map(e).join(' ')}`, '');
    lines.push(...markdownTable(gate.header, gate.body.map((r) => r.map((c, i) => (i === 0 ? e(c) : c))), ['l', 'r', 'r', 'r', 'l']), '', ...gate.notes.flatMap((lines) => [e(lines.join(' ')), '']));
  }
  lines.push(
    '## Results',
    '',
    ...markdownTable(
      ['name', 'value', 'unit', '±range', 'extra'],
      rows.map((r) => [e(r.name), formatBenchValue(r.value), e(r.unit), e(r.range ?? ''), e(r.extra ?? '')]),
      ['l', 'r', 'l', 'l', 'l'],
    ),
  );
  if (footer.length > 0) lines.push('', ...footer.map(e));
  return `${lines.join('\n')}\n`;
}

// ---- confirming a regression ---------------------------------------------------------------------------

/**
 * The better of two measurements of one entry, by its gate figure: the lower for smaller-is-better, the
 * higher for bigger-is-better (`a` on a tie or when either has no gate figure).
 */
export function betterRow(a: BenchRow, b: BenchRow): BenchRow {
  if (a.gate === undefined || b.gate === undefined) return a;
  return (a.better === 'bigger' ? b.gate > a.gate : b.gate < a.gate) ? b : a;
}

/** `rows` in their order, each entry that `again` measured once more replaced by the better of the two. */
export function mergeBest(rows: readonly BenchRow[], again: readonly BenchRow[]): BenchRow[] {
  const fresh = new Map(again.map((r) => [r.name, r]));
  return rows.map((r) => {
    const b = fresh.get(r.name);
    return b ? betterRow(r, b) : r;
  });
}

/** The entries a comparison calls regressions, in its order: what the gate runs again. */
export function regressedNames(cmp: readonly Comparison[]): string[] {
  return cmp.filter((c) => c.status === 'regression').map((c) => c.name);
}

/**
 * The comparison of the best rows, with each entry that ran more than once (`runs`) annotated with its
 * run count and its first run's change (from `first`, the first run's comparison).
 */
export function withRuns(best: readonly Comparison[], first: readonly Comparison[], runs: ReadonlyMap<string, number>): Comparison[] {
  const firstOf = new Map(first.map((c) => [c.name, c]));
  return best.map((c) => {
    const n = runs.get(c.name) ?? 1;
    if (n < 2) return c;
    const f = firstOf.get(c.name)?.change;
    return { ...c, runs: n, ...(f !== undefined ? { firstChange: f } : {}) };
  });
}

/** The line printed before a re-run: which entries, and which attempt of how many. */
export function formatRerun(names: readonly string[], attempt: number, attempts: number): string {
  const k = names.length;
  return `re-running ${k} entr${k === 1 ? 'y' : 'ies'} that regressed (attempt ${attempt} of ${attempts}): ${names.join(', ')}`;
}

/**
 * Reads a count flag (`--confirm`, `--runs`): a whole number from `min` to 20; `what` names its unit in
 * the message, `why` says what a large count costs.
 */
function parseCount(flag: string, text: string, min: number, what: string, why: string): number {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < min) throw new RangeError(`--${flag} must be a whole number of ${what}, ${min} or more (got "${text}")`);
  const n = Number(text);
  if (n > 20) throw new RangeError(`--${flag} must be at most 20 (got "${text}"): ${why}`);
  return n;
}

/** Reads --confirm: how many more times an entry that regressed is run before the gate calls it one. */
export function parseConfirm(text: string): number {
  return parseCount('confirm', text, 0, 're-runs', 'each re-run repeats the entries that regressed');
}

// ---- several whole runs --------------------------------------------------------------------------------

/**
 * One row per entry from several whole bench runs (`--runs N`): the run whose gate figure is the median
 * (the lower middle for an even count), whole, so its value, range and extra stay one measurement's.
 * Informational rows (no gate figure) take the middle run's row by value. Entries are in the order they
 * first appear; an entry missing from some runs (its suite failed there) is the median of the runs that
 * have it. `extra` notes the spread of the gate figure across the runs.
 */
export function medianRows(runs: readonly (readonly BenchRow[])[]): BenchRow[] {
  if (runs.length === 1) return [...runs[0]];
  const byName = new Map<string, BenchRow[]>();
  for (const run of runs) for (const r of run) (byName.get(r.name) ?? byName.set(r.name, []).get(r.name)!).push(r);
  return [...byName.values()].map((rows) => {
    const key = (r: BenchRow): number => r.gate ?? r.value;
    const sorted = [...rows].sort((a, b) => key(a) - key(b));
    const mid = sorted[(sorted.length - 1) >> 1];
    if (rows.length === 1) return mid;
    const figures = rows.map((r) => key(r).toPrecision(4)).join(' ');
    const note = `median of ${rows.length} bench runs by ${mid.gate !== undefined ? 'gate figure' : 'value'} (${figures})`;
    return { ...mid, extra: mid.extra ? `${mid.extra}; ${note}` : note };
  });
}

/** Reads --runs: whole runs of the suites, 1 or more. */
export function parseRuns(text: string): number {
  return parseCount('runs', text, 1, 'runs', 'a full bench run takes minutes');
}
