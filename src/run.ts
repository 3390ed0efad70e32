/**
 * The library's verbs: load a scenario (file → validated variants), simulate it (→ RunResult) and sweep
 * it over a parameter grid (→ SweepResult). Every verb is plan → execute → assemble: the plan lists one
 * task per (variant, replication[, point]); tasks run here or on the worker pool (parallel/pool.ts);
 * assembling reads the outputs in plan order, so serial and parallel runs give byte-identical results.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ScenarioError } from './scenario/errors.ts';
import { loadScenarioFile, validateScenario } from './scenario/loader.ts';
import { resolveScenario, type ResolvedScenario } from './scenario/resolve.ts';
import type { ReplicationRun, RunResult, VariantMetrics, VariantResult } from './metrics/result.ts';
import { describeScenario, pricesOf } from './report/assumptions.ts';
import { evaluateThresholds, parseThresholds } from './report/thresholds.ts';
import { meanMetrics, replicatedStats, replicationSeed } from './report/replications.ts';
import { cartesian, findCrossovers, type SweepParameter, type SweepPoint, type SweepResult } from './report/sweep.ts';
import { runHere, runTasks, type PoolOptions } from './parallel/pool.ts';
import type { SimOutput, SimTask } from './parallel/task.ts';
import { VERSION } from './version.ts';

/** Reads, parses, overrides (`--set path=value`) and validates a scenario; throws ScenarioError with every issue. */
export async function loadScenario(file: string, sets: readonly string[] = []): Promise<ResolvedScenario> {
  const r = await loadScenarioFile(file, sets, (raw, locate) => resolveScenario(raw, locate, validateScenario));
  if (!r.ok) throw new ScenarioError(r.issues);
  return r.value;
}

export interface SimulateScenarioOptions {
  timing?: boolean;
  maxEvents?: number;
  /**
   * Runs per variant (default: the scenario's `replications:`, else 1). Replication r uses
   * replicationSeed(seed, r) for every variant, so variants are compared on common random numbers;
   * metrics become means, `replicated` holds mean, sd and 95 % CI per metric and `runs` each run.
   */
  replications?: number;
  /** Give each variant its own seeds instead of common random numbers (to measure what CRN buys). */
  independentSeeds?: boolean;
  /** Receives every replication's metrics, in variant then replication order. */
  onReplication?: (variant: string, replication: number, metrics: VariantMetrics) => void;
  /**
   * Record each variant's time series (`series` in the result; default true). Only the JSON export and
   * the HTML report hold them; without them a run keeps no clock in its collector and is a few per cent
   * cheaper. Never changes a metric.
   */
  series?: boolean;
}

export interface ParallelOptions extends SimulateScenarioOptions {
  /** Worker threads (default one per core; 1 runs in this thread). Never changes the result. */
  jobs?: number;
  /** Called as runs complete: done of total (progress display). */
  onProgress?: (done: number, total: number) => void;
  /** Aborting it stops the batch (Ctrl-C, --max-wall); the call then rejects with its reason. */
  signal?: AbortSignal;
  /** Heap one run needs, MiB (from the memory estimate): see PoolOptions.heapMb. */
  heapMb?: number;
}

/** Which variant and replication a task is, and the seed it ran with. */
interface PlannedRun {
  variant: number;
  replication: number;
  seed: number;
}

function replicationsOf(scenario: ResolvedScenario, options: SimulateScenarioOptions): number {
  const r = options.replications ?? scenario.replications ?? 1;
  if (!Number.isInteger(r) || r < 1) throw new Error(`internal: replications must be a positive integer, got ${r}`);
  return r;
}

/** Variant-major, replication-minor; charts keep the first replication's series. */
function planRuns(scenario: ResolvedScenario, replications: number, options: SimulateScenarioOptions): { planned: PlannedRun[]; tasks: SimTask[] } {
  const independentSeeds = options.independentSeeds ?? false;
  const series = options.series ?? true;
  const planned: PlannedRun[] = [];
  const tasks: SimTask[] = [];
  scenario.variants.forEach((v, i) => {
    for (let r = 0; r < replications; r++) {
      const seed = replicationSeed(v.run.seed, independentSeeds ? r + i * replications : r);
      planned.push({ variant: i, replication: r, seed });
      tasks.push({ run: { ...v.run, seed }, first: r === 0, series: series && r === 0 });
    }
  });
  return { planned, tasks };
}

function assemble(
  scenario: ResolvedScenario,
  replications: number,
  planned: readonly PlannedRun[],
  outputs: readonly SimOutput[],
  options: SimulateScenarioOptions,
): RunResult {
  const thresholds = parseThresholds(scenario.thresholds);
  const result: RunResult = {
    schemaVersion: 1,
    tool: { name: 'pullsim', version: VERSION },
    scenario: {
      name: scenario.name,
      ...(scenario.description !== undefined ? { description: scenario.description } : {}),
      summary: describeScenario(scenario),
    },
    seed: scenario.seed,
    ...(replications > 1 ? { replications } : {}),
    variants: scenario.variants.map((v, i): VariantResult => {
      const mine = planned.flatMap((p, k) => (p.variant === i ? [{ p, out: outputs[k] }] : []));
      for (const { p, out } of mine) options.onReplication?.(v.name, p.replication, out.metrics);
      const runs = mine.map(({ out }) => out.metrics);
      const series = mine[0]?.out.series;
      const replicated = replications > 1;
      return {
        name: v.name,
        description: v.description,
        metrics: replicated ? meanMetrics(runs) : runs[0],
        ...(series ? { series } : {}),
        prices: pricesOf(v.run, mine[0]?.out.pricesUsed),
        ...(replicated ? { replicated: replicatedStats(runs) } : {}),
        ...(replicated ? { runs: mine.map(({ p, out }): ReplicationRun => ({ replication: p.replication, seed: p.seed, metrics: out.metrics })) } : {}),
      };
    }),
  };
  if (thresholds.length > 0) result.thresholds = evaluateThresholds(result, thresholds);
  return result;
}

/**
 * Runs every variant of a scenario in this thread, one after another, each from the same seeds and named
 * random streams (common random numbers: differences between variants are the strategies', not the dice's).
 */
export function simulate(scenario: ResolvedScenario, options: SimulateScenarioOptions = {}): RunResult {
  const replications = replicationsOf(scenario, options);
  const { planned, tasks } = planRuns(scenario, replications, options);
  return assemble(scenario, replications, planned, runHere(tasks, options), options);
}

/** `simulate` on the worker pool: the same result, sooner when there are several runs and cores. */
export async function simulateParallel(scenario: ResolvedScenario, options: ParallelOptions = {}): Promise<RunResult> {
  const replications = replicationsOf(scenario, options);
  const { planned, tasks } = planRuns(scenario, replications, options);
  return assemble(scenario, replications, planned, await runTasks(tasks, poolOptions(options)), options);
}

function poolOptions(o: ParallelOptions): PoolOptions {
  return { jobs: o.jobs, maxEvents: o.maxEvents, timing: o.timing, onProgress: o.onProgress, signal: o.signal, heapMb: o.heapMb };
}

export interface SweepOptions extends ParallelOptions {
  /** Keep only these variants at every point. */
  variants?: readonly string[];
  /** Run only this slice of the points (1-based index of count, round-robin). */
  shard?: { index: number; count: number };
  /** Called with every point's scenario once all are validated, before the first run (the memory check). */
  /** Called once every point is loaded, before the first run; may return the heap one run needs (MiB). */
  beforeRuns?: (scenarios: readonly ResolvedScenario[]) => { heapMb?: number } | void;
}

/**
 * Runs the scenario at every point of the parameters' cartesian product. Each point is the scenario
 * loaded with the point's values as `--set` overrides after the user's own, so a bad value is reported
 * like any override (file "--set"), and every point is validated before the first run starts. All runs
 * of all points go to the pool as one batch.
 */
/**
 * One sweep point: the user's --set overrides, then the point's values. A problem with a point's value
 * is reported as that --param (line i of the combined overrides is the i-th of them), not as a --set.
 */
async function loadPoint(file: string, sets: readonly string[], point: readonly string[]): Promise<ResolvedScenario> {
  try {
    return await loadScenario(file, [...sets, ...point]);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    throw new ScenarioError(e.issues.map((i) => (i.file === '--set' && i.line > sets.length ? { ...i, file: '--param' } : i)));
  }
}

export async function sweepScenario(
  file: string,
  sets: readonly string[],
  params: readonly SweepParameter[],
  options: SweepOptions = {},
): Promise<SweepResult> {
  const all = cartesian(params).map((parameters, index) => ({ index, parameters }));
  const shard = options.shard;
  const mine = shard ? all.filter((p) => p.index % shard.count === shard.index - 1) : all;
  const base = await loadScenario(file, sets);
  const scenarios: ResolvedScenario[] = [];
  for (const p of mine) {
    const s = await loadPoint(file, sets, Object.entries(p.parameters).map(([k, v]) => `${k}=${v}`));
    if (options.variants && options.variants.length > 0) s.variants = s.variants.filter((v) => options.variants!.includes(v.name));
    scenarios.push(s);
  }
  const replications = replicationsOf(base, options);
  const needs = options.beforeRuns?.(scenarios);
  const plans = scenarios.map((s) => planRuns(s, replications, options));
  const outputs = await runTasks(
    plans.flatMap((p) => p.tasks),
    poolOptions({ ...options, heapMb: needs?.heapMb ?? options.heapMb }),
  );
  let offset = 0;
  const points: SweepPoint[] = plans.map((plan, i) => {
    const slice = outputs.slice(offset, offset + plan.tasks.length);
    offset += plan.tasks.length;
    return { index: mine[i].index, parameters: mine[i].parameters, result: assemble(scenarios[i], replications, plan.planned, slice, options) };
  });
  return {
    schemaVersion: 1,
    kind: 'sweep',
    tool: { name: 'pullsim', version: VERSION },
    scenario: { name: base.name },
    fingerprint: await sweepFingerprint(file, sets, params, replications, options),
    parameters: params.map((p) => ({ name: p.name, values: [...p.values] })),
    ...(replications > 1 ? { replications } : {}),
    ...(shard ? { shard } : {}),
    points,
    crossovers: shard ? [] : findCrossovers(params, points),
  };
}

/**
 * What makes two shards parts of the same sweep: the scenario file's bytes, the overrides, the grid,
 * the replications and the variant filter (not the shard, not the file's path). `merge` refuses parts
 * whose fingerprints differ, so shards of different sweeps cannot be silently joined.
 */
async function sweepFingerprint(
  file: string,
  sets: readonly string[],
  params: readonly SweepParameter[],
  replications: number,
  options: SweepOptions,
): Promise<string> {
  const definition = JSON.stringify({
    scenario: await readFile(file, 'utf8'),
    sets,
    params,
    replications,
    variants: options.variants ?? [],
    independentSeeds: options.independentSeeds ?? false,
  });
  return `sha256:${createHash('sha256').update(definition).digest('hex').slice(0, 16)}`;
}
