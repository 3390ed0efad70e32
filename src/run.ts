/**
 * The library's two verbs: load a scenario (file → validated variants) and simulate it (→ RunResult).
 */
import { ScenarioError } from './scenario/errors.ts';
import { loadScenarioFile, validateScenario } from './scenario/loader.ts';
import { resolveScenario, type ResolvedScenario } from './scenario/resolve.ts';
import { runJob, runJobs, type Job, type JobResult } from './workers/pool.ts';
import type { RunResult, VariantResult } from './metrics/result.ts';
import type { VariantSeries } from './metrics/timeseries.ts';
import { describeScenario, pricesOf } from './report/assumptions.ts';
import { evaluateThresholds, parseThresholds } from './report/thresholds.ts';
import { meanMetrics, replicatedStats, replicationSeed } from './report/replications.ts';
import type { VariantMetrics } from './metrics/result.ts';
import { cartesian, findCrossovers, type SweepParameter, type SweepPoint, type SweepResult } from './report/sweep.ts';
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
  /** Called before each variant runs (progress display). */
  onVariant?: (index: number, count: number, name: string) => void;
  /**
   * Runs per variant (default 1). Replication r uses replicationSeed(seed, r) for every variant, so
   * variants are compared on common random numbers; metrics become means and `replicated` holds
   * mean, sd and 95 % CI per metric.
   */
  replications?: number;
  /** Give each variant its own seeds instead of common random numbers (to measure what CRN buys). */
  independentSeeds?: boolean;
  /** Receives every replication's metrics (tests and sweeps that need the raw samples). */
  onReplication?: (variant: string, replication: number, metrics: VariantMetrics) => void;
}

/**
 * Runs every variant of a scenario, one after another, each from the same seeds and named random
 * streams (common random numbers: differences between variants are the strategies', not the dice's).
 */
export function simulate(scenario: ResolvedScenario, options: SimulateScenarioOptions = {}): RunResult {
  const plan = planRuns(scenario, options);
  return assembleResult(
    scenario,
    options,
    plan,
    plan.jobs.map((job, k) => {
      plan.started(k);
      return runJob(job);
    }),
  );
}

/**
 * simulate(), with the runs spread over worker threads where the CLI has set them up (workers/pool.ts);
 * each run is the same computation on the same data, so the result is identical, only sooner.
 */
export async function simulateInParallel(scenario: ResolvedScenario, options: SimulateScenarioOptions = {}): Promise<RunResult> {
  const plan = planRuns(scenario, options);
  return assembleResult(scenario, options, plan, await runJobs(plan.jobs, plan.started));
}

interface RunPlan {
  replications: number;
  thresholds: ReturnType<typeof parseThresholds>;
  /** One job per (variant, replication), variant-major. */
  jobs: Job[];
  /** Progress: job k is starting. */
  started: (k: number) => void;
}

function planRuns(scenario: ResolvedScenario, options: SimulateScenarioOptions): RunPlan {
  const n = scenario.variants.length;
  const thresholds = parseThresholds(scenario.thresholds);
  const replications = options.replications ?? 1;
  if (!Number.isInteger(replications) || replications < 1) throw new Error(`internal: replications must be a positive integer, got ${replications}`);
  const jobs: Job[] = [];
  scenario.variants.forEach((v, i) => {
    for (let r = 0; r < replications; r++) {
      const stream = options.independentSeeds ? r + i * replications : r;
      // Charts show the first replication; the others only add numbers.
      jobs.push({ run: { ...v.run, seed: replicationSeed(v.run.seed, stream) }, timing: options.timing, maxEvents: options.maxEvents, series: r === 0 });
    }
  });
  const started = (k: number): void => {
    if (k % replications === 0) options.onVariant?.(k / replications, n, scenario.variants[k / replications].name);
  };
  return { replications, thresholds, jobs, started };
}

function assembleResult(scenario: ResolvedScenario, options: SimulateScenarioOptions, plan: RunPlan, results: JobResult[]): RunResult {
  const { replications, thresholds } = plan;
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
      const series: VariantSeries | undefined = results[i * replications].series;
      const runs: VariantMetrics[] = [];
      for (let r = 0; r < replications; r++) {
        const metrics = results[i * replications + r].metrics;
        options.onReplication?.(v.name, r, metrics);
        runs.push(metrics);
      }
      const metrics = replications > 1 ? meanMetrics(runs) : runs[0];
      return {
        name: v.name,
        description: v.description,
        metrics,
        ...(series ? { series } : {}),
        prices: pricesOf(v.run),
        ...(replications > 1 ? { replicated: replicatedStats(runs) } : {}),
      };
    }),
  };
  if (thresholds.length > 0) result.thresholds = evaluateThresholds(result, thresholds);
  return result;
}

export interface SweepOptions extends SimulateScenarioOptions {
  /** Keep only these variants at every point. */
  variants?: readonly string[];
  /** Run only this slice of the points (1-based index of count, round-robin). */
  shard?: { index: number; count: number };
  /** Called before each point runs (progress display). */
  onPoint?: (index: number, count: number, parameters: Record<string, string>) => void;
}

/**
 * Runs the scenario at every point of the parameters' cartesian product. Each point is the scenario
 * loaded with the point's values as `--set` overrides after the user's own, so a bad value is reported
 * like any override (file "--set"), and all points are validated before the first one runs.
 */
export async function sweepScenario(
  file: string,
  sets: readonly string[],
  params: readonly SweepParameter[],
  options: SweepOptions = {},
): Promise<SweepResult> {
  const all = cartesian(params).map((parameters, index) => ({ index, parameters }));
  const shard = options.shard;
  const mine = shard ? all.filter((p) => p.index % shard.count === shard.index - 1) : all;
  const combos = mine.map((p) => p.parameters);
  const scenarios: ResolvedScenario[] = [];
  for (const combo of combos) {
    const s = await loadScenario(file, [...sets, ...Object.entries(combo).map(([k, v]) => `${k}=${v}`)]);
    if (options.variants && options.variants.length > 0) s.variants = s.variants.filter((v) => options.variants!.includes(v.name));
    scenarios.push(s);
  }
  const points: SweepPoint[] = scenarios.map((s, i) => {
    options.onPoint?.(i, combos.length, combos[i]);
    return { index: mine[i].index, parameters: combos[i], result: simulate(s, options) };
  });
  return {
    schemaVersion: 1,
    kind: 'sweep',
    tool: { name: 'pullsim', version: VERSION },
    scenario: { name: scenarios[0]?.name ?? (await loadScenario(file, sets)).name },
    parameters: params.map((p) => ({ name: p.name, values: [...p.values] })),
    ...(shard ? { shard } : {}),
    points,
    crossovers: shard ? [] : findCrossovers(params, points),
  };
}
