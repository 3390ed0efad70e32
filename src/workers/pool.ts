/**
 * Runs independent simulations (the variants × replications of a scenario) in worker threads, one job
 * per thread at a time, and hands the results back in job order (DESIGN §10). A job is one simulateRun:
 * its input is plain data (structured-cloned) and so is its output, so a job gives the same numbers in a
 * worker as on the main thread; only the wall clock differs.
 *
 * Workers need a JavaScript entry to load. bin/pullsim.js's compiled bundle provides one
 * (setWorkerEntry); without it (the library API, tsx, tests) runJobs runs the jobs on this thread, one
 * after another, exactly as before. PULLSIM_JOBS=N caps the threads (1: no workers).
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

/** What a worker posts back: a result, or the error that ended the job. */
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

/** Threads for `jobs` jobs: PULLSIM_JOBS if set, else one per core and one more (the main thread idles). */
export function threadCount(jobs: number, env: NodeJS.ProcessEnv = process.env): number {
  const asked = env.PULLSIM_JOBS === undefined ? NaN : Number(env.PULLSIM_JOBS);
  const cap = Number.isInteger(asked) && asked >= 1 ? asked : availableParallelism() + 1;
  return Math.max(1, Math.min(jobs, cap));
}

/**
 * Runs every job and returns the results in job order. `onStart(i)` is called as job i starts. The first
 * job to fail stops the others and its error is thrown (an EventBudgetError stays one).
 */
export async function runJobs(jobs: readonly Job[], onStart?: (index: number) => void): Promise<JobResult[]> {
  const threads = threadCount(jobs.length);
  if (!workerEntry || threads < 2) {
    return jobs.map((job, i) => {
      onStart?.(i);
      return runJob(job);
    });
  }
  const entry = workerEntry;
  const results: JobResult[] = new Array(jobs.length);
  const workers: Worker[] = [];
  let next = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let done = 0;
      let failed = false;
      const feed = (w: Worker): void => {
        if (next === jobs.length) return;
        const id = next++;
        onStart?.(id);
        w.postMessage({ id, job: jobs[id] });
      };
      for (let t = 0; t < threads; t++) {
        const w = new Worker(entry);
        workers.push(w);
        w.on('message', (reply: JobReply) => {
          if (failed) return;
          if (!reply.ok) {
            failed = true;
            reject(replyError(reply));
            return;
          }
          results[reply.id] = reply.result;
          if (++done === jobs.length) resolve();
          else feed(w);
        });
        w.on('error', (e) => {
          if (!failed) {
            failed = true;
            reject(e);
          }
        });
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

function replyError(reply: Extract<JobReply, { ok: false }>): Error {
  if (reply.budgetEvents !== undefined) return new EventBudgetError(reply.budgetEvents);
  const e = new Error(reply.message);
  // The worker's stack is the useful one: it names the model code that failed.
  if (reply.stack) e.stack = reply.stack;
  return e;
}
