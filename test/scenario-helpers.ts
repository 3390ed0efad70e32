import { loadScenario } from '../src/run.ts';
import { ScenarioError, type ScenarioIssue } from '../src/scenario/errors.ts';

/** The problems loading `file` (with `--set` overrides) reports; throws if it loads without any. */
export async function scenarioIssues(file: string, sets: string[] = []): Promise<ScenarioIssue[]> {
  try {
    await loadScenario(file, sets);
  } catch (e) {
    if (e instanceof ScenarioError) return [...e.issues];
    throw e;
  }
  throw new Error('the scenario loaded without problems');
}
