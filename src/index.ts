/**
 * The library API: what the CLI does, callable from a notebook or another tool.
 *
 *   const scenario = await loadScenario('scenarios/seed-500-nodes.yaml', ['cluster.nodes=1000']);
 *   const result = simulate(scenario);                        // this thread
 *   const same = await simulateParallel(scenario, { jobs: 4 }); // the worker pool, identical result
 */
export { loadScenario, simulate, simulateParallel, sweepScenario } from './run.ts';
export type { SimulateScenarioOptions, ParallelOptions, SweepOptions } from './run.ts';
export type { SweepResult, SweepParameter, Crossover } from './report/sweep.ts';
export { parseSweepParameter, mergeSweeps, renderSweepJson, renderSweepCsv, renderSweepMarkdown } from './report/sweep.ts';
export { renderHtml } from './report/html.ts';
export { renderSweepHtml } from './report/sweep-html.ts';
export { renderMarkdown } from './report/markdown.ts';
export type { RunResult, VariantResult, VariantMetrics } from './metrics/result.ts';
export type { ResolvedScenario, ResolvedVariant } from './scenario/resolve.ts';
export { ScenarioError, formatIssues } from './scenario/errors.ts';
export { scenarioJsonSchema } from './scenario/schema.ts';
export { renderSummary, renderJson, renderCsv } from './report/index.ts';
