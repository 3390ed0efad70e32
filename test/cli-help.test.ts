/**
 * Help stays whole although the CLI skips yargs' help render after a command starts (skipHelpCache in
 * src/cli/main.ts): top-level and per-command --help list what they should, and exit 0.
 */
import { describe, expect, it } from 'vitest';
import { pullsim } from './cli-helpers.ts';

describe('pullsim --help', () => {
  it('lists every command', () => {
    const r = pullsim(['--help']);
    expect(r.status).toBe(0);
    for (const c of ['run <scenario>', 'compare <scenario>', 'sweep <scenario>', 'merge <parts..>', 'report <result>', 'validate <scenario>', 'schema', 'bench'])
      expect(r.stdout).toContain(`pullsim ${c}`);
  });

  it("a command's --help lists its options and examples", () => {
    const r = pullsim(['run', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^pullsim run <scenario>/);
    for (const o of ['--set', '--variant', '--jobs', '--json', '--max-events', '--force']) expect(r.stdout).toContain(o);
    expect(r.stdout).toContain('run the seed scenario');
  });
});
