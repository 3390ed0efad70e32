/**
 * One unit of parallel work: a single simulated run (one variant, one replication, one sweep point).
 * Tasks and their outputs are plain data (structured-cloneable), so the same function runs them in the
 * main thread or in a worker and the results cannot differ: a pool only changes where, never what.
 */
import { EventBudgetError, simulateRunSteps, type SimulateOptions } from '../simulate.ts';
import { InvariantError } from '../metrics/invariants.ts';
import type { RunConfig } from '../scenario/schema.ts';
import type { VariantMetrics } from '../metrics/result.ts';
import type { VariantSeries } from '../metrics/timeseries.ts';

export interface SimTask {
  run: RunConfig;
  /** The first replication of its variant: it reports the ids of the prices its costing used. */
  first: boolean;
  /**
   * Keep the time series (the first replication of each variant, when an output holds them: the JSON
   * export and the HTML report's charts). Without, the collector keeps no clock: about 4 % of the seed
   * scenario's CPU.
   */
  series: boolean;
}

export interface SimOutput {
  metrics: VariantMetrics;
  series?: VariantSeries;
  /** Ids of the prices the run's costing used (the first replication only). */
  pricesUsed?: string[];
}

/** Options that apply to every task of a batch. */
export interface TaskOptions {
  maxEvents?: number;
  timing?: boolean;
}

function start(task: SimTask, options: TaskOptions) {
  let series: VariantSeries | undefined;
  let pricesUsed: string[] | undefined;
  const sim: SimulateOptions = {
    maxEvents: options.maxEvents,
    timing: options.timing,
    onSeries: task.series ? (s) => (series = s) : undefined,
    onPricesUsed: task.first ? (ids) => (pricesUsed = ids) : undefined,
  };
  const steps = simulateRunSteps(task.run, sim);
  const output = (metrics: VariantMetrics): SimOutput => ({ metrics, ...(series ? { series } : {}), ...(pricesUsed ? { pricesUsed } : {}) });
  return { steps, output };
}

/** Runs a task to the end, in this thread, without a pause (workers: the pool stops them by terminating). */
export function executeTask(task: SimTask, options: TaskOptions): SimOutput {
  const { steps, output } = start(task, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return output(r.value);
  }
}

/**
 * Runs a task in the main thread, yielding to the event loop between kernel slices so a Ctrl-C handler or
 * a --max-wall timer gets to run; when `signal` is aborted the run stops at the next slice with its reason.
 */
export async function executeTaskYielding(task: SimTask, options: TaskOptions, signal?: AbortSignal): Promise<SimOutput> {
  const { steps, output } = start(task, options);
  for (;;) {
    if (signal?.aborted) {
      steps.return(undefined as never);
      throw signal.reason;
    }
    const r = steps.next();
    if (r.done) return output(r.value);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** A task's failure as data, so it crosses the thread boundary and is rebuilt as the same error. */
export type TaskFailure =
  | { kind: 'event-budget'; events: number }
  | { kind: 'invariant'; invariant: string; detail: string }
  | { kind: 'internal'; message: string; stack?: string };

export function describeFailure(e: unknown): TaskFailure {
  if (e instanceof EventBudgetError) return { kind: 'event-budget', events: e.events };
  if (e instanceof InvariantError) return { kind: 'invariant', invariant: e.invariant, detail: e.detail };
  if (e instanceof Error) return { kind: 'internal', message: e.message, stack: e.stack };
  return { kind: 'internal', message: String(e) };
}

export function rebuildFailure(f: TaskFailure): Error {
  if (f.kind === 'event-budget') return new EventBudgetError(f.events);
  if (f.kind === 'invariant') return new InvariantError(f.invariant, f.detail);
  const e = new Error(f.message);
  if (f.stack) e.stack = f.stack;
  return e;
}
