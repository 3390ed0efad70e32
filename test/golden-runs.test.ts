/**
 * Golden runs: whole bundled scenarios with their fixed seeds, whose metrics are committed in
 * test/golden/. A change that moves any number must update the golden file in the same commit and say
 * why in the message: `PULLSIM_UPDATE_GOLDEN=1 npx vitest run test/golden-runs.test.ts` rewrites them.
 * `events` and `wall_ms` are left out: they measure the simulator, not the system simulated, and a
 * speed-up may change the first without moving any answer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario, simulate } from '../src/run.ts';
import { writeOutput } from '../src/report/index.ts';

const UPDATE = process.env.PULLSIM_UPDATE_GOLDEN === '1';

/** Scenario files and the --set overrides that keep each one a few seconds long. */
export const GOLDEN: { file: string; sets: string[] }[] = [
  { file: 'scenarios/seed-500-nodes.yaml', sets: [] },
  { file: 'scenarios/registry-outage.yaml', sets: [] },
  { file: 'scenarios/rolling-vs-all-at-once.yaml', sets: [] },
  { file: 'scenarios/multi-zone-nat.yaml', sets: [] },
];

function goldenPath(file: string): string {
  return `test/golden/${file.replace(/^scenarios\//, '').replace(/\.ya?ml$/, '')}.json`;
}

/** Every number of a run that answers the scenario's question, in a stable order. */
export async function goldenOf(file: string, sets: string[]): Promise<string> {
  const scenario = await loadScenario(file, sets);
  const result = simulate(scenario);
  const variants = result.variants.map((v) => {
    const { events: _e, wall_ms: _w, ...metrics } = v.metrics;
    return { name: v.name, metrics };
  });
  return `${JSON.stringify({ scenario: result.scenario.name, seed: result.seed, sets, variants }, null, 2)}\n`;
}

/** Paths whose values differ, for a failure message a person can read. */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return Object.is(a, b) ? [] : [`${path}: golden ${JSON.stringify(a)}, now ${JSON.stringify(b)}`];
}

describe('golden runs', () => {
  for (const { file, sets } of GOLDEN) {
    it(`${file} ${sets.join(' ')} gives the committed numbers`, async () => {
      const now = await goldenOf(file, sets);
      const path = goldenPath(file);
      if (UPDATE) {
        await writeOutput(path, now);
        return;
      }
      expect(existsSync(path), `${path} is missing: run PULLSIM_UPDATE_GOLDEN=1 npx vitest run test/golden-runs.test.ts`).toBe(true);
      const golden = readFileSync(path, 'utf8');
      if (golden !== now) {
        const moved = differences(JSON.parse(golden), JSON.parse(now));
        throw new Error(
          `${file}: ${moved.length} number(s) moved from ${path}:\n  ${moved.slice(0, 40).join('\n  ')}\n` +
            'If the change is intended, rerun with PULLSIM_UPDATE_GOLDEN=1 and say why in the commit message.',
        );
      }
    }, 120_000);
  }
});
