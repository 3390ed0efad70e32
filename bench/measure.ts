/**
 * Measuring helpers shared by the suites: robust summaries, the peak-memory sampler and the reference
 * workload that makes timings comparable across machines and loads.
 */
import { Worker } from 'node:worker_threads';
import FlatQueue from 'flatqueue';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Half the spread of the samples, relative to their median: `±x%`. */
export function spread(xs: readonly number[]): string {
  const m = median(xs);
  return `±${((100 * (Math.max(...xs) - Math.min(...xs))) / 2 / m).toFixed(1)}%`;
}

export function formatCount(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/**
 * Highest RSS of this process while a piece of work runs. The work is synchronous (a simulation), so
 * the sampling runs on a worker thread (RSS is per process), writing its maximum into shared memory.
 */
export class PeakRss {
  private readonly cell = new Float64Array(new SharedArrayBuffer(8));
  private readonly worker: Worker;

  private constructor() {
    this.cell[0] = process.memoryUsage.rss();
    this.worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const cell = new Float64Array(workerData);
       setInterval(() => { const r = process.memoryUsage.rss(); if (r > cell[0]) cell[0] = r; }, 10);`,
      { eval: true, workerData: this.cell.buffer },
    );
  }

  static start(): PeakRss {
    return new PeakRss();
  }

  /** Stops sampling and returns the peak in MB (at least the RSS now). */
  async stop(): Promise<number> {
    const now = process.memoryUsage.rss();
    await this.worker.terminate();
    return Math.max(this.cell[0], now) / 2 ** 20;
  }
}

/** Runs `work` and returns its result with the peak RSS (MB) while it ran. */
export async function withPeakRss<T>(work: () => T | Promise<T>): Promise<{ result: T; peakRssMB: number }> {
  const sampler = PeakRss.start();
  try {
    const result = await work();
    return { result, peakRssMB: await sampler.stop() };
  } catch (e) {
    await sampler.stop();
    throw e;
  }
}

// ---- the reference workload ---------------------------------------------------------------------------

const REF_PENDING = 100_000;
const REF_OPS = 200_000;
const REF_INCREMENTS = 1 << 12;

/** CPU seconds this process has used (all threads). */
export function cpuSeconds(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
}

/**
 * The reference workload: a bare flatqueue hold loop (pop the earliest, push it back later) at 1e5
 * pending, a fixed 2e5 operations, about 30–60 ms of CPU. Memory-bound like a simulation, and
 * independent of pullsim's code, so a change in pullsim never moves it. Returns CPU seconds, not wall:
 * on a shared machine other processes stretch wall time but not CPU time, so CPU seconds of an entry
 * divided by these ("× reference") compare across loads and machines.
 */
export function referenceSeconds(): number {
  const q = new FlatQueue<number>(REF_PENDING + 1);
  // A fixed linear-congruential sequence: the same work on every call and every machine.
  let x = 12345;
  const next = (): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
  for (let i = 0; i < REF_PENDING; i++) q.push(i, next() * REF_PENDING);
  const inc = new Float64Array(REF_INCREMENTS);
  for (let i = 0; i < REF_INCREMENTS; i++) inc[i] = -Math.log(1 - next()) * REF_PENDING;
  const started = cpuSeconds();
  let sum = 0;
  for (let k = 0; k < REF_OPS; k++) {
    const t = q.peekValue() as number;
    const id = q.pop() as number;
    sum += t;
    q.push(id, t + inc[k & (REF_INCREMENTS - 1)]);
  }
  const seconds = cpuSeconds() - started;
  if (!(sum > 0)) throw new Error('reference workload: empty queue');
  return seconds;
}

/**
 * Runs `work` `repeats` times with the reference workload between the runs (and before the first) and
 * gives each run's CPU seconds ÷ the lower of the two references around it; the gate takes the median of
 * these ratios. Why paired: this VM's speed drifts by tens of per cent within a minute, for a simulation
 * more than for a spin loop, so the best reference of a whole block and the best run of that block can
 * come from different phases (the same tree's ratio moved by ±30 % from one bench run to the next that
 * way); a reference taken next to each run shares its phase.
 */
export function pairedWithReference<T>(
  repeats: number,
  work: () => T,
  /** The run's CPU seconds, when they are not this process's (a spawned CLI reports its own). */
  cpuOf?: (result: T) => number,
): { results: T[]; cpu: number[]; ratios: number[] } {
  referenceSeconds(); // warm: compile the loop before the samples
  let before = referenceSeconds();
  const results: T[] = [];
  const cpu: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const c0 = cpuSeconds();
    const result = work();
    results.push(result);
    const c = cpuOf ? cpuOf(result) : cpuSeconds() - c0;
    const after = referenceSeconds();
    cpu.push(c);
    ratios.push(c / Math.min(before, after));
    before = after;
  }
  return { results, cpu, ratios };
}

