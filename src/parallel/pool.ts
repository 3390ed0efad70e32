/**
 * Runs a batch of simulation tasks (variants × replications × sweep points) on a pool of worker threads,
 * one per core by default, the longest (work-estimate.ts) first. Outputs come back in task order whatever
 * order the workers finish in, and a failure is reported as the one a serial run would have hit first (the
 * lowest failing task: every lower task is run and awaited), so `--jobs` never changes a result or an error.
 */
import { availableParallelism } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { describeFailure, executeTask, executeTaskYielding, rebuildFailure, type SimOutput, type SimTask, type TaskFailure, type TaskOptions } from './task.ts';
import type { ResultMessage, TaskMessage } from './worker.ts';
import { largestFirst } from './work-estimate.ts';
import { isLongBatch, useLongRunJit } from './jit-profile.ts';
import { workerEntry } from './worker-url.ts';
import { startupDone } from '../startup-done.ts';

export { setWorkerEntry } from './worker-url.ts';

export interface PoolOptions extends TaskOptions {
  /** Worker threads (default: one per core). 1 runs every task in this thread, without workers. */
  jobs?: number;
  /** Called after each task completes (progress display). */
  onProgress?: (done: number, total: number) => void;
  /**
   * Stops the batch when aborted (Ctrl-C, --max-wall): workers are terminated, a main-thread run stops at
   * its next kernel slice, and runTasks rejects with the signal's reason (a StopError, see stop.ts).
   */
  signal?: AbortSignal;
  /**
   * Heap one run needs, MiB. When that is more than this thread's heap limit (Node's default is about
   * 4 GiB whatever the machine has), every run goes to a worker thread whose old generation may grow to it.
   */
  heapMb?: number;
}

/** This thread's heap limit, MiB. */
export function heapLimitMb(): number {
  return getHeapStatistics().heap_size_limit / 2 ** 20;
}

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

export async function runTasks(tasks: readonly SimTask[], options: PoolOptions = {}): Promise<SimOutput[]> {
  startupDone();
  const jobs = Math.min(options.jobs ?? defaultJobs(), tasks.length);
  if (!Number.isInteger(jobs) || jobs < 0) throw new Error(`internal: jobs must be a positive integer, got ${options.jobs}`);
  // After startupDone: the code cache is written under the flags it was read with (jit-profile.ts).
  if (isLongBatch(tasks.map((t) => t.run), jobs)) useLongRunJit();
  if (options.signal?.aborted) throw options.signal.reason;
  const bigHeap = options.heapMb !== undefined && options.heapMb > heapLimitMb() ? Math.ceil(options.heapMb) : undefined;
  if (bigHeap !== undefined) return runOnWorkers(tasks, jobs, options, bigHeap);
  return jobs <= 1 ? runHereYielding(tasks, options) : runOnWorkers(tasks, jobs, options);
}

/** Serial in this thread, but yielding to the event loop between kernel slices so a stop is heard. */
async function runHereYielding(tasks: readonly SimTask[], options: PoolOptions): Promise<SimOutput[]> {
  const out: SimOutput[] = [];
  for (const task of tasks) {
    out.push(await executeTaskYielding(task, options, options.signal));
    options.onProgress?.(out.length, tasks.length);
  }
  return out;
}

/** Serial, in this thread: what a pool of one would do, without a worker's start-up cost. */
export function runHere(tasks: readonly SimTask[], options: PoolOptions = {}): SimOutput[] {
  const out: SimOutput[] = [];
  for (const task of tasks) {
    out.push(executeTask(task, options));
    options.onProgress?.(out.length, tasks.length);
  }
  return out;
}

/**
 * `jobs` runners: this thread and jobs − 1 workers. Performance: this thread has the model loaded already
 * and starts at once, while each worker first spends ~0.2 s of CPU loading it; on a 2-core machine a
 * second worker would only compete with this thread for the cores. With `heapMb` (runs bigger than this
 * thread's heap) all `jobs` runners are workers with that old-generation limit.
 */
function runOnWorkers(tasks: readonly SimTask[], jobs: number, options: PoolOptions, heapMb?: number): Promise<SimOutput[]> {
  const taskOptions: TaskOptions = { maxEvents: options.maxEvents, timing: options.timing };
  const outputs = new Array<SimOutput>(tasks.length);
  const failures = new Map<number, TaskFailure>();
  const workers: Worker[] = [];
  // Longest runs first. A serial run's first failure is still the one reported: after a failure only
  // tasks below it are started, and every one of those is awaited.
  const order = largestFirst(tasks.map((t) => t.run));
  let next = 0;
  let done = 0;
  let inFlight = 0;
  let settled = false;

  return new Promise<SimOutput[]>((resolve, reject) => {
    const onAbort = () => finish(options.signal?.reason as Error);
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      // terminate() stops a worker even in the middle of a run; its 'exit' then finds the batch settled.
      const stopped = Promise.all(workers.map((w) => w.terminate()));
      if (error) void stopped.then(() => reject(error), () => reject(error));
      else resolve(outputs);
    };
    options.signal?.addEventListener('abort', onAbort);
    /** The next task's id, or -1 when none is left to start (then the batch ends once none is in flight). */
    const take = (): number => {
      if (settled) return -1;
      const firstFailed = failures.size > 0 ? Math.min(...failures.keys()) : tasks.length;
      while (next < order.length) {
        const id = order[next++];
        if (id < firstFailed) {
          inFlight++;
          return id;
        }
      }
      if (inFlight === 0) finish(firstFailed < tasks.length ? rebuildFailure(failures.get(firstFailed)!) : undefined);
      return -1;
    };
    const settle = (id: number, result: { ok: true; output: SimOutput } | { ok: false; failure: TaskFailure }) => {
      inFlight--;
      if (result.ok) {
        outputs[id] = result.output;
        options.onProgress?.(++done, tasks.length);
      } else failures.set(id, result.failure);
    };
    const dispatch = (w: Worker) => {
      const id = take();
      if (id < 0) return;
      const msg: TaskMessage = { id, task: tasks[id] };
      w.postMessage(msg);
    };
    const here = heapMb === undefined;
    for (let i = here ? 1 : 0; i < jobs; i++) {
      const w = new Worker(workerEntry(), { workerData: taskOptions, ...(heapMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: heapMb } } : {}) });
      workers.push(w);
      w.on('message', (m: ResultMessage) => {
        settle(m.id, m);
        dispatch(w);
      });
      // A worker that dies (out of memory, a loader failure) is a bug in pullsim, not a user error.
      w.on('error', (e) => finish(new Error(`internal: a simulation worker failed: ${e.stack ?? e.message}`)));
      w.on('exit', (code) => {
        if (!settled) finish(new Error(`internal: a simulation worker exited with code ${code} before the batch finished`));
      });
      dispatch(w);
    }
    // This thread's runner: kernel slices with the event loop in between, so workers' results, a stop
    // and the progress display are heard while it simulates.
    void (async () => {
      if (!here) return;
      for (let id = take(); id >= 0; id = take()) {
        try {
          settle(id, { ok: true, output: await executeTaskYielding(tasks[id], taskOptions, options.signal) });
        } catch (e) {
          if (settled) return; // stopped: finish() has already rejected with the stop's reason
          settle(id, { ok: false, failure: describeFailure(e) });
        }
      }
    })();
  });
}
