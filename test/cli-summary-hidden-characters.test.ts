/**
 * The terminal summary never interprets a name: an escape sequence (which could set the window title or
 * clear the screen) and a bidi override in a variant name reach stdout as visible <U+XXXX> tokens, and a
 * newline in a description cannot break the table.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pullsim } from './cli-helpers.ts';

describe('the terminal summary', () => {
  it('shows control and bidi characters in names as visible tokens', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-tty-'));
    const file = path.join(dir, 'esc.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'name: "\\e]0;owned\\a\\e[2J"',
        'duration: 2h',
        'cluster: { nodes: 3 }',
        'releases: { every: 2h, delta: 100 KB }',
        'variants:',
        '  - name: "ecr\\u202Eevil"',
        '    description: "two\\nlines"',
        '    distribution: { kind: hosted, preset: ecr }',
        '',
      ].join('\n'),
    );
    const r = pullsim(['compare', file, '--jobs', '1']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202a-\u202e]/);
    expect(r.stdout).toContain('scenario <U+001B>]0;owned<U+0007><U+001B>[2J');
    expect(r.stdout).toContain('ecr<U+202E>evil');
    expect(r.stdout).toContain('two lines');
    const v = pullsim(['validate', file]);
    expect(v.stdout).toBe(`${file}: ok (1 variant: ecr<U+202E>evil)\n`);
  });
});
