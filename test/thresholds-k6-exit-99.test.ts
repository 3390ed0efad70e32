import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pullsim, hasStackTrace } from './cli-helpers.ts';
import { holds, parseThreshold } from '../src/report/thresholds.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-thresholds-'));

/** A small two-variant scenario with the given `thresholds:` lines. */
function scenario(name: string, thresholds: string[]): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'version: 1',
      `name: ${name}`,
      'seed: 3',
      'duration: 6h',
      'cluster: { nodes: 20, zones: 2 }',
      'releases: { every: 2h, delta: 100 KB }',
      'thresholds:',
      ...thresholds.map((t) => `  ${t}`),
      'variants:',
      '  - name: dockerhub',
      '    distribution: { kind: hosted, preset: dockerhub }',
      '  - name: ecr',
      '    distribution: { kind: hosted, preset: ecr }',
      '',
    ].join('\n'),
  );
  return file;
}

describe('threshold expressions', () => {
  it('parse the right-hand side with the unit grammar of the metric', () => {
    const d = parseThreshold('rollout_s.p99', '< 10m');
    expect(d).toEqual({ ok: true, value: { metric: 'rollout_s.p99', op: '<', bound: 600, expression: '< 10m' } });
    const m = parseThreshold('cost_usd_per_day', '<= $50');
    expect(m.ok && m.value.bound).toBe(50);
    const s = parseThreshold('internet_bytes', '< 2 GiB');
    expect(s.ok && s.value.bound).toBe(2 * 2 ** 30);
    const c = parseThreshold('pulls_failed', '==0');
    expect(c.ok && c.value).toMatchObject({ op: '==', bound: 0 });
  });

  it('reject an unknown metric with a did-you-mean hint, and a bound in the wrong unit', () => {
    const typo = parseThreshold('rolout_s.p99', '< 10m');
    expect(typo.ok).toBe(false);
    if (!typo.ok) expect(typo.problem.hint).toBe('did you mean "rollout_s.p99"?');
    const money = parseThreshold('cost_usd_per_day', '< 50');
    expect(money.ok).toBe(false);
    const noOp = parseThreshold('pulls_failed', '0');
    expect(noOp.ok).toBe(false);
  });

  it('compare with every operator as written', () => {
    expect([holds('<', 1, 2), holds('<=', 2, 2), holds('>', 2, 2), holds('>=', 2, 2), holds('==', 0, 0), holds('!=', 0, 0)]).toEqual([
      true, true, false, true, true, false,
    ]);
  });
});

describe('thresholds in a scenario', () => {
  it('exit 0 and print ✓ lines when all pass', () => {
    const r = pullsim(['run', scenario('pass', ['pulls_failed: "== 0"', 'cost_usd_per_day: "< $50"'])]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('✓ pulls_failed == 0');
    expect(r.stdout).toContain('all 4 passed');
  });

  it('exit 99 naming metric, expression and actual value when one fails (run and compare)', () => {
    // dockerhub's rollout takes ~309 ms here (token + redirect round trips over the internet), ECR's ~37 ms.
    const file = scenario('fail', ['rollout_s.p99: "< 100ms"']);
    for (const cmd of ['run', 'compare']) {
      const r = pullsim([cmd, file]);
      expect(r.status, r.stderr).toBe(99);
      expect(r.stdout).toMatch(/dockerhub\n\s+✗ rollout_s\.p99 < 100ms\s+actual \d+ ms/);
      expect(r.stdout).toMatch(/ecr\n\s+✓ rollout_s\.p99 < 100ms\s+actual [\d.]+ ms/);
      expect(r.stdout).toContain('1 of 2 failed');
    }
    // Quiet still says why, on stderr, as k6's closing error line does.
    const quiet = pullsim(['compare', file, '-q']);
    expect(quiet.status).toBe(99);
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).toMatch(/^pullsim: threshold failed: dockerhub: rollout_s\.p99 < 100ms \(actual \d+ ms\)$/m);
  });

  it('exit 99 from a sweep, naming the point, metric, expression and actual value', () => {
    const r = pullsim(['sweep', scenario('sweep', ['rollout_s.p99: "< 100ms"']), '--param', 'cluster.nodes=10,20', '--variant', 'dockerhub', '-q']);
    expect(r.status).toBe(99);
    expect(r.stderr).toMatch(/^pullsim: threshold failed at cluster\.nodes=10: dockerhub: rollout_s\.p99 < 100ms \(actual \d+ ms\)$/m);
    expect(r.stderr).toMatch(/^pullsim: threshold failed at cluster\.nodes=20: /m);
  });

  it('carry the outcomes in the JSON result', () => {
    const r = pullsim(['run', scenario('json', ['rollout_s.p99: "< 100ms"']), '--json', '-', '--quiet']);
    expect(r.status).toBe(99);
    const json = JSON.parse(r.stdout) as { thresholds: { variant: string; ok: boolean; metric: string }[] };
    expect(json.thresholds.map((t) => [t.variant, t.metric, t.ok])).toEqual([
      ['dockerhub', 'rollout_s.p99', false],
      ['ecr', 'rollout_s.p99', true],
    ]);
  });

  it('reject an unknown metric at load time, at the threshold line, with exit 2', () => {
    const r = pullsim(['validate', scenario('typo', ['rolout_s.p99: "< 10m"'])]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/typo\.yaml:8:\d+/);
    expect(r.stderr).toContain('did you mean "rollout_s.p99"?');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});
