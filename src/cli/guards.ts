/**
 * The resource guards of the long commands (run, compare, sweep): `--max-events` (checked by the kernel
 * loop of every run, in workers too), `--max-wall` (a timer here), and Ctrl-C / SIGTERM. A stop aborts one
 * AbortSignal that the worker pool obeys (parallel/stop.ts); no result is assembled from a stopped batch,
 * so nothing partial is written, and outputs are written atomically, so nothing is left half-written.
 *
 * Exit codes: a budget (--max-events, --max-wall) that runs out is exit 2 like any scenario that is too
 * big for its limits; a signal is 128 + its number, as a shell reports it: 130 for SIGINT, 143 for SIGTERM.
 */
import { InterruptedError, WallBudgetError } from '../parallel/stop.ts';
import { removePendingTempFiles } from '../report/index.ts';
import { parseDuration, UnitError } from '../scenario/units.ts';
import { UsageError } from './usage.ts';
import { EXIT_SIGINT, EXIT_SIGTERM } from './exit.ts';

export function signalExitCode(signal: 'SIGINT' | 'SIGTERM'): number {
  return signal === 'SIGINT' ? EXIT_SIGINT : EXIT_SIGTERM;
}

/** `--max-events N`: a whole number of kernel events per run. */
export function checkMaxEvents(n: number | undefined): void {
  if (n === undefined) return;
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--max-events must be a whole number of at least 1, got ${String(n)}; e.g. --max-events 5000000.`);
}

/** `--max-wall DURATION` in seconds ("30s", "5m", "1h30m", or a plain number of seconds). */
export function parseMaxWall(text: string | number | undefined): number | undefined {
  if (text === undefined) return undefined;
  let s: number;
  try {
    s = parseDuration(typeof text === 'number' ? text : String(text));
  } catch (e) {
    if (e instanceof UnitError) throw new UsageError(`--max-wall: ${e.message}${e.hint ? ` (${e.hint})` : ''}; e.g. --max-wall 30s or --max-wall 1h30m.`);
    throw e;
  }
  if (!(s > 0)) throw new UsageError(`--max-wall must be longer than 0 s, got ${String(text)}; e.g. --max-wall 30s.`);
  return s;
}

export interface Guard {
  /** Aborted by a signal or when the wall budget runs out; give it to the batch. */
  readonly signal: AbortSignal;
  /** The runs are done: the wall budget no longer applies (writing the outputs is not cut short by it). */
  simulationDone(): void;
}

/**
 * Runs `body` with Ctrl-C, SIGTERM and the wall budget turned into an abort of `guard.signal`. A second
 * signal while the first is being handled exits at once, after removing any temp file being written.
 * Handlers and the timer are removed when `body` settles, so the CLI can run in-process many times (tests).
 */
export async function guarded<T>(maxWallS: number | undefined, body: (guard: Guard) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (controller.signal.aborted) {
      removePendingTempFiles();
      process.stderr.write(`\npullsim: ${signal} again, exiting now\n`);
      process.exit(signalExitCode(signal));
    }
    controller.abort(new InterruptedError(signal));
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  if (maxWallS !== undefined) {
    // setTimeout's limit is 2^31-1 ms (24.8 days); a longer budget is no budget.
    const ms = maxWallS * 1000;
    if (ms < 2 ** 31 - 1) timer = setTimeout(() => controller.abort(new WallBudgetError(maxWallS)), ms);
  }
  const clear = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  try {
    return await body({ signal: controller.signal, simulationDone: clear });
  } finally {
    clear();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
