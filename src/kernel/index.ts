export { Simulator, URGENT, NORMAL, LATE, MAX_PRIORITY, primeDispatch } from './simulator.ts';
export type { Handler, RunOptions, RunStats } from './simulator.ts';
export { Rng, RngStreams } from './rng.ts';
export { InvariantError } from './invariant.ts';
export { CHECKS } from './invariant.ts';
