/**
 * The library's two verbs: load a scenario (file → validated variants) and simulate it (→ RunResult).
 */
import { ScenarioError } from './scenario/errors.ts';
import { loadScenarioFile, validateScenario } from './scenario/loader.ts';
import { resolveScenario, type ResolvedScenario } from './scenario/resolve.ts';
import { simulateRun } from './simulate.ts';
import type { RunResult } from './metrics/result.ts';
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

/** Runs every variant of a scenario, one after another, each from the same seeds. */
export function simulate(scenario: ResolvedScenario, options: SimulateScenarioOptions = {}): RunResult {
  const n = scenario.variants.length;
  return {
    schemaVersion: 1,
    tool: { name: 'pullsim', version: VERSION },
    scenario: { name: scenario.name },
    seed: scenario.seed,
    variants: scenario.variants.map((v, i) => {
      options.onVariant?.(i, n, v.name);
      return { name: v.name, description: v.description, metrics: simulateRun(v.run, options) };
    }),
  };
}
