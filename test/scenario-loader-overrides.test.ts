import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatIssues } from '../src/scenario/errors.ts';
import { parseScenarioText, validateScenario } from '../src/scenario/loader.ts';
import { applySetOverrides } from '../src/scenario/overrides.ts';
import { zSize } from '../src/scenario/units.ts';

const Scenario = z.strictObject({
  cluster: z.strictObject({ nodes: z.number().int().min(1), zones: z.number().int().min(1).default(1) }),
  releases: z.strictObject({ delta: zSize }),
  distribution: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('hosted'), preset: z.string().default('dockerhub') }),
    z.strictObject({ kind: z.literal('p2p') }),
  ]),
  variants: z.array(z.strictObject({ name: z.string(), description: z.string().optional() })).optional(),
});

const FILE = `cluster:
  nodes: 500
releases:
  delta: 100 KB
distribution:
  kind: p2p
variants:
  - name: a
`;

function load(sets: string[], text = FILE) {
  const parsed = parseScenarioText(text, 's.yaml');
  if (!parsed.ok) throw new Error('parse failed');
  const over = applySetOverrides(parsed.raw, sets, parsed.locate);
  if (!over.ok) return over;
  return validateScenario(Scenario, over.raw, over.locate);
}

describe('--set overrides', () => {
  it('change values before validation, reading each value as YAML', () => {
    expect(load(['cluster.nodes=1000', 'releases.delta=1MB', 'distribution={kind: hosted}'])).toEqual({
      ok: true,
      value: {
        cluster: { nodes: 1000, zones: 1 },
        releases: { delta: 1e6 },
        distribution: { kind: 'hosted', preset: 'dockerhub' },
        variants: [{ name: 'a' }],
      },
    });
  });

  it('address list items as variants.0.name or variants[0].name, and append at the end', () => {
    const r = load(['variants.0.name=b', 'variants[0].description=first', 'variants[1].name=c']);
    expect(r.ok && r.value.variants).toEqual([{ name: 'b', description: 'first' }, { name: 'c' }]);
  });

  it('report a bad value at the --set argument, with the path of the field', () => {
    const r = load(['cluster.zones=2', 'cluster.nodes=-5']);
    expect(r).toEqual({
      ok: false,
      issues: [{ file: '--set', line: 2, column: 15, source: 'cluster.nodes=-5', path: ['cluster', 'nodes'], value: -5,
        message: 'must be at least 1, got -5', code: 'invalid-value' }],
    });
    expect(formatIssues(r.ok ? [] : r.issues)).toBe('--set cluster.nodes=-5  cluster.nodes: must be at least 1, got -5');
  });

  it('send issues inside a --set mapping, and fields it left missing, to that --set', () => {
    const r = load(['distribution={kind: hosted, presett: ecr}']);
    expect(r.ok ? [] : r.issues.map((i) => [i.file, i.column, i.path.join('.'), i.hint])).toEqual([
      ['--set', 14, 'distribution.presett', 'did you mean "preset"?'],
    ]);
  });

  it('leave issues elsewhere at their file line; file issues come first', () => {
    const r = load(['releases.delta=5 parsecs', 'cluster.nodez=3'], FILE.replace('nodes: 500', 'nodes: 0'));
    expect(r.ok ? [] : r.issues.map((i) => [i.file, i.line, i.column, i.path.join('.')])).toEqual([
      ['s.yaml', 2, 10, 'cluster.nodes'],
      ['--set', 1, 16, 'releases.delta'],
      ['--set', 2, 15, 'cluster.nodez'],
    ]);
  });

  it('report malformed arguments: no "=", empty path, bad path, bad YAML, index past the end', () => {
    const r = applySetOverrides({ variants: [] }, ['cluster.nodes', '=5', 'a..b=1', 'name=[1', 'variants[3].name=x', 'x=']);
    expect(r.ok ? [] : r.issues.map((i) => [i.line, i.column, i.message])).toEqual([
      [1, 1, 'expected PATH=VALUE, got "cluster.nodes"'],
      [2, 1, 'the path before "=" is empty'],
      [3, 3, 'invalid path "a..b": empty segment at column 3'],
      [4, 8, 'invalid value "[1": flow sequence must end with a ]'],
      [5, 1, 'index 3 is past the end of variants, which has 0 items'],
      [6, 3, 'the value after "=" is empty'],
    ]);
  });

  it('suggest the = form for "path value" and "path: value"', () => {
    const r = applySetOverrides({}, ['cluster.nodes 1000']);
    expect(r.ok || r.issues[0].hint).toBe('write --set cluster.nodes=1000');
  });

  it('do not change the raw object they were given', () => {
    const raw = { cluster: { nodes: 1 } };
    applySetOverrides(raw, ['cluster.nodes=2']);
    expect(raw).toEqual({ cluster: { nodes: 1 } });
  });
});
