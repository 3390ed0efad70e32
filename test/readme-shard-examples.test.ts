/**
 * The README's GitHub Actions matrix and Kubernetes Indexed Job are documentation that must keep working:
 * their structure is checked, and their exact pullsim command lines are run (on a tiny grid instead of
 * the README's big one) shard by shard, then merged, and must equal the unsharded sweep byte for byte.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pullsim, ROOT } from './cli-helpers.ts';

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const yamlBlocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
const workflow = parse(yamlBlocks.find((b) => b.includes('runs-on:'))!) as {
  jobs: { shard: { strategy: { matrix: { shard: number[] } }; steps: { run?: string }[] }; merge: { needs: string; steps: { run?: string }[] } };
};
const job = parse(yamlBlocks.find((b) => b.includes('kind: Job'))!) as {
  spec: { completionMode: string; completions: number; template: { spec: { containers: { args: string[]; env: { name: string; value: string }[] }[] } } };
};

const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-readme-'));
/** The README's grid is minutes of work; the same command on this grid takes seconds. */
const TINY = '--set duration=2h --param cluster.nodes=4,8 --param releases.delta=100KB,1MB';
const shrink = (cmd: string) => cmd.replace(/--param cluster\.nodes=\S+ --param releases\.delta=\S+ --replications \d+/, TINY);

function sh(cmd: string, env: Record<string, string> = {}): void {
  execFileSync('sh', ['-c', cmd], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
}

const whole = () => {
  const r = pullsim(['sweep', 'scenarios/seed-500-nodes.yaml', ...TINY.split(' '), '--json', '-', '-q']);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};

describe('the README sharding examples', () => {
  it('GitHub Actions: a matrix of n shards running --shard i/n, then merge', () => {
    const shards = workflow.jobs.shard.strategy.matrix.shard;
    const n = shards.length;
    expect(shards).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    const run = workflow.jobs.shard.steps.map((s) => s.run ?? '').find((r) => r.includes('sweep'))!;
    expect(run).toContain(`--shard \${{ matrix.shard }}/${n}`);
    expect(workflow.jobs.merge.needs).toBe('shard');
    const merge = workflow.jobs.merge.steps.map((s) => s.run ?? '').find((r) => r.includes('merge'))!;
    for (const i of shards) sh(shrink(run).replaceAll('${{ matrix.shard }}', String(i)).replace(/part-/g, `${dir}/gh-part-`));
    sh(merge.replace('part-*.json', `${dir}/gh-part-*.json`).replace(/sweep\./g, `${dir}/gh-sweep.`).replace('>> "$GITHUB_STEP_SUMMARY"', `> ${dir}/summary.md`));
    expect(readFileSync(`${dir}/gh-sweep.json`, 'utf8')).toBe(whole());
    expect(readFileSync(`${dir}/summary.md`, 'utf8')).toContain('# Sweep of seed-500-nodes');
  });

  it('Kubernetes: an Indexed Job whose JOB_COMPLETION_COUNT is its completions, running --shard auto', () => {
    expect(job.spec.completionMode).toBe('Indexed');
    const container = job.spec.template.spec.containers[0];
    const count = container.env.find((e) => e.name === 'JOB_COMPLETION_COUNT')!.value;
    expect(Number(count)).toBe(job.spec.completions);
    const cmd = container.args[0];
    expect(cmd).toContain('--shard auto');
    // Each pod: the index Kubernetes sets, the count from the manifest's env.
    for (let i = 0; i < job.spec.completions; i++) sh(shrink(cmd).replaceAll('/results/', `${dir}/k8s-`), { JOB_COMPLETION_INDEX: String(i), JOB_COMPLETION_COUNT: count });
    const merged = pullsim(['merge', ...Array.from({ length: job.spec.completions }, (_, i) => `${dir}/k8s-part-${i}.json`)]);
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(whole());
  });
});
