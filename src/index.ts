/**
 * The library API: what the CLI does, callable from a notebook or another tool.
 *
 *   const scenario = await loadScenario('scenarios/seed-500-nodes.yaml', ['cluster.nodes=1000']);
 *   const result = simulate(scenario);
 */
export { loadScenario, simulate } from './run.ts';
export type { RunResult, VariantResult, VariantMetrics } from './metrics/result.ts';
export type { ResolvedScenario, ResolvedVariant } from './scenario/resolve.ts';
export { ScenarioError, formatIssues } from './scenario/errors.ts';
export { scenarioJsonSchema } from './scenario/schema.ts';
export { renderSummary, renderJson, renderCsv } from './report/index.ts';
