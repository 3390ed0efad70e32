import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../src/scenario/loader.ts';

describe('a YAML break that makes every later token unexpected', () => {
  it('is reported once, where the parser lost the structure, with the echoes counted in the hint', () => {
    // The fuzzer's find: the first line swapped with an indented flow mapping from the end of the file.
    // The parser then takes the document to be that one mapping and flags each later token (64 here).
    const lines = readFileSync('scenarios/seed-500-nodes.yaml', 'utf8').split('\n');
    const text = ['    distribution: { kind: hosted, preset: ecr }', ...lines.slice(1)].join('\n');
    const parsed = parseScenarioText(text, 'swapped.yaml');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues).toHaveLength(1);
    const [issue] = parsed.issues;
    expect(issue.message).toMatch(/^YAML syntax error: unexpected /);
    expect(issue.hint).toMatch(/^the document's structure broke at or before this point: .* \(\d+ more errors after it follow from the same break\)$/);
  });
});
