/**
 * A broken invariant: a bug in pullsim, never the user's mistake. Thrown by whichever layer sees it (the
 * kernel's clock, the network's conservation, a run's accounting in metrics/invariants.ts); the CLI
 * prints the invariant and the entities and exits 1. It lives in the kernel, the bottom layer, so every
 * layer above can throw it without depending upward.
 */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
  constructor(
    /** Short name of the broken invariant, e.g. "cost items sum to the total". */
    readonly invariant: string,
    /** Which entities broke it, with the numbers. */
    readonly detail: string,
  ) {
    super(`invariant "${invariant}" violated: ${detail}`);
  }
}

/**
 * Invariant checks are on in every run. PULLSIM_UNCHECKED=1 turns them off, for one purpose only: the
 * benchmark that measures what they cost (bench/invariants.bench.ts). Read once, at load.
 */
export const CHECKS: boolean = process.env.PULLSIM_UNCHECKED !== '1';
