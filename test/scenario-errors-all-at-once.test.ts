import { describe, expect, it } from 'vitest';
import { hasStackTrace, pullsim } from './cli-helpers.ts';
import { scenarioIssues as issuesOf } from './scenario-helpers.ts';

const FILE = 'test/fixtures/five-mistakes.yaml';

describe('a scenario with five mistakes', () => {
  it('reports all five, in file order, each at its own line with a hint', async () => {
    const issues = await issuesOf(FILE);
    expect(issues.map((i) => [i.line, i.path.join('.')])).toEqual([
      [6, 'cluster.nodse'],
      [8, 'images.size'],
      [9, 'releases.every'],
      [10, 'rollout.strategy'],
      [14, 'thresholds.rollout_s.p999'],
    ]);
    expect(issues.every((i) => i.file === FILE && i.column > 0)).toBe(true);
    expect(issues.map((i) => i.hint)).toEqual([
      'did you mean "nodes"?',
      expect.stringContaining('did you mean "500 MB"?'),
      expect.stringContaining('did you mean "2 h"?'),
      'did you mean "all-at-once"?',
      expect.stringContaining('rollout_s.p99'),
    ]);
  });

  it('a misspelt required key is one problem, not "unknown key" plus "missing"', async () => {
    const issues = await issuesOf(FILE);
    expect(issues.filter((i) => i.path.join('.') === 'cluster.nodes')).toEqual([]);
  });

  it('pullsim validate prints all five with file:line:column, exits 2, no stack trace', () => {
    const r = pullsim(['validate', FILE]);
    expect(r.status).toBe(2);
    expect(hasStackTrace(r.stderr + r.stdout)).toBe(false);
    const text = r.stderr + r.stdout;
    expect(text).toContain('5 problems in the scenario');
    for (const where of [':6:3  cluster.nodse', ':8:', ':9:', ':10:', ':14:']) expect(text).toContain(`${FILE}${where}`);
  });
});

describe('problems naming hidden characters', () => {
  it('show bidi and control characters as <U+XXXX> or escapes, never raw, on the terminal', () => {
    const r = pullsim(['validate', 'test/fixtures/hidden-characters.yaml']);
    expect(r.status).toBe(2);
    const text = r.stderr + r.stdout;
    expect(text).toContain('unknown key "<U+202E>gnp"');
    expect(text).toContain('unknown key "a\\u001b[2Jb"');
    expect(text).not.toMatch(/[\u001b\u202e]/);
  });
});
