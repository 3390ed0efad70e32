export { Network } from './network.ts';
export type { NetworkOptions, FlowDone } from './network.ts';
export { MaxMinSolver, buildSharingTables, solveMaxMin } from './maxmin.ts';
export type { SharingTables } from './maxmin.ts';
export { solveMaxMinReference } from './maxmin-reference.ts';
export type { ReferenceFlow } from './maxmin-reference.ts';
export { IndexedMinHeap } from './heap.ts';
