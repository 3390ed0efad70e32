/**
 * Sweeps: `--param NAME=V1,V2,…` or `--param NAME=FROM..TO:xK` / `:+K` (hyperfine's -L and -P), the
 * cartesian product of every parameter (first parameter slowest), one RunResult per point, a tidy CSV
 * (`parameter_<name>` columns, one row per point × variant) and the crossover answer: along each
 * parameter, with the others fixed, where one variant starts beating another on each criterion.
 */
import { rolloutSeconds } from '../metrics/result.ts';
import { stringify } from 'csv-stringify/sync';
import type { RunResult } from '../metrics/result.ts';
import { formatBytes, formatDuration, formatRate, formatUSD, parseDuration, parseRate, parseSize } from '../scenario/units.ts';
import { renderJson } from './json.ts';
import { CRITERIA } from './compare.ts';
import { formatHalfWidth, pairedStats } from './replications.ts';
import type { VariantResult } from '../metrics/result.ts';
import { checkedColumns, csvRows, guardFormula, metricCells } from './csv.ts';
import { escapeMarkdown, markdownCode } from './markdown.ts';

export interface SweepParameter {
  /** A scenario path as `--set` takes it, e.g. cluster.nodes. */
  name: string;
  /** Values as `--set` takes them (YAML scalars): "100", "10MB". */
  values: string[];
}

/** A `--param` the user got wrong: the message says how to write it (hyperfine habit). */
export class SweepParameterError extends Error {}

const MAX_VALUES = 1000;

export function parseSweepParameter(arg: string): SweepParameter {
  const eq = arg.indexOf('=');
  if (eq <= 0 || eq === arg.length - 1) {
    throw new SweepParameterError(`--param ${JSON.stringify(arg)} needs NAME=VALUES, e.g. --param cluster.nodes=100,500,1000 or --param cluster.nodes=100..10000:x2`);
  }
  const name = arg.slice(0, eq).trim();
  const spec = arg.slice(eq + 1).trim();
  const range = /^(-?[\d.]+(?:e\d+)?)\.\.(-?[\d.]+(?:e\d+)?)(?::([x+])([\d.]+(?:e\d+)?))?$/.exec(spec);
  if (!range) {
    const values = spec.split(',').map((v) => v.trim());
    if (values.some((v) => v === '')) throw new SweepParameterError(`--param ${name}: an empty value in ${JSON.stringify(spec)}; separate values with single commas`);
    if (new Set(values).size !== values.length) throw new SweepParameterError(`--param ${name}: a value is listed twice in ${JSON.stringify(spec)}`);
    return { name, values };
  }
  const from = Number(range[1]);
  const to = Number(range[2]);
  if (!(from <= to)) throw new SweepParameterError(`--param ${name}: the range ${spec} runs backwards; write FROM..TO with FROM ≤ TO`);
  const kind = range[3] ?? (Number.isInteger(from) && Number.isInteger(to) ? '+' : undefined);
  if (!kind) throw new SweepParameterError(`--param ${name}: a step is required for a range of decimals; add :+STEP or :xFACTOR, e.g. ${spec}:+0.5`);
  const step = range[4] !== undefined ? Number(range[4]) : 1;
  if (kind === 'x' && !(step > 1 && from > 0)) throw new SweepParameterError(`--param ${name}: a multiplying range needs FROM > 0 and a factor > 1, e.g. 100..10000:x2`);
  if (kind === '+' && !(step > 0)) throw new SweepParameterError(`--param ${name}: the step must be positive, e.g. ${range[1]}..${range[2]}:+10`);
  const values: string[] = [];
  // Integer-index stepping (not repeated addition), so 0..1:+0.1 does not drift past its end.
  for (let i = 0; ; i++) {
    const v = kind === 'x' ? from * step ** i : from + i * step;
    if (v > to * (1 + 1e-12)) break;
    values.push(String(Number(v.toPrecision(12))));
    if (values.length > MAX_VALUES) throw new SweepParameterError(`--param ${name}: ${spec} has more than ${MAX_VALUES} values; use a larger step`);
  }
  return { name, values };
}

/** Every combination, the first parameter varying slowest (hyperfine's order). */
export function cartesian(params: readonly SweepParameter[]): Record<string, string>[] {
  let points: Record<string, string>[] = [{}];
  for (const p of params) points = points.flatMap((pt) => p.values.map((v) => ({ ...pt, [p.name]: v })));
  return points;
}

export interface SweepPoint {
  /** Position in the full cartesian product (0-based), so shards can be merged back in order. */
  index: number;
  parameters: Record<string, string>;
  result: RunResult;
}

export interface SweepResult {
  schemaVersion: 1;
  kind: 'sweep';
  tool: RunResult['tool'];
  scenario: { name: string };
  /** Identifies the sweep's definition (scenario bytes, overrides, grid, replications); equal on every shard. */
  fingerprint: string;
  parameters: SweepParameter[];
  /** Runs per variant at every point (absent: 1). */
  replications?: number;
  /** Present on one slice of a sharded sweep (`--shard i/n`); absent on a whole or merged sweep. */
  shard?: { index: number; count: number };
  points: SweepPoint[];
  /** Computed on whole sweeps only (a shard's points are not neighbours); `merge` recomputes them. */
  crossovers: Crossover[];
}

/**
 * A parameter value as a number for interpolation and charts (plain numbers, sizes, durations or rates),
 * its formatter and the unit of `value` (base units: bytes, seconds, bytes/s; "" for a plain number).
 */
export function numericValue(v: string): { value: number; format: (x: number) => string; unit: string } | undefined {
  if (/^-?\d+(\.\d+)?(e\d+)?$/.test(v)) return { value: Number(v), format: (x) => String(Number(x.toPrecision(3))), unit: '' };
  const quantities: [(s: string) => number, (x: number) => string, string][] = [
    [parseSize, formatBytes, 'bytes'],
    [parseDuration, formatDuration, 's'],
    [parseRate, formatRate, 'bytes/s'],
  ];
  for (const [parse, format, unit] of quantities) {
    try {
      return { value: parse(v), format, unit };
    } catch {
      // not this quantity; try the next
    }
  }
  return undefined;
}

export interface Crossover {
  /** The criterion's measure, e.g. "rollout p99". */
  measure: string;
  parameter: string;
  /** The other parameters' values along this line. */
  at: Record<string, string>;
  /** The variant that is better after the crossing (at the larger parameter value). */
  winner: string;
  loser: string;
  /** The two neighbouring values the sign change falls between. */
  between: [string, string];
  /** Linear interpolation of the crossing in base units, when both values are numeric. */
  estimate?: number;
  /** The estimate in the parameter's own units, e.g. "3.92 MB". */
  estimateText?: string;
  /**
   * With replications: true when, at both neighbouring points, the 95 % CI of the paired (same-seed)
   * difference excludes zero on its side; false means the crossing may be noise.
   */
  clear?: boolean;
}

/** For each parameter line, criterion and pair of variants: where their difference changes sign. */
export function findCrossovers(params: readonly SweepParameter[], points: readonly SweepPoint[]): Crossover[] {
  const out: Crossover[] = [];
  const key = (p: Record<string, string>, skip: string) =>
    params
      .filter((q) => q.name !== skip)
      .map((q) => `${q.name}=${p[q.name]}`)
      .join('\u0000');
  for (const param of params) {
    if (param.values.length < 2) continue;
    const lines = new Map<string, SweepPoint[]>();
    for (const pt of points) {
      const k = key(pt.parameters, param.name);
      lines.set(k, [...(lines.get(k) ?? []), pt]);
    }
    for (const line of lines.values()) {
      const at: Record<string, string> = {};
      for (const q of params) if (q.name !== param.name) at[q.name] = line[0].parameters[q.name];
      const names = line[0].result.variants.map((v) => v.name);
      for (const c of CRITERIA) {
        for (let a = 0; a < names.length; a++) {
          for (let b = a + 1; b < names.length; b++) {
            const diff = line.map((pt) => c.get(pt.result.variants[a].metrics) - c.get(pt.result.variants[b].metrics));
            for (let i = 1; i < line.length; i++) {
              const d0 = diff[i - 1];
              const d1 = diff[i];
              if (!Number.isFinite(d0) || !Number.isFinite(d1) || d0 === 0 || d1 === 0 || Math.sign(d0) === Math.sign(d1)) continue;
              const v0 = line[i - 1].parameters[param.name];
              const v1 = line[i].parameters[param.name];
              const x0 = numericValue(v0);
              const x1 = numericValue(v1);
              // Lower is better: after the crossing the variant with the negative difference wins.
              const winner = d1 < 0 ? names[a] : names[b];
              const loser = d1 < 0 ? names[b] : names[a];
              const before = pairedStats(line[i - 1].result.variants[a], line[i - 1].result.variants[b], c.get, (x, y) => x - y);
              const after = pairedStats(line[i].result.variants[a], line[i].result.variants[b], c.get, (x, y) => x - y);
              const excludesZero = (s: typeof before, sign: number) => s !== undefined && (sign < 0 ? s.ci95[1] < 0 : s.ci95[0] > 0);
              out.push({
                measure: c.measure,
                parameter: param.name,
                at,
                winner,
                loser,
                between: [v0, v1],
                ...(x0 !== undefined && x1 !== undefined ? interpolate(x0.value, x1.value, d0, d1, x0.format) : {}),
                ...(before && after ? { clear: excludesZero(before, Math.sign(d0)) && excludesZero(after, Math.sign(d1)) } : {}),
              });
            }
          }
        }
      }
    }
  }
  return out;
}

/** Where the straight line between (x0, d0) and (x1, d1) crosses zero. */
function interpolate(x0: number, x1: number, d0: number, d1: number, format: (x: number) => string): { estimate: number; estimateText: string } {
  const estimate = x0 + ((x1 - x0) * d0) / (d0 - d1);
  return { estimate, estimateText: format(estimate) };
}

export function crossoverSentence(c: Crossover): string {
  const at = Object.entries(c.at).map(([k, v]) => `${k}=${v}`);
  const est = c.estimateText !== undefined ? ` (≈ ${c.estimateText})` : '';
  const noise = c.clear === false ? ' (within the noise of the replications)' : '';
  return `${c.winner} beats ${c.loser} on ${c.measure} from ${c.parameter} between ${c.between[0]} and ${c.between[1]}${est}${at.length ? ` at ${at.join(', ')}` : ''}${noise}`;
}

/**
 * The tidy table: one row per point × variant × replication (each run an observation), the parameters
 * first as `parameter_<name>` columns (hyperfine's export names), then the seed, then every metric
 * flattened as in the run CSV. Means and CIs per point are in the JSON and the HTML.
 */
export function renderSweepCsv(sweep: SweepResult): string {
  const paramCols = sweep.parameters.map((p) => `parameter_${p.name.replace(/\./g, '_')}`);
  const rows = sweep.points.flatMap((pt) => csvRows(pt.result).map((row) => ({ pt, row })));
  const metrics = rows.map(({ row }) => row.metrics as unknown as Record<string, unknown>);
  const replicated = rows.some(({ row }) => row.replication !== undefined);
  const leading = [...paramCols, 'variant', 'seed', ...(replicated ? ['replication'] : [])];
  const columns = checkedColumns(metrics, leading);
  const body = rows.map(({ pt, row }, i) => [
    ...sweep.parameters.map((p) => {
      const value = pt.parameters[p.name];
      return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : guardFormula(value);
    }),
    guardFormula(row.variant.name),
    row.seed,
    ...(replicated ? [row.replication ?? ''] : []),
    ...metricCells(metrics[i], columns),
  ]);
  return stringify([[...leading, ...columns.map((c) => c.name)].map(guardFormula), ...body], { record_delimiter: 'unix', eof: true });
}

/** The sweep as JSON: each point's result in RunResult's canonical key order (see json.ts). */
export function renderSweepJson(sweep: SweepResult): string {
  const doc = {
    schemaVersion: sweep.schemaVersion,
    kind: sweep.kind,
    tool: sweep.tool,
    scenario: sweep.scenario,
    fingerprint: sweep.fingerprint,
    parameters: sweep.parameters,
    ...(sweep.replications ? { replications: sweep.replications } : {}),
    ...(sweep.shard ? { shard: sweep.shard } : {}),
    points: sweep.points.map((p) => ({ index: p.index, parameters: p.parameters, result: JSON.parse(renderJson(p.result)) as unknown })),
    crossovers: sweep.crossovers,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** Rollout p99 as the grid shows it: the mean and, when replicated, its 95 % CI half-width. */
function p99Cell(v: VariantResult): string {
  const s = v.replicated?.['rollout_s.p99'];
  const pm = s && s.n > 1 ? formatHalfWidth(s, formatDuration) : '';
  return `${formatDuration(rolloutSeconds(v.metrics, 'p99'))}${pm ? ` ${pm}` : ''}`;
}

/** Terminal table: one row per point, rollout p99 and cost per day per variant; then the crossovers. */
export function renderSweepSummary(sweep: SweepResult): string {
  const first = sweep.points[0]?.result;
  if (!first) return '(no points)\n';
  const names = first.variants.map((v) => v.name);
  const head = [...sweep.parameters.map((p) => p.name), ...names.flatMap((n) => [`${n} p99`, `${n} $/day`])];
  const rows = sweep.points.map((pt) => [
    ...sweep.parameters.map((p) => pt.parameters[p.name]),
    ...pt.result.variants.flatMap((v) => [p99Cell(v), formatUSD(v.metrics.cost_usd_per_day)]),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((x, c) => (c < sweep.parameters.length ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ').trimEnd();
  const reps = sweep.replications ? ` × ${sweep.replications} replications (± 95 % CI)` : '';
  const out = [`pullsim ${sweep.tool.version} · sweep of ${sweep.scenario.name} · ${sweep.points.length} points${reps}`, '', line(head), ...rows.map(line), ''];
  if (sweep.shard) out.push(`Shard ${sweep.shard.index}/${sweep.shard.count}: crossovers need the whole grid; join the shards' --json files with pullsim merge.`);
  else if (sweep.crossovers.length === 0) out.push('No crossovers: the ranking of the variants does not change over the swept range.');
  else {
    out.push('Crossovers');
    for (const c of sweep.crossovers) out.push(`  ${crossoverSentence(c)}`);
  }
  return out.join('\n') + '\n';
}

/**
 * `--shard i/n` (1-based); `--shard n` with i from JOB_COMPLETION_INDEX (0-based, as a Kubernetes
 * Indexed Job sets it); or `--shard auto`, which also takes n from JOB_COMPLETION_COUNT (set it in the
 * Job's env to the same number as `completions`). Points go round-robin (index % n), so slow and fast
 * regions of the grid spread evenly over the shards.
 */
export function parseShard(arg: string, env: Record<string, string | undefined>): { index: number; count: number } {
  const both = /^(\d+)\/(\d+)$/.exec(arg);
  const countOnly = /^(\d+)$/.exec(arg);
  const jobIndex = (what: string) => {
    const job = env.JOB_COMPLETION_INDEX;
    if (job === undefined || !/^\d+$/.test(job)) {
      throw new SweepParameterError(`--shard ${what} takes its index from JOB_COMPLETION_INDEX, which is ${job === undefined ? 'not set' : `"${job}"`}; outside a Kubernetes Indexed Job write --shard i/n (1-based)`);
    }
    return Number(job) + 1;
  };
  let index: number;
  let count: number;
  if (both) {
    index = Number(both[1]);
    count = Number(both[2]);
  } else if (countOnly) {
    index = jobIndex(arg);
    count = Number(countOnly[1]);
  } else if (arg === 'auto') {
    const n = env.JOB_COMPLETION_COUNT;
    if (n === undefined || !/^\d+$/.test(n)) {
      throw new SweepParameterError(`--shard auto takes the shard count from JOB_COMPLETION_COUNT, which is ${n === undefined ? 'not set' : `"${n}"`}; set it in the Job's env to the Job's completions, or write --shard N`);
    }
    index = jobIndex('auto');
    count = Number(n);
  } else {
    throw new SweepParameterError(`--shard ${JSON.stringify(arg)} must be i/n (e.g. 1/4), n inside a Kubernetes Indexed Job, or auto (JOB_COMPLETION_INDEX and JOB_COMPLETION_COUNT)`);
  }
  if (!(count >= 1 && index >= 1 && index <= count)) throw new SweepParameterError(`--shard ${index}/${count}: the index must be from 1 to ${Math.max(1, count)}`);
  return { index, count };
}

/** Joins shard outputs into the whole sweep: same scenario and grid, every point exactly once. */
export function mergeSweeps(parts: readonly SweepResult[]): SweepResult {
  if (parts.length === 0) throw new SweepParameterError('merge needs at least one sweep JSON');
  const first = parts[0];
  const grid = JSON.stringify(first.parameters);
  for (const p of parts) {
    if (p.kind !== 'sweep') throw new SweepParameterError('merge joins sweep results (pullsim sweep --json); one of the files is not one');
    if (p.scenario.name !== first.scenario.name || JSON.stringify(p.parameters) !== grid) {
      throw new SweepParameterError(`the shards come from different sweeps (scenario ${JSON.stringify(p.scenario.name)} vs ${JSON.stringify(first.scenario.name)}, or other --param values)`);
    }
    if (p.fingerprint !== first.fingerprint) {
      throw new SweepParameterError(
        `the shards come from different sweeps (fingerprints ${p.fingerprint} and ${first.fingerprint}): every shard must run the same scenario file, --set, --param, --replications and --variant`,
      );
    }
    if (p.tool.version !== first.tool.version) throw new SweepParameterError(`the shards were made by different pullsim versions (${p.tool.version} and ${first.tool.version})`);
  }
  const total = cartesian(first.parameters).length;
  const byIndex = new Map<number, SweepPoint>();
  for (const p of parts) {
    for (const pt of p.points) {
      if (byIndex.has(pt.index)) throw new SweepParameterError(`point ${pt.index} appears in two shards; merge each shard once`);
      byIndex.set(pt.index, pt);
    }
  }
  const missing = Array.from({ length: total }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    throw new SweepParameterError(`${missing.length} of ${total} points are missing (e.g. point ${missing[0]}); merge every shard of the sweep`);
  }
  const points = [...byIndex.values()].sort((a, b) => a.index - b.index);
  return {
    schemaVersion: 1,
    kind: 'sweep',
    tool: first.tool,
    scenario: first.scenario,
    fingerprint: first.fingerprint,
    parameters: first.parameters,
    ...(first.replications ? { replications: first.replications } : {}),
    points,
    crossovers: findCrossovers(first.parameters, points),
  };
}

/** The sweep as Markdown: crossovers, then the grid with rollout p99 and cost per day per variant. */
export function renderSweepMarkdown(sweep: SweepResult): string {
  const e = escapeMarkdown;
  const names = sweep.points[0]?.result.variants.map((v) => v.name) ?? [];
  const head = [...sweep.parameters.map((p) => markdownCode(p.name)), ...names.flatMap((n) => [`${e(n)} p99`, `${e(n)} $/day`])];
  const lines = [`# Sweep of ${e(sweep.scenario.name)}`, '', `${e(`${sweep.tool.name} ${sweep.tool.version}`)} · ${sweep.points.length} points${sweep.replications ? ` × ${sweep.replications} replications (± is the 95 % CI)` : ''}`, '', '## Crossovers', ''];
  if (sweep.shard) lines.push(`Shard ${sweep.shard.index}/${sweep.shard.count}: merge the shards for crossovers.`);
  else if (sweep.crossovers.length === 0) lines.push('The ranking of the variants does not change over the swept range.');
  else lines.push(...sweep.crossovers.map((c) => `- ${e(crossoverSentence(c))}`));
  lines.push('', '## Grid', '', `| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i < sweep.parameters.length ? ':---' : '---:')).join(' | ')} |`);
  for (const pt of sweep.points) {
    const cells = [
      ...sweep.parameters.map((p) => e(pt.parameters[p.name])),
      ...pt.result.variants.flatMap((v) => [p99Cell(v), formatUSD(v.metrics.cost_usd_per_day)]),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}
