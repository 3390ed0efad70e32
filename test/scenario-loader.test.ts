import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatIssues, type ScenarioIssue } from '../src/scenario/errors.ts';
import { parseScenarioText, validateScenario, type ValidationResult } from '../src/scenario/loader.ts';
import { zDuration, zPrice, zRate, zSize } from '../src/scenario/units.ts';

// A small strict schema shaped like a scenario, so the loader is tested without the real schema.
const TestDistribution = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('hosted'), preset: z.enum(['dockerhub', 'ecr', 'gar']).default('dockerhub') }),
  z.strictObject({ kind: z.literal('p2p'), pieceSize: zSize.prefault('4 MiB') }),
]);

const TestScenario = z.strictObject({
  version: z.literal(1),
  name: z.string().min(1),
  cluster: z.strictObject({
    nodes: z.number().int().min(1),
    zones: z.number().int().min(1).default(1),
    nic: zRate.prefault('10 Gbit/s'),
  }),
  releases: z.strictObject({ every: zDuration, delta: zSize }),
  distribution: TestDistribution,
  variants: z.array(z.strictObject({ name: z.string().min(1), distribution: TestDistribution.optional() })).optional(),
  prices: z.strictObject({ egress: zPrice('per-GB').optional() }).prefault({}),
});

/** 12 lines; each test below edits one or more of them. */
const GOOD_YAML = `version: 1
name: demo
cluster:
  nodes: 500
  zones: 3
  nic: 10 Gbit/s
releases:
  every: 2h
  delta: 100 KB
distribution:
  kind: hosted
  preset: ecr
`;

const GOOD_VALUE = {
  version: 1,
  name: 'demo',
  cluster: { nodes: 500, zones: 3, nic: 1.25e9 },
  releases: { every: 7200, delta: 100_000 },
  distribution: { kind: 'hosted', preset: 'ecr' },
  prices: {},
};

/** GOOD_YAML with line `n` (1-based) replaced. */
function withLine(n: number, line: string, text = GOOD_YAML): string {
  const lines = text.split('\n');
  lines[n - 1] = line;
  return lines.join('\n');
}

function check<T>(text: string, file = 'scenarios/x.yaml', schema: z.ZodType<T> = TestScenario as unknown as z.ZodType<T>): ValidationResult<T> {
  const parsed = parseScenarioText(text, file);
  if (!parsed.ok) return parsed;
  return validateScenario(schema, parsed.raw, parsed.locate);
}

function issuesOf(text: string, file?: string): ScenarioIssue[] {
  const r = check(text, file);
  if (r.ok) throw new Error('expected issues');
  return r.issues;
}

describe('scenario loader', () => {
  it('loads a good YAML scenario into base units', () => {
    expect(check(GOOD_YAML)).toEqual({ ok: true, value: GOOD_VALUE });
  });

  it('reports a typo\'d key at its line with a did-you-mean naming the field it left missing: one issue, not two', () => {
    const issues = issuesOf(withLine(4, '  nodez: 500'));
    expect(issues).toEqual([
      { file: 'scenarios/x.yaml', line: 4, column: 3, path: ['cluster', 'nodez'], value: 500,
        message: 'unknown key "nodez"', hint: 'did you mean "nodes"?', code: 'unknown-key' },
    ]);
  });

  it('reports a bad unit at the line and column of the value', () => {
    const [issue] = issuesOf(withLine(9, '  delta: 100 MBs'));
    expect(issue).toMatchObject({ line: 9, column: 10, path: ['releases', 'delta'], value: '100 MBs', message: 'invalid size "100 MBs"' });
    expect(formatIssues([issue])).toBe(
      'scenarios/x.yaml:9:10  releases.delta: invalid size "100 MBs"\n' +
        '    hint: did you mean "100 MB"? ("MBs" looks like a rate; a size was expected, e.g. "100 KB")',
    );
  });

  it('reports five different mistakes in one file as five issues, in file order', () => {
    let text = withLine(4, '  nodes: 0');
    text = withLine(6, '  nic: 10 Mb', text);
    text = withLine(8, '  every: 2 hours', text);
    text = withLine(9, '  delta: 100 MBs', text);
    text = withLine(12, '  presett: ecr', text);
    const issues = issuesOf(text);
    expect(issues.map((i) => [i.line, i.column, i.path.join('.'), i.message])).toEqual([
      [4, 10, 'cluster.nodes', 'must be at least 1, got 0'],
      [6, 8, 'cluster.nic', 'invalid rate "10 Mb"'],
      [8, 10, 'releases.every', 'invalid duration "2 hours"'],
      [9, 10, 'releases.delta', 'invalid size "100 MBs"'],
      [12, 3, 'distribution.presett', 'unknown key "presett"'],
    ]);
    expect(issues.map((i) => i.hint)).toEqual([
      undefined,
      '"Mb" is ambiguous: write "10 Mbit/s" (or "10 Mbps") for megabits per second, or "10 MB/s" for megabytes per second',
      'did you mean "2 h"? (hours are "h")',
      'did you mean "100 MB"? ("MBs" looks like a rate; a size was expected, e.g. "100 KB")',
      'did you mean "preset"?',
    ]);
  });

  it('suggests the nearest allowed value for enums and union tags', () => {
    const [preset] = issuesOf(withLine(12, '  preset: ecs'));
    expect(preset).toMatchObject({ line: 12, column: 11, message: 'expected one of "dockerhub", "ecr" or "gar", got "ecs"', hint: 'did you mean "ecr"?' });
    const [kind] = issuesOf(withLine(12, '', withLine(11, '  kind: hostd')));
    expect(kind).toMatchObject({ line: 11, column: 9, path: ['distribution', 'kind'], message: 'unknown kind "hostd": expected one of "hosted" or "p2p"', hint: 'did you mean "hosted"?' });
  });

  it('finds allowed keys through arrays, optional fields and the union option the data names', () => {
    const text = `${GOOD_YAML}variants:\n  - name: a\n    distribution: {kind: p2p, pieceSise: 4 MiB}\n`;
    const [issue] = issuesOf(text);
    expect(issue).toMatchObject({ line: 15, column: 31, path: ['variants', 0, 'distribution', 'pieceSise'], hint: 'did you mean "pieceSize"?' });
  });

  it('explains wrong types in the user\'s terms', () => {
    const [quoted] = issuesOf(withLine(4, '  nodes: "500"'));
    expect(quoted).toMatchObject({ message: 'expected a number, got "500"', hint: 'remove the quotes: 500' });
    const [empty] = issuesOf(withLine(6, '', withLine(5, '', withLine(4, ''))));
    expect(empty).toMatchObject({ line: 3, column: 1, path: ['cluster'], message: 'expected a mapping, got an empty value' });
  });

  it('keeps a schema\'s own messages and the hint from params.hint', () => {
    const Checked = TestScenario.superRefine((s, ctx) => {
      if (s.releases.delta > 50_000) {
        ctx.addIssue({ code: 'custom', path: ['releases', 'delta'], message: 'delta is larger than the image', params: { hint: 'lower releases.delta' } });
      }
    });
    const r = check(GOOD_YAML, 'x.yaml', Checked);
    expect(r).toEqual({
      ok: false,
      issues: [{ file: 'x.yaml', line: 9, column: 10, path: ['releases', 'delta'], value: '100 KB',
        message: 'delta is larger than the image', hint: 'lower releases.delta', code: 'custom' }],
    });
  });

  it('accepts a callback for the allowed keys at a path', () => {
    const parsed = parseScenarioText('a: 1\nnodez: 2\n', 'x.yaml');
    if (!parsed.ok) throw new Error('parse failed');
    const r = validateScenario(z.strictObject({ a: z.number() }), parsed.raw, parsed.locate, { allowedKeys: () => ['a', 'nodes'] });
    expect(r.ok || r.issues[0].hint).toBe('did you mean "nodes"?');
  });

  it('reports a YAML syntax error with its line', () => {
    const issues = issuesOf(withLine(4, '  nodes 500'));
    expect(issues).toEqual([{ file: 'scenarios/x.yaml', line: 4, column: 3, path: [], value: undefined, code: 'syntax',
      message: 'YAML syntax error: implicit keys need to be on a single line',
      hint: 'every line of a mapping needs "key: value", with a space after the colon' }]);
  });

  it('reports duplicate keys and an empty file', () => {
    expect(issuesOf(`${GOOD_YAML}name: again\n`)[0]).toMatchObject({ line: 13, column: 1, message: 'duplicate key "name"' });
    expect(issuesOf('# nothing here\n')[0]).toMatchObject({ line: 1, message: 'the scenario file is empty' });
  });

  it('follows YAML anchors and merge keys', () => {
    const text = `${withLine(12, '  preset: &p ecr')}variants:\n  - name: a\n    distribution:\n      <<: {kind: hosted}\n      preset: *p\n`;
    expect(check(text).ok).toBe(true);
  });
});

describe('JSON scenarios', () => {
  const json = JSON.stringify({
    version: 1, name: 'demo', cluster: { nodes: 500, zones: 3, nic: '10 Gbit/s' },
    releases: { every: '2h', delta: '100 KB' }, distribution: { kind: 'hosted', preset: 'ecr' },
  }, null, 2);

  it('load like YAML', () => {
    expect(check(json, 'x.json')).toEqual({ ok: true, value: GOOD_VALUE });
  });

  it('position issues at the JSON line', () => {
    const [issue] = issuesOf(json.replace('"zones"', '"zone"'), 'x.json');
    expect(issue).toMatchObject({ file: 'x.json', line: 6, column: 5, message: 'unknown key "zone"', hint: 'did you mean "zones"?' });
  });

  it('report syntax errors with line, column and a fix', () => {
    const trailing = issuesOf('{\n  "version": 1,\n  "name": "x",\n}\n', 'x.json');
    expect(trailing).toEqual([{ file: 'x.json', line: 3, column: 14, path: [], value: undefined, code: 'syntax',
      message: 'JSON syntax error: trailing comma before "}"', hint: 'JSON allows no comma after the last entry; remove it' }]);
    expect(issuesOf('{\n  "version": 1\n  "name": "x"\n}\n', 'x.json')[0]).toMatchObject({ line: 2, column: 15, message: 'JSON syntax error: missing "," after this value (or "}" to close the object)' });
    expect(issuesOf('{\n  "size": 100 KB\n}\n', 'x.json')[0]).toMatchObject({ line: 2, column: 11, message: 'JSON syntax error: a number with a unit must be a quoted string' });
    expect(issuesOf('{"a": 1, "a": 2}', 'x.json')[0]).toMatchObject({ line: 1, column: 10, message: 'duplicate key "a"' });
  });
});

describe('JSON Schema from a schema using the unit helpers', () => {
  it('generates on the input side', () => {
    type Props = { properties: Record<string, Props & Record<string, unknown>>; required?: string[] };
    const schema = z.toJSONSchema(TestScenario, { io: 'input' }) as unknown as Props;
    const alone = z.toJSONSchema(z.object({ d: zSize }), { io: 'input' }) as unknown as Props;
    expect(schema.properties.releases.properties.delta).toEqual(alone.properties.d);
    expect(schema.properties.cluster.properties.nic).toMatchObject({ type: 'string', default: '10 Gbit/s' });
    expect(schema.properties.cluster.required).toEqual(['nodes']);
    expect(schema.properties.distribution.oneOf).toHaveLength(2);
  });
});
