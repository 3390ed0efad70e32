/**
 * How much V8's optimising compiler (TurboFan) inlines, chosen by how long a batch of runs will take.
 *
 * A short run is mostly warm-up: in the seed scenario at `--jobs 2` TurboFan's compiling is a quarter of
 * the process's CPU (perf samples), and each thread compiles its own code. With every thread busy, that
 * compiling competes with the simulation for the cores. Inlining less makes each compile cheaper and the
 * compiled code slower, so it pays for short batches and costs long ones. Measured on a 2-core VM
 * (hyperfine, the budget below against V8's default):
 *
 * - seed scenario, `--jobs 2`, whole process: 1.089 → 1.016 s wall (−6.7 %), 1.82 → 1.70 s CPU;
 * - seed, `--jobs 1`, compiling on the main thread (`--single-threaded`): −5 % at 22 h, −3 % at 66 h,
 *   +4 % at 7 days (about 12 M estimated events in the one thread);
 * - Kraken flash crowd, `--jobs 1`, 4 variants: 100 nodes −8.5 % (0.80 → 0.73 s); 1,000 nodes +10–15 %
 *   (7.9 → 9.0 s).
 *
 * So bin/pullsim.js starts every CLI process with the short-run budget (it has to be set before the
 * bundle loads: V8 checks its flags against the code cache's), and a batch whose busiest thread is
 * expected to do more than LONG_BATCH_WORK switches to V8's default before its runs start. A flag
 * changed at run time only affects code compiled after it; it never changes a result (outputs are
 * byte-identical either way), only how fast a run gets there. In-process users (the library API, the
 * tests) keep V8's default unless they ask.
 */
import { setFlagsFromString } from 'node:v8';
import type { RunConfig } from '../scenario/schema.ts';
import { estimateWork } from './work-estimate.ts';

/** Short-run inlining budget (bytecode bytes inlined into one optimised function). bin/pullsim.js sets it. */
export const SHORT_RUN_V8_FLAG = '--max-inlined-bytecode-size-cumulative=300';
/** V8's default budget (V8 11.3, Node 20), for long batches. */
export const LONG_RUN_V8_FLAG = '--max-inlined-bytecode-size-cumulative=920';

/**
 * Estimated work (work-estimate.ts) of a thread above which inlining pays for its compile time. The
 * crossovers measured: ~8 M events for hosted and private registries (seed at 7 days loses, at 66 h
 * still gains), and a tenth of the events for P2P (a P2P event walks swarms and re-rates flows, about
 * ten times a registry GET: the 100-node crowd gains, the 1,000-node crowd loses), hence P2P_WEIGHT.
 * Set at half the hosted crossover, so a misjudged batch loses little either way.
 */
export const LONG_BATCH_WORK = 4_000_000;
export const P2P_WEIGHT = 8;

/** A run's work in LONG_BATCH_WORK's units. */
export function jitWork(run: RunConfig): number {
  return estimateWork(run) * (run.distribution.kind === 'p2p' ? P2P_WEIGHT : 1);
}

/**
 * Whether a batch of `runs` on `threads` threads is long enough for V8's full inlining: its busiest
 * thread's expected work (the largest run, or an even share of the batch, whichever is more) passes
 * LONG_BATCH_WORK.
 */
export function isLongBatch(runs: readonly RunConfig[], threads: number): boolean {
  let total = 0;
  let largest = 0;
  for (const r of runs) {
    const w = jitWork(r);
    total += w;
    if (w > largest) largest = w;
  }
  return Math.max(largest, total / Math.max(1, Math.min(threads, runs.length))) > LONG_BATCH_WORK;
}

let long = false;

/** Switches this process to V8's default inlining for the code compiled from now on (once; never back). */
export function useLongRunJit(): void {
  if (long) return;
  long = true;
  setFlagsFromString(LONG_RUN_V8_FLAG);
}
