/**
 * The comparison a decision meeting wants from a RunResult: which variant wins on latency, cost, registry
 * load and robustness, and hyperfine-style relative lines ("ecr finished rollouts 8.03× faster than
 * dockerhub, at 1.01× the cost"). Reads only RunResult; shared by the terminal, HTML and Markdown.
 */
import type { MetricStats, RunResult, VariantMetrics } from '../metrics/result.ts';
import { rolloutSeconds } from '../metrics/result.ts';
import { formatBytes, formatDuration, formatUSD } from '../scenario/units.ts';
import { formatHalfWidth, pairedStats } from './replications.ts';

export type Criterion = 'latency' | 'cost' | 'registry load' | 'robustness';

export interface Verdict {
  criterion: Criterion;
  /** What is compared, e.g. "rollout p99". */
  measure: string;
  /** Winning variant names (several on a tie); empty when every variant ties. */
  winners: string[];
  /** The winner's value, formatted. */
  value: string;
  /** Every variant's value, formatted, in variant order. */
  values: string[];
  /** Every variant's value in base units (NaN where it has none, e.g. no rollout finished). */
  numbers: number[];
  /** With replications: each variant's 95 % CI half-width, formatted ("" without). */
  plusMinus: string[];
  /** The best variant that did not win (absent on a tie or with one variant). */
  runnerUp?: string;
  /** The runner-up's value, formatted and in base units. */
  runnerUpValue?: string;
  runnerUpNumber?: number;
  /**
   * With replications: whether the 95 % CI of the paired (same-seed) difference between the winner and
   * the runner-up excludes zero. false means the lead is within the noise of R runs.
   */
  clear?: boolean;
}

interface CriterionDef {
  criterion: Criterion;
  measure: string;
  /** The metric's dotted path in VariantResult.replicated. */
  path: string;
  get: (m: VariantMetrics) => number;
  format: (x: number) => string;
}

/**
 * Rollout p99, or NaN when releases were published but none finished (rollout_s then reads 0, which must
 * not win: a variant whose pulls all failed is not the fastest).
 */
export function rolloutP99(m: VariantMetrics): number {
  return rolloutSeconds(m, 'p99');
}

export const CRITERIA: readonly CriterionDef[] = [
  { criterion: 'latency', measure: 'rollout p99', path: 'rollout_s.p99', get: rolloutP99, format: formatDuration },
  { criterion: 'cost', measure: 'cost per day', path: 'cost_usd_per_day', get: (m) => m.cost_usd_per_day, format: formatUSD },
  { criterion: 'registry load', measure: 'registry egress', path: 'registry_egress_bytes', get: (m) => m.registry_egress_bytes, format: formatBytes },
  { criterion: 'robustness', measure: 'failed pulls', path: 'pulls_failed', get: (m) => m.pulls_failed, format: (x) => String(x) },
];

/** Lower is better for every criterion; a variant with no finite value never wins. */
export function verdicts(result: RunResult): Verdict[] {
  return CRITERIA.map((c) => {
    const xs = result.variants.map((v) => c.get(v.metrics));
    const finite = xs.filter(Number.isFinite);
    const min = finite.length > 0 ? Math.min(...finite) : NaN;
    // Values that print the same are a tie: a verdict must not hang on a difference nobody can see.
    const shown = xs.map(c.format);
    const best = c.format(min);
    const tie = finite.length === xs.length && shown.every((x) => x === best);
    const winners = tie || result.variants.length < 2 || !Number.isFinite(min) ? [] : result.variants.filter((_, i) => shown[i] === best).map((v) => v.name);
    const plusMinus = result.variants.map((v) => {
      const s = v.replicated?.[c.path];
      return s && s.n > 1 ? formatHalfWidth(s, c.format) : '';
    });
    const verdict: Verdict = { criterion: c.criterion, measure: c.measure, winners, value: c.format(min), values: shown, numbers: xs, plusMinus };
    if (winners.length > 0) {
      // The runner-up: the lowest finite value among the variants that did not win.
      const rest = result.variants.map((v, i) => ({ v, x: xs[i] })).filter(({ v, x }) => !winners.includes(v.name) && Number.isFinite(x));
      if (rest.length > 0) {
        const up = rest.reduce((a, b) => (b.x < a.x ? b : a));
        verdict.runnerUp = up.v.name;
        verdict.runnerUpValue = c.format(up.x);
        verdict.runnerUpNumber = up.x;
        const winner = result.variants.find((v) => v.name === winners[0])!;
        const diff = pairedStats(winner, up.v, c.get, (a, b) => a - b);
        if (diff) verdict.clear = diff.ci95[1] < 0;
      }
    }
    return verdict;
  });
}

export interface Relative {
  winner: string;
  other: string;
  /** other's rollout p99 / winner's: how many times faster the winner finished. */
  speedup: number;
  /** winner's cost per day / other's. */
  costRatio: number;
  /**
   * With replications: the speedup is the mean of the per-replication ratios (each pair ran on the same
   * seeds) and this is the half-width of its 95 % confidence interval.
   */
  speedupHalfWidth?: number;
}

/** The fastest variant (rollout p99) against each other variant. */
export function relatives(result: RunResult): Relative[] {
  const vs = result.variants.filter((v) => rolloutP99(v.metrics) > 0);
  if (vs.length < 2) return [];
  const best = vs.reduce((a, b) => (rolloutP99(b.metrics) < rolloutP99(a.metrics) ? b : a));
  return vs
    .filter((v) => v !== best)
    .map((v) => {
      const paired: MetricStats | undefined = pairedStats(v, best, rolloutP99, (a, b) => a / b);
      return {
        winner: best.name,
        other: v.name,
        speedup: paired ? paired.mean : rolloutP99(v.metrics) / rolloutP99(best.metrics),
        costRatio: v.metrics.cost_usd_per_day > 0 ? best.metrics.cost_usd_per_day / v.metrics.cost_usd_per_day : NaN,
        ...(paired ? { speedupHalfWidth: (paired.ci95[1] - paired.ci95[0]) / 2 } : {}),
      };
    });
}

/** 3 significant digits, like hyperfine's ratios: 8.03×, 16.8×, 0.380×. */
export function formatRatio(x: number): string {
  if (!Number.isFinite(x)) return '—';
  return `${x >= 1000 ? Math.round(x).toString() : x.toPrecision(3)}×`;
}

export function relativeSentence(r: Relative): string {
  const cost = Number.isFinite(r.costRatio) ? `, at ${formatRatio(r.costRatio)} the cost` : '';
  let ratio = formatRatio(r.speedup);
  if (r.speedupHalfWidth !== undefined && Number.isFinite(r.speedup) && r.speedup < 1000) {
    // The ± gets as many decimals as the ratio, as hyperfine prints "1.23 ± 0.05 times".
    const shown = r.speedup.toPrecision(3);
    const pm = r.speedupHalfWidth.toFixed((shown.split('.')[1] ?? '').length);
    // A half-width that rounds to nothing at the ratio's precision is left out, not printed as "± 0.00".
    if (Number(pm) > 0) ratio = `${shown} ± ${pm}×`;
  }
  return `${r.winner} finished rollouts ${ratio} faster than ${r.other}${cost}`;
}

/** The terminal block after the summary table: relative lines, then one line per criterion. */
export function renderComparison(result: RunResult, color = false): string {
  const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[22m` : s);
  const lines: string[] = [];
  const rel = relatives(result);
  if (rel.length > 0) {
    lines.push(bold('Summary'));
    for (const r of rel) lines.push(`  ${relativeSentence(r)}`);
  }
  const vs = verdicts(result);
  if (result.variants.length > 1) {
    lines.push(bold('Best per criterion'));
    const w = Math.max(...vs.map((v) => v.criterion.length));
    for (const v of vs) {
      const noise = v.clear === false ? `; within the noise of ${result.replications} replications` : '';
      const who = v.winners.length === 0 ? 'tie' : `${v.winners.join(', ')} (${v.measure} ${v.value}${v.runnerUp ? ` vs ${v.runnerUp} ${v.runnerUpValue}` : ''}${noise})`;
      lines.push(`  ${v.criterion}${' '.repeat(w - v.criterion.length)}  ${who}`);
    }
  }
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}
