/**
 * One CSV row per variant, nested metrics flattened with `_` (`rollout_s_p99`, `cost_usd_total`,
 * `ingress_by_source_bytes_<source>`). Columns are the union over variants in a stable order: the
 * RunResult type order, with map entries (sources, cost items) sorted by key inside their parent, so the
 * header depends only on which keys exist, not on which variant or model inserted them first.
 */
import { stringify } from 'csv-stringify/sync';
import type { RunResult, VariantMetrics } from '../metrics/result.ts';
import { METRIC_KEYS, PERCENTILE_KEYS } from './json.ts';

export type Cell = string | number;

const LEADING_COLUMNS = ['scenario', 'seed', 'variant', 'description'];

/** Field order inside each nested object (by path); keys not listed come after, sorted. */
const FIELD_ORDER: Record<string, readonly string[]> = {
  '': METRIC_KEYS,
  rollout_s: PERCENTILE_KEYS,
  node_ready_s: PERCENTILE_KEYS,
  cost_usd: ['total'],
};

export interface Column {
  name: string;
  path: string[];
}

/**
 * With replications the rows are the runs (one per variant × replication, with its own seed and a
 * `replication` column): tidy data, each observation a row; the means and CIs are in the JSON.
 */
export function renderCsv(result: RunResult): string {
  const rows = csvRows(result);
  const metrics = rows.map((r) => r.metrics as unknown as Record<string, unknown>);
  const replicated = rows.some((r) => r.replication !== undefined);
  const leading = replicated ? [...LEADING_COLUMNS, 'replication'] : LEADING_COLUMNS;
  const columns = checkedColumns(metrics, leading);
  const header = [...leading, ...columns.map((c) => c.name)].map(guardFormula);
  const body = rows.map((r, i) => [
    guardFormula(result.scenario.name),
    r.seed,
    guardFormula(r.variant.name),
    guardFormula(r.variant.description),
    ...(replicated ? [r.replication ?? ''] : []),
    ...metricCells(metrics[i], columns),
  ]);
  return stringify([header, ...body], { record_delimiter: 'unix', eof: true });
}

interface CsvRow {
  variant: RunResult['variants'][number];
  seed: number;
  replication?: number;
  metrics: VariantMetrics;
}

/** One row per variant, or per run when the variant carries its replications. */
export function csvRows(result: RunResult): CsvRow[] {
  return result.variants.flatMap((v): CsvRow[] =>
    v.runs && v.runs.length > 0
      ? v.runs.map((r) => ({ variant: v, seed: r.seed, replication: r.replication, metrics: r.metrics }))
      : [{ variant: v, seed: result.seed, metrics: v.metrics }],
  );
}

/** The metric columns for these rows, refusing two fields that would flatten onto one column name. */
export function checkedColumns(metrics: Record<string, unknown>[], leading: readonly string[]): Column[] {
  const columns = metricColumns(metrics, []);
  const seen = new Set(leading);
  for (const c of columns) {
    // e.g. a cost item named `per_day` would land on `cost_usd_per_day`: two metrics, one column.
    if (seen.has(c.name)) throw new Error(`internal: two fields flatten to the CSV column '${c.name}'`);
    seen.add(c.name);
  }
  return columns;
}

export function metricCells(metrics: Record<string, unknown>, columns: readonly Column[]): Cell[] {
  return columns.map((c) => toCell(valueAt(metrics, c.path)));
}

function metricColumns(objects: Record<string, unknown>[], path: string[]): Column[] {
  const known = FIELD_ORDER[path.join('.')] ?? [];
  const keys = new Set(objects.flatMap((o) => Object.keys(o)));
  const rest = [...keys].filter((k) => !known.includes(k)).sort();
  const columns: Column[] = [];
  for (const k of [...known.filter((k) => keys.has(k)), ...rest]) {
    const values = objects.map((o) => o[k]).filter((v) => v !== undefined);
    const nested = values.filter(isPlainObject);
    if (nested.length > 0) {
      if (nested.length !== values.length) throw new Error(`internal: metric '${[...path, k].join('.')}' is an object in one variant and not in another`);
      columns.push(...metricColumns(nested, [...path, k]));
    } else {
      columns.push({ name: [...path, k].join('_'), path: [...path, k] });
    }
  }
  return columns;
}

function valueAt(obj: Record<string, unknown>, path: string[]): unknown {
  let v: unknown = obj;
  for (const k of path) v = isPlainObject(v) ? v[k] : undefined;
  return v;
}

/** A variant without this key (a source it never used) or a null (wall_ms untimed) is an empty cell. */
function toCell(v: unknown): Cell {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return String(v); // csv-stringify would print true as 1 and false as ''
  return guardFormula(typeof v === 'string' ? v : JSON.stringify(v));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Spreadsheet apps run cells starting with = + - @ (and tab or CR, which some strip first) as formulas;
 * a leading apostrophe makes them text. Strings only: a negative number is data, not a formula.
 */
export function guardFormula(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}
