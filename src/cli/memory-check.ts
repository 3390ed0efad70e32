/**
 * The memory guard: before the first run, the batch's estimated peak (parallel/memory-estimate.ts) is
 * compared with the machine's memory; past MEMORY_SHARE of it the command refuses with exit 2 unless
 * --force is given, because a run that swaps or is OOM-killed an hour in is worse than a refusal now.
 */
import { totalmem } from 'node:os';
import type { ResolvedScenario } from '../scenario/resolve.ts';
import { estimateBatch, type BatchEstimate } from '../parallel/memory-estimate.ts';
import { defaultJobs } from '../parallel/pool.ts';

/** The share of the machine's memory a batch may plan to use without --force. */
export const MEMORY_SHARE = 0.75;

export class MemoryEstimateError extends Error {
  constructor(
    readonly estimate: BatchEstimate,
    readonly machineBytes: number,
  ) {
    super(
      `this scenario needs ~${gb(estimate.bytes)} GB (machine has ${gb(machineBytes)} GB); pass --force to run anyway, ` +
        `or lower --jobs, --replications or the scenario's size (estimate: ${estimate.explain})`,
    );
  }
}

function gb(bytes: number): string {
  const g = bytes / 1e9;
  return g >= 10 ? g.toFixed(0) : g >= 1 ? g.toFixed(1) : g.toFixed(2);
}

export interface MemoryCheckOptions {
  jobs?: number;
  replications?: number;
  force?: boolean;
  /** The machine's memory in bytes (default os.totalmem(); tests pass their own). */
  machineBytes?: number;
}

export function checkMemory(scenarios: readonly ResolvedScenario[], options: MemoryCheckOptions): BatchEstimate {
  const estimate = estimateBatch(scenarios, { jobs: options.jobs ?? defaultJobs(), replications: options.replications });
  const machine = options.machineBytes ?? totalmem();
  if (!options.force && estimate.bytes > MEMORY_SHARE * machine) throw new MemoryEstimateError(estimate, machine);
  return estimate;
}

/**
 * The heap one run of the batch may need, MiB: the largest run's estimate with room for the collector
 * (a heap close to its limit spends its time collecting), at most the share of the machine a batch may use.
 */
export function runHeapMb(estimate: BatchEstimate, machineBytes = totalmem()): number {
  return Math.ceil(Math.min(1.5 * estimate.largest.bytes, MEMORY_SHARE * machineBytes) / 2 ** 20);
}
