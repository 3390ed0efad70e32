/**
 * Why a batch stopped before it finished. The CLI aborts the batch's AbortSignal with one of these (on
 * SIGINT/SIGTERM, or when --max-wall runs out); the pool then terminates its workers, or the main-thread
 * run stops at its next kernel slice, and the error comes back from runTasks. No result is assembled from
 * a stopped batch, so nothing partial can be written as if it were complete.
 */
export class StopError extends Error {
  /** Outputs already written in full when the stop came (the CLI stops between files), e.g. "json: a.json". */
  written: string[] = [];
  /** Outputs not written because of the stop. */
  skipped: string[] = [];
}

/** Ctrl-C (SIGINT) or a polite kill (SIGTERM). */
export class InterruptedError extends StopError {
  constructor(readonly signal: 'SIGINT' | 'SIGTERM') {
    super(`interrupted by ${signal}`);
  }
}

/** The batch ran past its wall-clock budget (`--max-wall`). */
export class WallBudgetError extends StopError {
  constructor(readonly seconds: number) {
    super(`stopped after ${seconds} s of wall time (its --max-wall budget) before every run finished`);
  }
}
