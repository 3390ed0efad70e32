/**
 * Runs independent simulations (the variants × replications of a scenario) on the main thread and
 * worker threads, one job per thread at a time, and hands the results back in job order (DESIGN §10). A job is one simulateRun:
 * its input is plain data (structured-cloned) and so is its output, so a job gives the same numbers in a
 * worker as on the main thread; only the wall clock differs.
 *
 * Workers need a JavaScript entry to load. bin/pullsim.js's compiled bundle provides one
 * (setWorkerEntry); without it (the library API, tsx, tests) runJobs runs the jobs on this thread, one
 * after another, exactly as before. PULLSIM_JOBS=N caps the threads (1: no workers). Performance: a
 * worker costs its start-up and its own JIT warm-up (~0.2–0.4 s of CPU for a seed variant), so there is
 * one thread per core, the main thread being one of them, not one per job.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { EventBudgetError, simulateRun } from '../simulate.ts';
import type { VariantMetrics } from '../metrics/result.ts';
import type { VariantSeries } from '../metrics/timeseries.ts';
import type { RunConfig } from '../scenario/schema.ts';

export interface Job {
  run: RunConfig;
  timing?: boolean;
  maxEvents?: number;
  /** Collect the variant's time series (for charts). */
  series: boolean;
}

export interface JobResult {
  metrics: VariantMetrics;
  series?: VariantSeries;
}

/** What a worker posts about a job: its result, or the error that ended it. */
export type JobReply =
  | { id: number; ok: true; result: JobResult }
  | { id: number; ok: false; budgetEvents?: number; message: string; stack?: string };

let workerEntry: URL | undefined;

/** The script a worker thread runs (variant-worker.ts compiled to JavaScript). */
export function setWorkerEntry(url: URL | undefined): void {
  workerEntry = url;
}

/** Runs one job on this thread. */
export function runJob(job: Job): JobResult {
  let series: VariantSeries | undefined;
  const metrics = simulateRun(job.run, {
    timing: job.timing,
    maxEvents: job.maxEvents,
    onSeries: job.series ? (s) => (series = s) : undefined,
  });
  return series ? { metrics, series } : { metrics };
}

/** Threads for `jobs` jobs, the main thread included: PULLSIM_JOBS if set, else one per core. */
export function threadCount(jobs: number, env: NodeJS.ProcessEnv = process.env): number {
  const asked = env.PULLSIM_JOBS === undefined ? NaN : Number(env.PULLSIM_JOBS);
  const cap = Number.isInteger(asked) && asked >= 1 ? asked : availableParallelism();
  return Math.max(1, Math.min(jobs, cap));
}

/** What a worker is given: every job, and the shared counter all threads take job indices from. */
export interface WorkerInput {
  jobs: readonly Job[];
  next: SharedArrayBuffer;
}

/** Takes the next job index from the shared counter (every thread does, so the faster ones take more). */
export function takeJob(next: Int32Array): number {
  return Atomics.add(next, 0, 1);
}

/**
 * Runs every job and returns the results in job order. `onStart(i)` is called as job i starts (for jobs
 * on worker threads, once the main thread is free to hear about it). The main thread runs jobs too,
 * beside threads − 1 workers, all taking the next job from a shared counter; the first failure stops
 * the others and is thrown (an EventBudgetError stays one).
 */
export async function runJobs(jobs: readonly Job[], onStart?: (index: number) => void): Promise<JobResult[]> {
  const threads = threadCount(jobs.length);
  if (!workerEntry || threads < 2) {
    return jobs.map((job, i) => {
      onStart?.(i);
      return runJob(job);
    });
  }
  const results: JobResult[] = new Array(jobs.length);
  const next = new SharedArrayBuffer(4);
  const counter = new Int32Array(next);
  const input: WorkerInput = { jobs, next };
  const workers: Worker[] = [];
  let failure: Error | undefined;
  const finished: Promise<void>[] = [];
  for (let t = 1; t < threads; t++) {
    const w = new Worker(workerEntry, { workerData: input });
    workers.push(w);
    finished.push(
      new Promise<void>((resolve) => {
        w.on('message', (reply: JobReply | { started: number } | { done: true }) => {
          if ('started' in reply) onStart?.(reply.started);
          else if ('done' in reply) resolve();
          else if (reply.ok) results[reply.id] = reply.result;
          else {
            failure ??= replyError(reply);
            resolve();
          }
        });
        w.on('error', (e) => {
          failure ??= e;
          resolve();
        });
        w.on('exit', () => resolve());
      }),
    );
  }
  try {
    // The main thread's share, while the workers start up and take theirs.
    for (let k = takeJob(counter); k < jobs.length && !failure; k = takeJob(counter)) {
      onStart?.(k);
      results[k] = runJob(jobs[k]);
    }
    await Promise.all(finished);
  } finally {
    Atomics.store(counter, 0, jobs.length); // no thread starts another job
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (failure) throw failure;
  return results;
}

function replyError(reply: Extract<JobReply, { ok: false }>): Error {
  if (reply.budgetEvents !== undefined) return new EventBudgetError(reply.budgetEvents);
  const e = new Error(reply.message);
  // The worker's stack is the useful one: it names the model code that failed.
  if (reply.stack) e.stack = reply.stack;
  return e;
}
