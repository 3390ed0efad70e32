import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIssues, type ScenarioIssue } from '../src/scenario/errors.ts';
import { applySetOverrides, parseScenarioText, validateScenario } from '../src/scenario/loader.ts';
import { resolveScenario } from '../src/scenario/resolve.ts';
import { bundledScenarios, mutation } from './scenario-mutations.ts';

/** The whole load, from text: every outcome is a scenario or a list of issues; nothing may throw. */
function load(text: string, sets: string[] = []): { ok: true } | { ok: false; issues: ScenarioIssue[] } {
  const parsed = parseScenarioText(text, 'fuzz.yaml');
  if (!parsed.ok) return parsed;
  const over = applySetOverrides(parsed.raw, sets, parsed.locate);
  if (!over.ok) return over;
  const r = resolveScenario(over.raw, over.locate, validateScenario);
  return r.ok ? { ok: true } : r;
}

/** Fixed so CI is repeatable; PULLSIM_FUZZ_SEED=<n> explores other inputs (a failure prints its seed). */
const SEED = Number(process.env.PULLSIM_FUZZ_SEED ?? 20261201);
fc.configureGlobal({ seed: SEED });

function expectHelpful(r: ReturnType<typeof load>): void {
  if (r.ok) return;
  expect(r.issues.length).toBeGreaterThan(0);
  for (const i of r.issues) {
    expect(typeof i.message).toBe('string');
    expect(i.message.length).toBeGreaterThan(0);
  }
  expect(formatIssues(r.issues)).not.toMatch(/\bundefined\b|\[object Object\]/);
}

const SCENARIOS = bundledScenarios();

describe('scenario loading never crashes', () => {
  it('random text yields a scenario or issues, never an exception', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => expectHelpful(load(text))), { numRuns: 500 });
  });

  it('random YAML-ish lines yield issues, never an exception', () => {
    const line = fc.tuple(fc.constantFrom('', '  ', '    '), fc.constantFrom('version', 'name', 'cluster', 'nodes', 'releases', 'every', 'delta', 'variants', '- name', 'distribution', 'kind', 'x'), fc.constantFrom(': ', ':', ' '), fc.constantFrom('1', 'hosted', '2h', '100 KB', '[', '{a: 1}', '&a 1', '*a', '!!binary x', '', '-5'));
    fc.assert(fc.property(fc.array(line, { maxLength: 15 }), (ls) => expectHelpful(load(ls.map((l) => l.join('')).join('\n')))), { numRuns: 500 });
  });

  it('deep nesting and alias cycles are issues, not stack overflows', () => {
    expectHelpful(load(`${'['.repeat(5000)}${']'.repeat(5000)}`));
    expectHelpful(load('version: 1\nname: x\ncluster: &c { nodes: 5, self: *c }\nreleases: { every: 2h, delta: 1 KB }\n'));
    expectHelpful(load(`a: &a [${Array(9).fill('*a').join(',')}]\nb: &b [${Array(9).fill('*a').join(',')}]\n`)); // billion laughs
  });

  it('random --set arguments yield issues, never an exception', () => {
    const text = SCENARIOS.find((s) => s.name === 'seed-500-nodes.yaml')!.text;
    const arg = fc.tuple(fc.constantFrom('cluster.nodes', 'releases.delta', 'variants.0.distribution', 'variants.9.name', 'a..b', '', 'cluster', 'thresholds.x', '__proto__.x', 'constructor.prototype.x'), fc.constantFrom('=', ''), fc.string({ maxLength: 12 }));
    fc.assert(fc.property(fc.array(arg, { maxLength: 3 }), (args) => expectHelpful(load(text, args.map((a) => a.join(''))))), { numRuns: 300 });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  for (const s of SCENARIOS) {
    it(`200 mutations of ${s.name} yield a scenario or issues`, () => {
      fc.assert(fc.property(mutation(s.text), (text) => expectHelpful(load(text))), { numRuns: 200 });
    });
  }
});

describe('bugs the fuzzer found', () => {
  it('a --set value with an alias that has no anchor is an issue', () => {
    const text = SCENARIOS.find((s) => s.name === 'seed-500-nodes.yaml')!.text;
    const r = load(text, ['cluster.nodes=*x']);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0].message).toContain('invalid value "*x"');
  });

  it('zones far over the bound is one bound issue (cross-field checks used to build an array that long)', () => {
    const text = SCENARIOS.find((s) => s.name === 'seed-500-nodes.yaml')!.text;
    const r = load(text, ['cluster.zones=99999999999']);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.message)).toEqual(['must be at most 26, got 99999999999']);
  });
});
