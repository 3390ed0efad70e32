/**
 * One unit of parallel work: a single simulated run (one variant, one replication, one sweep point).
 * Tasks and their outputs are plain data (structured-cloneable), so the same function runs them in the
 * main thread or in a worker and the results cannot differ: a pool only changes where, never what.
 */
import { EventBudgetError, simulateRun } from '../simulate.ts';
import { InvariantError } from '../metrics/invariants.ts';
import type { RunConfig } from '../scenario/schema.ts';
import type { VariantMetrics } from '../metrics/result.ts';
import type { VariantSeries } from '../metrics/timeseries.ts';

export interface SimTask {
  run: RunConfig;
  /** Keep the time series for charts (the first replication of each variant only). */
  series: boolean;
}

export interface SimOutput {
  metrics: VariantMetrics;
  series?: VariantSeries;
}

/** Options that apply to every task of a batch. */
export interface TaskOptions {
  maxEvents?: number;
  timing?: boolean;
}

export function executeTask(task: SimTask, options: TaskOptions): SimOutput {
  let series: VariantSeries | undefined;
  const metrics = simulateRun(task.run, {
    maxEvents: options.maxEvents,
    timing: options.timing,
    onSeries: task.series ? (s) => (series = s) : undefined,
  });
  return series ? { metrics, series } : { metrics };
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
