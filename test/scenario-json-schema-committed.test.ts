import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../src/scenario/schema.ts';

describe('the published JSON Schema', () => {
  it('scenarios/scenario.schema.json is what `pullsim schema` prints (regenerate it when the schema changes)', () => {
    const committed = readFileSync(new URL('../scenarios/scenario.schema.json', import.meta.url), 'utf8');
    const current = `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
    expect(
      committed === current,
      'scenarios/scenario.schema.json is stale: run `node bin/pullsim.js schema --out scenarios/scenario.schema.json`',
    ).toBe(true);
  });

  it('describes the contract fields with their human units', () => {
    const s = scenarioJsonSchema() as { properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(Object.keys(s.properties)).toEqual(
      expect.arrayContaining(['version', 'name', 'seed', 'duration', 'cluster', 'images', 'releases', 'rollout', 'distribution', 'variants', 'thresholds']),
    );
    expect(Object.keys(s.properties.cluster.properties ?? {})).toEqual(expect.arrayContaining(['nodes', 'zones']));
    expect(Object.keys(s.properties.releases.properties ?? {})).toEqual(expect.arrayContaining(['every', 'images', 'delta']));
    expect(JSON.stringify(s.properties.releases)).toContain('100 KB');
  });
});
