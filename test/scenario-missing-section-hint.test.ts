import { describe, expect, it } from 'vitest';
import { scenarioIssues as issuesOf } from './scenario-helpers.ts';

describe('a missing required section', () => {
  it('is named, and its hint lists the keys the section takes (not zod\'s "nonoptional")', async () => {
    const issues = await issuesOf('test/fixtures/missing-section.yaml');
    expect(issues.map((i) => [i.path.join('.'), i.message, i.hint])).toEqual([
      ['releases', 'missing required field "releases"', 'add it: a mapping of every, images, delta (`pullsim schema` lists them all)'],
    ]);
  });
});
