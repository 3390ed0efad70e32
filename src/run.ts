/**
 * The library's two verbs: load a scenario (file → validated variants) and simulate it (→ RunResult).
 */
import { ScenarioError } from './scenario/errors.ts';
import { loadScenarioFile, validateScenario } from './scenario/loader.ts';
import { resolveScenario, type ResolvedScenario } from './scenario/resolve.ts';
import { simulateRun } from './simulate.ts';
import type { RunResult, VariantResult } from './metrics/result.ts';
import type { VariantSeries } from './metrics/timeseries.ts';
import { describeScenario, pricesOf } from './report/assumptions.ts';
import { evaluateThresholds, parseThresholds } from './report/thresholds.ts';
import { VERSION } from './version.ts';

/** Reads, parses, overrides (`--set path=value`) and validates a scenario; throws ScenarioError with every issue. */
export async function loadScenario(file: string, sets: readonly string[] = []): Promise<ResolvedScenario> {
  const r = await loadScenarioFile(file, sets, (raw, locate) => resolveScenario(raw, locate, validateScenario));
  if (!r.ok) throw new ScenarioError(r.issues);
  return r.value;
}

export interface SimulateScenarioOptions {
  timing?: boolean;
  maxEvents?: number;
  /** Called before each variant runs (progress display). */
  onVariant?: (index: number, count: number, name: string) => void;
}

/**
 * Runs every variant of a scenario, one after another, each from the same seeds and named random
 * streams (common random numbers: differences between variants are the strategies', not the dice's).
 */
export function simulate(scenario: ResolvedScenario, options: SimulateScenarioOptions = {}): RunResult {
  const n = scenario.variants.length;
  const thresholds = parseThresholds(scenario.thresholds);
  const result: RunResult = {
    schemaVersion: 1,
    tool: { name: 'pullsim', version: VERSION },
    scenario: {
      name: scenario.name,
      ...(scenario.description !== undefined ? { description: scenario.description } : {}),
      summary: describeScenario(scenario),
    },
    seed: scenario.seed,
    variants: scenario.variants.map((v, i): VariantResult => {
      options.onVariant?.(i, n, v.name);
      let series: VariantSeries | undefined;
      const metrics = simulateRun(v.run, { ...options, onSeries: (s) => (series = s) });
      return { name: v.name, description: v.description, metrics, ...(series ? { series } : {}), prices: pricesOf(v.run) };
    }),
  };
  if (thresholds.length > 0) result.thresholds = evaluateThresholds(result, thresholds);
  return result;
}
