import { describe, expect, it } from 'vitest';
import { pullsim, hasStackTrace } from './cli-helpers.ts';

describe('scenario mistakes exit 2 with file:line, the field and a hint', () => {
  it('a typo in a key names its line and suggests the right key', () => {
    const r = pullsim(['run', 'test/fixtures/typo-key.yaml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('test/fixtures/typo-key.yaml:5:');
    expect(r.stderr).toContain('nodse');
    expect(r.stderr).toMatch(/did you mean.*nodes/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('a bad sweep value is reported as the --param it came from, not as a --set', () => {
    const r = pullsim(['sweep', 'scenarios/seed-500-nodes.yaml', '--set', 'duration=2h', '--param', 'cluster.nodez=1,2', '--quiet']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--param cluster.nodez=1  cluster.nodez: unknown key "nodez"\n    hint: did you mean "nodes"?');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('a bad unit names its line, the field path and the fix', () => {
    const r = pullsim(['run', 'test/fixtures/bad-unit.yaml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('test/fixtures/bad-unit.yaml:7:');
    expect(r.stderr).toContain('releases.delta');
    expect(r.stderr).toContain('100 MBs');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('validate reports the same problems and exits 2; a good file exits 0', () => {
    expect(pullsim(['validate', 'test/fixtures/bad-unit.yaml']).status).toBe(2);
    const ok = pullsim(['validate', 'scenarios/seed-500-nodes.yaml']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('3 variants');
  });

  it('a missing file, an unknown command and a bad output path are usage errors', () => {
    const missing = pullsim(['run', 'scenarios/nope.yaml']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('does not exist');
    expect(missing.stderr).toContain('seed-500-nodes.yaml');
    expect(pullsim(['frobnicate']).status).toBe(2);
    const badOut = pullsim(['run', 'scenarios/seed-500-nodes.yaml', '--json', '/nonexistent-dir/x.json']);
    expect(badOut.status).toBe(2);
    expect(hasStackTrace(badOut.stderr)).toBe(false);
  });
});
