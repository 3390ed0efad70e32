/**
 * Issue 7's acceptance: 200 random mutations of each bundled scenario (scenarios/*.yaml), fed to the real
 * CLI entry (cliMain, in this process with stdout and stderr captured, because 2,000 process starts would
 * take many minutes), as `run FILE --variant V --max-events 3000 --max-wall 2s --jobs 1` or `validate FILE`.
 * Every one exits 0 or 2 (or 99: a completed run whose threshold failed), none prints a stack trace or an
 * internal error, none runs past its budget.
 *
 * Mutations are the edits a person or a bad merge makes: drop, duplicate or swap lines, change a character,
 * a number or a unit, scale a number up. fast-check with a fixed seed, so CI is repeatable:
 * PULLSIM_FUZZ_SEED=<n> explores other inputs and PULLSIM_FUZZ_RUNS=<n> changes the count per scenario;
 * a failure prints the seed, the scenario, the arguments and the mutated text.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cliMain } from '../src/cli/main.ts';
import { hasStackTrace } from './cli-helpers.ts';
import { bundledScenarios, mutation } from './scenario-mutations.ts';

const SEED = Number(process.env.PULLSIM_FUZZ_SEED ?? 20261207);
const RUNS = Number(process.env.PULLSIM_FUZZ_RUNS ?? 200);
const MAX_WALL_S = 2;
/** The wall budget plus start-up and one kernel slice; a case past this ran past its budget. */
const BUDGET_MS = (MAX_WALL_S + 3) * 1000;

const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-fuzz-'));
const SCENARIOS = bundledScenarios();

/** The variant names a (possibly mutated) file lists, to aim `--variant` at any of them. */
function variantNames(text: string): string[] {
  return [...text.matchAll(/^\s*- name: *"?([^"\n#]+?)"?\s*(#.*)?$/gm)].map((m) => m[1]);
}

interface Outcome {
  code: number;
  output: string;
  ms: number;
}

/** cliMain with stdout and stderr captured (both are written only through process.*.write). */
async function runCli(argv: string[]): Promise<Outcome> {
  const out = process.stdout.write;
  const err = process.stderr.write;
  let output = '';
  const capture = ((chunk: string | Uint8Array, a?: unknown, b?: unknown) => {
    output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const cb = typeof a === 'function' ? a : typeof b === 'function' ? b : undefined;
    if (cb) (cb as () => void)();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  const t0 = performance.now();
  try {
    const code = await cliMain(argv);
    return { code, output, ms: performance.now() - t0 };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

describe(`the CLI on ${RUNS} mutations of each bundled scenario (seed ${SEED})`, () => {
  for (const [k, s] of SCENARIOS.entries()) {
    it(`${s.name}: exit 0 or 2, no stack trace, within budget`, { timeout: 600_000 }, async () => {
      const file = path.join(dir, s.name);
      let slowest = 0;
      await fc.assert(
        fc.asyncProperty(mutation(s.text), fc.nat(), fc.nat({ max: 4 }), async (text, pick, mode) => {
          writeFileSync(file, text);
          const names = variantNames(text);
          // One case in five only validates; the others run one variant (any of them) on a small budget.
          const argv =
            mode === 0 || names.length === 0
              ? ['validate', file]
              : ['run', file, '--variant', names[pick % names.length], '--max-events', '3000', `--max-wall=${MAX_WALL_S}s`, '--jobs', '1', '--quiet'];
          const r = await runCli(argv);
          slowest = Math.max(slowest, r.ms);
          const context = `pullsim ${argv.join(' ')}\n--- exit ${r.code} after ${r.ms.toFixed(0)} ms, output:\n${r.output}\n--- mutated ${s.name}:\n${text}`;
          expect([0, 2, 99], context).toContain(r.code);
          expect(hasStackTrace(r.output), context).toBe(false);
          expect(r.output, context).not.toContain('internal error');
          expect(r.ms, context).toBeLessThan(BUDGET_MS);
        }),
        { numRuns: RUNS, seed: SEED + k, endOnFailure: true },
      );
      expect(slowest).toBeLessThan(BUDGET_MS);
    });
  }
});
