/**
 * k6-style thresholds: pass/fail criteria declared as data in the scenario (`thresholds:` map from a
 * metric name to an expression such as `"< 10m"`, `"< $50"`, `"== 0"`). The right-hand side uses the unit
 * grammar of scenario/units.ts for the metric's quantity, so `rollout_s.p99: "< 10m"` compares seconds
 * with seconds. Parsing is pure and shared by load-time validation (schema.ts) and evaluation.
 */
import type { RunResult, ThresholdOutcomeRow, VariantMetrics } from '../metrics/result.ts';
import { rolloutSeconds } from '../metrics/result.ts';
import { closest } from '../scenario/errors.ts';
import * as units from '../scenario/units.ts';

/** What the number on the right-hand side measures: decides which unit grammar parses it. */
export type ThresholdQuantity = 'duration' | 'size' | 'rate' | 'money' | 'count';

interface MetricDef {
  quantity: ThresholdQuantity;
  get: (m: VariantMetrics) => number;
}

const PCT = ['p50', 'p90', 'p99', 'max'] as const;

/** Every metric a threshold may name, in RunResult order (the names are the JSON paths, joined by `.`). */
export const THRESHOLD_METRICS: ReadonlyMap<string, MetricDef> = new Map<string, MetricDef>([
  ['simulated_s', { quantity: 'duration', get: (m) => m.simulated_s }],
  ['releases', { quantity: 'count', get: (m) => m.releases }],
  ['releases_rolled_out', { quantity: 'count', get: (m) => m.releases_rolled_out }],
  ['pulls', { quantity: 'count', get: (m) => m.pulls }],
  ['pulls_failed', { quantity: 'count', get: (m) => m.pulls_failed }],
  ['requests', { quantity: 'count', get: (m) => m.requests }],
  ['throttled_requests', { quantity: 'count', get: (m) => m.throttled_requests }],
  ['retries', { quantity: 'count', get: (m) => m.retries }],
  ['ingress_bytes', { quantity: 'size', get: (m) => m.ingress_bytes }],
  ['layer_bytes', { quantity: 'size', get: (m) => m.layer_bytes }],
  ['metadata_bytes', { quantity: 'size', get: (m) => m.metadata_bytes }],
  ['internet_bytes', { quantity: 'size', get: (m) => m.internet_bytes }],
  ['cross_zone_bytes', { quantity: 'size', get: (m) => m.cross_zone_bytes }],
  ['registry_egress_bytes', { quantity: 'size', get: (m) => m.registry_egress_bytes }],
  ['registry_peak_Bps', { quantity: 'rate', get: (m) => m.registry_peak_Bps }],
  ...PCT.map((p): [string, MetricDef] => [`rollout_s.${p}`, { quantity: 'duration', get: (m) => rolloutSeconds(m, p) }]),
  ...PCT.map((p): [string, MetricDef] => [`node_ready_s.${p}`, { quantity: 'duration', get: (m) => m.node_ready_s[p] }]),
  ['cost_usd.total', { quantity: 'money', get: (m) => m.cost_usd.total }],
  ['cost_usd_per_day', { quantity: 'money', get: (m) => m.cost_usd_per_day }],
  ['cost_usd_per_month', { quantity: 'money', get: (m) => m.cost_usd_per_month }],
  ['events', { quantity: 'count', get: (m) => m.events }],
]);

export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface Threshold {
  metric: string;
  op: ThresholdOp;
  /** The bound in base units (seconds, bytes, bytes/s, USD, count). */
  bound: number;
  /** The expression as written, trimmed, e.g. "< 10m". */
  expression: string;
}

/** Why a threshold cannot be used: data for a zod issue (message + hint), never thrown at the user. */
export interface ThresholdProblem {
  /** 'metric': the key is wrong; 'expression': the value is. */
  where: 'metric' | 'expression';
  message: string;
  hint?: string;
}

const EXAMPLE: Record<ThresholdQuantity, string> = {
  duration: '"< 10m"',
  size: '"< 2 GB"',
  rate: '"< 10 Gbit/s"',
  money: '"< $50"',
  count: '"== 0"',
};

const OP = /^(<=|>=|==|!=|<|>)\s*(.*)$/s;

export function parseThreshold(metric: string, expression: string): { ok: true; value: Threshold } | { ok: false; problem: ThresholdProblem } {
  const def = THRESHOLD_METRICS.get(metric);
  if (!def) {
    const near = closest(metric, THRESHOLD_METRICS.keys());
    return {
      ok: false,
      problem: {
        where: 'metric',
        message: `no metric named ${JSON.stringify(metric)} to set a threshold on`,
        hint: near ? `did you mean ${JSON.stringify(near)}?` : `thresholds can name ${[...THRESHOLD_METRICS.keys()].join(', ')}`,
      },
    };
  }
  const text = expression.trim();
  const m = OP.exec(text);
  if (!m) {
    return {
      ok: false,
      problem: { where: 'expression', message: `threshold ${JSON.stringify(expression)} has no comparison`, hint: `start with <, <=, >, >=, == or !=, e.g. ${metric}: ${EXAMPLE[def.quantity]}` },
    };
  }
  const op = m[1] as ThresholdOp;
  const rhs = m[2].trim();
  try {
    return { ok: true, value: { metric, op, bound: parseBound(def.quantity, rhs), expression: `${op} ${rhs}` } };
  } catch (e) {
    if (!(e instanceof units.UnitError)) throw e;
    return {
      ok: false,
      problem: { where: 'expression', message: `threshold ${JSON.stringify(expression)}: ${e.message}`, hint: e.hint ?? `e.g. ${metric}: ${EXAMPLE[def.quantity]}` },
    };
  }
}

function parseBound(q: ThresholdQuantity, rhs: string): number {
  switch (q) {
    case 'duration':
      return units.parseDuration(rhs);
    case 'size':
      return units.parseSize(rhs);
    case 'rate':
      return units.parseRate(rhs);
    case 'money':
      return units.parsePrice(rhs, 'amount');
    case 'count': {
      if (!/^\d+$/.test(rhs)) throw new units.UnitError(`${JSON.stringify(rhs)} is not a whole number`, rhs, 'this metric is a count, e.g. "== 0" or "< 100"');
      return Number(rhs);
    }
  }
}

/** Parses a whole `thresholds:` map; the scenario was validated, so a problem here is a bug. */
export function parseThresholds(map: Readonly<Record<string, string>>): Threshold[] {
  return Object.entries(map).map(([metric, expr]) => {
    const r = parseThreshold(metric, expr);
    if (!r.ok) throw new Error(`internal: threshold ${metric}: ${expr} passed validation but does not parse: ${r.problem.message}`);
    return r.value;
  });
}

export function holds(op: ThresholdOp, actual: number, bound: number): boolean {
  // No number (no release rolled out) passes no threshold, not even `!=`.
  if (Number.isNaN(actual)) return false;
  switch (op) {
    case '<':
      return actual < bound;
    case '<=':
      return actual <= bound;
    case '>':
      return actual > bound;
    case '>=':
      return actual >= bound;
    case '==':
      return actual === bound;
    case '!=':
      return actual !== bound;
  }
}

/** One threshold checked on one variant; stored in RunResult.thresholds so reports can show it. */
export type ThresholdOutcome = ThresholdOutcomeRow;

export function evaluateThresholds(result: RunResult, thresholds: readonly Threshold[]): ThresholdOutcome[] {
  const out: ThresholdOutcome[] = [];
  for (const v of result.variants) {
    for (const t of thresholds) {
      const actual = THRESHOLD_METRICS.get(t.metric)!.get(v.metrics);
      out.push({ variant: v.name, metric: t.metric, expression: t.expression, actual, ok: holds(t.op, actual, t.bound) });
    }
  }
  return out;
}

/** The metric's value in the same human units as the expression. */
export function formatActual(metric: string, actual: number): string {
  const q = THRESHOLD_METRICS.get(metric)?.quantity ?? 'count';
  switch (q) {
    case 'duration':
      return units.formatDuration(actual);
    case 'size':
      return units.formatBytes(actual);
    case 'rate':
      return units.formatRate(actual);
    case 'money':
      return units.formatUSD(actual);
    case 'count':
      return Number.isFinite(actual) ? String(actual) : '—';
  }
}

/**
 * The k6-style block: per variant, one ✓/✗ line per threshold naming metric, expression and actual
 * value. Colour is optional; the marks carry the meaning without it.
 */
export function renderThresholds(outcomes: readonly ThresholdOutcome[], color = false): string {
  if (outcomes.length === 0) return '';
  const paint = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[39m` : s);
  const width = Math.max(...outcomes.map((o) => `${o.metric} ${o.expression}`.length));
  const lines = ['thresholds'];
  let current: string | undefined;
  for (const o of outcomes) {
    if (o.variant !== current) {
      lines.push(`  ${o.variant}`);
      current = o.variant;
    }
    const mark = o.ok ? paint(32, '✓') : paint(31, '✗');
    const what = `${o.metric} ${o.expression}`;
    lines.push(`    ${mark} ${what}${' '.repeat(width - what.length)}  actual ${formatActual(o.metric, o.actual)}`);
  }
  const failed = outcomes.filter((o) => !o.ok).length;
  lines.push(failed === 0 ? `  all ${outcomes.length} passed` : `  ${failed} of ${outcomes.length} failed`);
  return lines.join('\n') + '\n';
}
