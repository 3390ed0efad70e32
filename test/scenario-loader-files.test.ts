import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatIssues, issueAt, ScenarioError } from '../src/scenario/errors.ts';
import { loadScenarioFile } from '../src/scenario/loader.ts';
import { zDuration, zSize } from '../src/scenario/units.ts';

const Scenario = z.strictObject({
  cluster: z.strictObject({ nodes: z.number().int().min(1) }),
  releases: z.strictObject({ every: zDuration, delta: zSize }),
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pullsim-loader-'));
  writeFileSync(join(dir, 'seed-500-nodes.yaml'), 'cluster:\n  nodes: 500\nreleases:\n  every: 2h\n  delta: 100 KB\n');
  writeFileSync(join(dir, 'seed.json'), '{\n  "cluster": {"nodes": 5},\n  "releases": {"every": "1h30m", "delta": "1 MiB"}\n}\n');
  mkdirSync(join(dir, 'empty'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadScenarioFile', () => {
  it('reads, applies --set and validates a YAML file; the locator comes with the value', async () => {
    const r = await loadScenarioFile(join(dir, 'seed-500-nodes.yaml'), ['cluster.nodes=1000'], Scenario);
    if (!r.ok) throw new Error(formatIssues(r.issues));
    expect(r.value).toEqual({ cluster: { nodes: 1000 }, releases: { every: 7200, delta: 100_000 } });
    expect(r.locate(['releases', 'delta'])).toMatchObject({ line: 5, column: 10, exact: true });
    expect(r.locate(['cluster', 'nodes'])).toMatchObject({ file: '--set', column: 15 });
  });

  it('reads a JSON file', async () => {
    const r = await loadScenarioFile(join(dir, 'seed.json'), [], Scenario);
    expect(r.ok && r.value).toEqual({ cluster: { nodes: 5 }, releases: { every: 5400, delta: 1_048_576 } });
  });

  it('reports a missing file as an issue with the nearest file name', async () => {
    const path = join(dir, 'seed-500-node.yaml');
    const r = await loadScenarioFile(path, [], Scenario);
    expect(r).toEqual({
      ok: false,
      issues: [{ file: path, line: 0, column: 0, path: [], value: undefined, code: 'file',
        message: 'cannot read the scenario file: it does not exist', hint: `did you mean "${join(dir, 'seed-500-nodes.yaml')}"?` }],
    });
    expect(formatIssues(r.ok ? [] : r.issues)).toBe(
      `${path}  cannot read the scenario file: it does not exist\n    hint: did you mean "${join(dir, 'seed-500-nodes.yaml')}"?`,
    );
  });

  it('finds a scenario named without its scenarios/ directory, and never offers package.json', async () => {
    const project = join(dir, 'project');
    mkdirSync(join(project, 'scenarios'), { recursive: true });
    for (const f of ['package.json', 'package-lock.json', 'tsconfig.json']) writeFileSync(join(project, f), '{}');
    writeFileSync(join(project, 'scenarios', 'seed-500-nodes.yaml'), 'cluster:\n  nodes: 5\n');
    writeFileSync(join(project, 'scenarios', 'scenario.schema.json'), '{}');
    const hintFor = async (name: string) => {
      const r = await loadScenarioFile(join(project, name), [], Scenario);
      return r.ok ? undefined : r.issues[0].hint;
    };
    expect(await hintFor('seed-500-nodes.yaml')).toBe(`did you mean "${join(project, 'scenarios', 'seed-500-nodes.yaml')}"?`);
    expect(await hintFor('seed-500-node.yaml')).toBe(`did you mean "${join(project, 'scenarios', 'seed-500-nodes.yaml')}"?`);
    expect(await hintFor('other.yaml')).toBe(`scenario files in "${join(project, 'scenarios')}": seed-500-nodes.yaml`);
  });

  it('reports a directory, and a file in a directory that does not exist', async () => {
    const d = await loadScenarioFile(dir, [], Scenario);
    expect(d.ok || d.issues[0]).toMatchObject({ message: 'cannot read the scenario file: it is a directory', hint: `pass one of its files, e.g. "${join(dir, 'seed-500-nodes.yaml')}"` });
    const e = await loadScenarioFile(join(dir, 'empty', 'x.yaml'), [], Scenario);
    expect(e.ok || e.issues[0].hint).toBe(`there are no .yaml or .json files in "${join(dir, 'empty')}"`);
    const n = await loadScenarioFile(join(dir, 'nope', 'x.yaml'), [], Scenario);
    expect(n.ok || n.issues[0].hint).toBe(`the directory "${join(dir, 'nope')}" does not exist either`);
  });

  it('stops at malformed --set arguments before validating', async () => {
    const r = await loadScenarioFile(join(dir, 'seed-500-nodes.yaml'), ['cluster.nodes'], Scenario);
    expect(r.ok || r.issues.map((i) => i.code)).toEqual(['override']);
  });
});

describe('ScenarioError and issueAt', () => {
  it('carry positioned issues for checks made after validation', async () => {
    const r = await loadScenarioFile(join(dir, 'seed-500-nodes.yaml'), [], Scenario);
    if (!r.ok) throw new Error('load failed');
    const issue = issueAt(r.locate, ['releases', 'every'], '2h', 'a release every 2h never fits in a 1h run', 'raise duration');
    const error = new ScenarioError([issue]);
    expect(error.issues).toEqual([{ file: join(dir, 'seed-500-nodes.yaml'), line: 4, column: 10, path: ['releases', 'every'],
      value: '2h', message: 'a release every 2h never fits in a 1h run', hint: 'raise duration', code: 'custom' }]);
    expect(error.message).toBe(`1 problem in the scenario:\n${formatIssues([issue])}`);
    expect(error).toBeInstanceOf(Error);
  });
});
