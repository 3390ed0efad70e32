/**
 * The compact end-of-run table for the terminal: one column per variant, human units, and (with colour)
 * the best value of each row in green. Reads only RunResult.
 */
import type { RunResult, VariantMetrics } from '../metrics/result.ts';
import { rolloutSeconds } from '../metrics/result.ts';
import * as units from '../scenario/units.ts';
import { thousands } from './thousands.ts';

/** What the table shows for NaN or ±Infinity (e.g. a percentile of no samples). */
const NOT_A_NUMBER = '—';
const finiteOrDash =
  (format: (x: number) => string) =>
  (x: number): string =>
    Number.isFinite(x) ? format(x) : NOT_A_NUMBER;
const formatBytes = finiteOrDash(units.formatBytes);
const formatRate = finiteOrDash(units.formatRate);
const formatDuration = finiteOrDash(units.formatDuration);
const formatUSD = finiteOrDash(units.formatUSD);

export interface SummaryOptions {
  /** ANSI colours. The caller decides (see `wantsColor`); the renderer never looks at the terminal. */
  color?: boolean;
  /** How many of the largest cost items to list under cost per day. */
  topCostItems?: number;
  /** Append ✓ to the best value of each row, so the winner shows without colour too (compare). */
  markBest?: boolean;
}

/** Colour when writing to a terminal, unless NO_COLOR is set; FORCE_COLOR turns it on anyway. */
export function wantsColor(isTTY: boolean | undefined, env: Record<string, string | undefined>): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY === true && env.TERM !== 'dumb';
}

interface Row {
  label: string;
  cells: string[];
  /** Numbers behind the cells, to mark the best variant; lower is better where given. */
  lowerIsBetter?: number[];
  /** A sub-row (indented label, dim). */
  detail?: boolean;
}

export function renderSummary(result: RunResult, options: SummaryOptions = {}): string {
  const color = options.color ?? false;
  const paint = painter(color);
  const metrics = result.variants.map((v) => v.metrics);
  const head = `${result.tool.name} ${result.tool.version} · scenario ${result.scenario.name} · seed ${result.seed}`;
  if (metrics.length === 0) return `${paint.bold(head)}\n(no variants)\n`;

  const row = (label: string, f: (m: VariantMetrics) => string, better?: (m: VariantMetrics) => number): Row => ({
    label,
    cells: metrics.map(f),
    lowerIsBetter: better && metrics.map(better),
  });
  const rows: Row[] = [
    row('simulated', (m) => formatDuration(m.simulated_s)),
    row('releases', (m) =>
      m.releases_rolled_out === m.releases ? formatCount(m.releases) : `${formatCount(m.releases)} (${formatCount(m.releases_rolled_out)} rolled out)`),
    row('pulls (failed)', (m) => `${formatCount(m.pulls)} (${formatCount(m.pulls_failed)})`, (m) => m.pulls_failed),
    row('ingress', (m) => formatBytes(m.ingress_bytes)),
    { ...row('layer + metadata', (m) => `${formatBytes(m.layer_bytes)} + ${formatBytes(m.metadata_bytes)}`), detail: true },
    row('internet', (m) => formatBytes(m.internet_bytes), (m) => m.internet_bytes),
    row('cross-zone', (m) => formatBytes(m.cross_zone_bytes), (m) => m.cross_zone_bytes),
    row('registry egress', (m) => formatBytes(m.registry_egress_bytes), (m) => m.registry_egress_bytes),
    // No winner for the peak: it is load to provision for, not an outcome to minimise.
    row('registry peak', (m) => formatRate(m.registry_peak_Bps)),
    ...(['p50', 'p90', 'p99', 'max'] as const).map((p) =>
      row(`rollout ${p}`, (m) => formatDuration(rolloutSeconds(m, p)), (m) => rolloutSeconds(m, p)),
    ),
    ...(['p50', 'p99'] as const).map((p) =>
      row(`node ready ${p}`, (m) => formatDuration(m.node_ready_s[p]), (m) => m.node_ready_s[p]),
    ),
    row('cost per day', (m) => formatUSD(m.cost_usd_per_day), (m) => m.cost_usd_per_day),
    ...costItemRows(metrics, options.topCostItems ?? 3),
    row('events', (m) => formatCount(m.events)),
  ];
  if (metrics.some((m) => m.wall_ms !== null)) {
    rows.push(row('wall time', (m) => (m.wall_ms === null ? NOT_A_NUMBER : formatDuration(m.wall_ms / 1000))));
  }

  if (options.markBest) {
    for (const r of rows) for (const c of bestIndexes(r.lowerIsBetter)) r.cells[c] += ' ✓';
  }
  const names = result.variants.map((v) => v.name);
  const labelWidth = Math.max(0, ...rows.map((r) => r.label.length + (r.detail ? 2 : 0)));
  const widths = names.map((n, c) => Math.max(n.length, ...rows.map((r) => r.cells[c].length)));
  const gap = '  ';
  const lines = [paint.bold(head), ''];
  lines.push(' '.repeat(labelWidth) + names.map((n, c) => gap + ' '.repeat(widths[c] - n.length) + paint.bold(n)).join(''));
  for (const r of rows) {
    const best = bestIndexes(r.lowerIsBetter);
    const text = r.detail ? '  ' + r.label : r.label;
    const label = (r.detail ? paint.dim(text) : text) + ' '.repeat(labelWidth - text.length);
    const cells = r.cells.map((cell, c) => {
      // Pad outside the colour codes, so an empty cell adds no codes and trailing space trims away.
      const pad = gap + ' '.repeat(widths[c] - cell.length);
      if (cell === '') return pad;
      return pad + (best.has(c) ? paint.green(cell) : r.detail ? paint.dim(cell) : cell);
    });
    lines.push(label + cells.join(''));
  }
  const described = result.variants.filter((v) => v.description);
  if (described.length > 0) {
    lines.push('');
    const nameWidth = Math.max(...described.map((v) => v.name.length));
    for (const v of described) lines.push(`${paint.dim(v.name)}${' '.repeat(nameWidth - v.name.length)}  ${v.description}`);
  }
  return lines.map((l) => l.trimEnd()).join('\n') + '\n';
}

/** Rows "  1st item" … listing each variant's largest cost items with their share of its total. */
function costItemRows(metrics: VariantMetrics[], top: number): Row[] {
  const ranked = metrics.map((m) =>
    Object.entries(m.cost_usd)
      .filter(([item, usd]) => item !== 'total' && usd > 0)
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
      .slice(0, top)
      .map(([item, usd]) => `${item} ${formatShare(usd, m.cost_usd.total)}`),
  );
  const n = Math.max(0, ...ranked.map((r) => r.length));
  return Array.from({ length: n }, (_, i) => ({
    label: `top ${i + 1}`,
    cells: ranked.map((r) => r[i] ?? ''),
    detail: true,
  }));
}

function formatShare(part: number, total: number): string {
  if (!(total > 0)) return NOT_A_NUMBER;
  const pct = (100 * part) / total;
  return pct < 1 ? '<1%' : `${Math.round(pct)}%`;
}

function formatCount(n: number): string {
  return Number.isFinite(n) ? thousands(Math.round(n)) : NOT_A_NUMBER;
}

/** Indexes of the lowest finite value, only when variants differ (a row where all tie has no winner). */
function bestIndexes(values: number[] | undefined): Set<number> {
  if (!values || values.length < 2) return new Set();
  const finite = values.filter(Number.isFinite);
  if (finite.length < 2) return new Set();
  const min = Math.min(...finite);
  if (finite.every((v) => v === min)) return new Set();
  return new Set(values.flatMap((v, i) => (v === min ? [i] : [])));
}

function painter(on: boolean) {
  const wrap = (open: number, close: number) => (s: string) => (on ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return { bold: wrap(1, 22), dim: wrap(2, 22), green: wrap(32, 39) };
}

/**
 * The simulator's own speed, hyperfine-style, for the end of a run on the terminal (never in JSON/CSV,
 * which stay byte-identical): kernel events of every run, the wall time of the simulation phase (worker
 * start-up included), and their ratio.
 */
export function renderThroughput(events: number, wallS: number, runs: number, threads: number): string {
  const rate = wallS > 0 ? events / wallS : NaN;
  const perS = Number.isFinite(rate) ? (rate >= 1e6 ? `${(rate / 1e6).toFixed(2)} M` : `${formatCount(rate / 1e3)} k`) : NOT_A_NUMBER;
  const what = `${formatCount(runs)} run${runs === 1 ? '' : 's'} on ${threads} thread${threads === 1 ? '' : 's'}`;
  return `simulated ${formatCount(events)} events in ${formatDuration(wallS)} (${perS} events/s, ${what})\n`;
}
