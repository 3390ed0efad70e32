import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pullsim } from './cli-helpers.ts';
import { escapeMarkdown } from '../src/report/markdown.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-md-'));
const SMALL = ['--set', 'cluster.nodes=60', '--variant', 'ecr', '--variant', 'private-registry'];

describe('--markdown', () => {
  it('escapes characters that would break a table cell or inject HTML', () => {
    expect(escapeMarkdown('a|b <script> *x*\nnext')).toBe('a\\|b &lt;script&gt; \\*x\\* next');
  });

  it('writes the verdict table, the hyperfine line and the metrics to stdout with -', () => {
    const r = pullsim(['compare', 'scenarios/seed-500-nodes.yaml', ...SMALL, '--markdown', '-']);
    expect(r.status, r.stderr).toBe(0);
    const md = r.stdout;
    expect(md.startsWith('# seed-500-nodes\n')).toBe(true);
    expect(md).toMatch(/^- \*\*ecr finished rollouts [\d.]+× faster than private-registry, at [\d.]+× the cost\*\*$/m);
    expect(md).toContain('| criterion | measure | ecr | private-registry | best |');
    expect(md).toMatch(/^\| latency \| rollout p99 \| \*\*[\d.]+ ms\*\* ✓ \| [\d.]+ m?s \| ecr \|$/m);
    expect(md).toContain('## Assumptions');
    // The human summary moved to stderr because Markdown owns stdout.
    expect(r.stderr).toContain('rollout p99');
  });

  it('renders the same Markdown from a saved result (pullsim report --markdown)', () => {
    const json = path.join(dir, 'r.json');
    const md = path.join(dir, 'r.md');
    expect(pullsim(['run', 'scenarios/seed-500-nodes.yaml', ...SMALL, '--json', json, '--markdown', md, '-q']).status).toBe(0);
    const rep = pullsim(['report', json, '--markdown', '-']);
    expect(rep.status, rep.stderr).toBe(0);
    expect(rep.stdout).toBe(readFileSync(md, 'utf8'));
  });
});
