/**
 * Replications: the same variant run R times from R derived seeds; each numeric metric gets its mean,
 * sample standard deviation and a Student-t 95 % confidence interval of the mean (simple-statistics for
 * the moments). Reads and writes only metric values; running the replications is run.ts's job.
 */
import { mean, sampleStandardDeviation } from 'simple-statistics';
import type { MetricStats, RunResult, VariantMetrics, VariantResult } from '../metrics/result.ts';
import { formatBytes, formatDuration, formatUSD } from '../scenario/units.ts';

/**
 * The seed of replication r: r = 0 keeps the scenario's seed (so R = 1 is the plain run); later ones are
 * a splitmix32-style hash of (seed, r), so seeds are spread out yet reproducible on every platform.
 */
export function replicationSeed(seed: number, r: number): number {
  if (r === 0) return seed;
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(r, 0xc2b2ae35)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 1; // non-negative 31-bit, as the schema's seed is
}

/** Two-sided 95 % Student-t critical values t(0.975, df) for df = 1…30 (standard tables). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093,
  2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t(0.975, df): the table up to 30, then the Cornish-Fisher expansion around the normal quantile. */
export function tCritical975(df: number): number {
  if (df < 1) return NaN;
  if (df <= 30) return T975[Math.floor(df) - 1];
  // simple-statistics' probit(0.975) is 1.957 (an erf approximation); the exact quantile matters here.
  const z = 1.959963984540054;
  const z3 = z ** 3;
  const z5 = z ** 5;
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df);
}

/** Equal samples (a metric the seed does not move) average to themselves exactly, not to float noise. */
function exactMean(xs: readonly number[]): number {
  return xs.every((x) => x === xs[0]) ? xs[0] : mean(xs as number[]);
}

export function metricStats(xs: readonly number[]): MetricStats {
  const n = xs.length;
  const m = exactMean(xs);
  if (n < 2 || xs.every((x) => x === xs[0])) return { n, mean: m, sd: 0, ci95: [m, m] };
  const sd = sampleStandardDeviation(xs as number[]);
  const half = (tCritical975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean: m, sd, ci95: [m - half, m + half] };
}

/**
 * Statistics of a per-replication combination of two variants' runs (a − b, a / b). Replication r of
 * every variant ran on the same seeds (common random numbers), so pairing them cancels the shared noise:
 * the interval of the paired difference is what says whether one variant really beats the other.
 * Undefined without at least two paired runs, or when a run's value is not finite.
 */
export function pairedStats(
  a: VariantResult,
  b: VariantResult,
  get: (m: VariantMetrics) => number,
  combine: (x: number, y: number) => number,
): MetricStats | undefined {
  if (!a.runs || !b.runs || a.runs.length !== b.runs.length || a.runs.length < 2) return undefined;
  const xs = a.runs.map((r, i) => combine(get(r.metrics), get(b.runs![i].metrics)));
  return xs.every(Number.isFinite) ? metricStats(xs) : undefined;
}

/**
 * "± 1.2 s": the CI half-width in the metric's units. A width below a billionth of the mean is float
 * noise from averaging equal values (a deterministic metric), shown as an exact "± 0".
 */
export function formatHalfWidth(s: MetricStats, format: (x: number) => string): string {
  const half = (s.ci95[1] - s.ci95[0]) / 2;
  if (!Number.isFinite(half)) return '';
  return half <= 1e-9 * Math.abs(s.mean) || half === 0 ? '± 0' : `± ${format(half)}`;
}

/** Every numeric leaf of the metrics by dotted path (`rollout_s.p99`, `cost_usd.nat_hours`). */
export function flattenMetrics(m: VariantMetrics): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (o: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'number') out.set(prefix + k, v);
      else if (v !== null && typeof v === 'object') walk(v as Record<string, unknown>, `${prefix}${k}.`);
    }
  };
  walk(m as unknown as Record<string, unknown>, '');
  return out;
}

/** Paths in a stable order: first-seen over the list (a map key missing in one replication counts as 0). */
function allPaths(list: readonly VariantMetrics[]): { paths: string[]; flat: Map<string, number>[] } {
  const flat = list.map(flattenMetrics);
  const seen = new Set<string>();
  for (const f of flat) for (const k of f.keys()) seen.add(k);
  return { paths: [...seen], flat };
}

export function replicatedStats(list: readonly VariantMetrics[]): Record<string, MetricStats> {
  const { paths, flat } = allPaths(list);
  const out: Record<string, MetricStats> = {};
  for (const p of paths) out[p] = metricStats(flat.map((f) => f.get(p) ?? 0));
  return out;
}

/** The metrics with every numeric leaf replaced by its mean over the replications. */
export function meanMetrics(list: readonly VariantMetrics[]): VariantMetrics {
  const { paths, flat } = allPaths(list);
  const copy = structuredClone(list[0]) as unknown as Record<string, unknown>;
  for (const p of paths) {
    const keys = p.split('.');
    let o = copy;
    for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
    o[keys[keys.length - 1]] = exactMean(flat.map((f) => f.get(p) ?? 0));
  }
  return copy as unknown as VariantMetrics;
}

const SHOWN: [string, string, (x: number) => string][] = [
  ['rollout_s.p50', 'rollout p50', formatDuration],
  ['rollout_s.p99', 'rollout p99', formatDuration],
  ['registry_egress_bytes', 'registry egress', formatBytes],
  ['cost_usd_per_day', 'cost per day', formatUSD],
];

/** Terminal lines: mean ± half-width of the 95 % CI for the headline metrics of each variant. */
export function renderReplications(result: RunResult): string {
  if (!result.replications || result.replications < 2) return '';
  const lines = [`${result.replications} replications per variant: mean ± 95 % confidence interval (Student t)`];
  for (const v of result.variants) {
    const stats = v.replicated ?? {};
    const parts = SHOWN.filter(([p]) => stats[p]).map(([p, label, f]) => {
      const s = stats[p];
      return `${label} ${f(s.mean)} ${formatHalfWidth(s, f)}`;
    });
    lines.push(`  ${v.name}: ${parts.join(', ')}`);
  }
  return lines.join('\n') + '\n';
}
