/**
 * Ctrl-C in the middle of a sweep (issue 7's acceptance): the real CLI, spawned as a user runs it, gets
 * SIGINT once it has finished its first run; it stops its workers, exits 130 with one line saying so, leaves
 * the output file that existed before byte-identical, writes no other output and leaves no temp file.
 * The same through the main-thread path (--jobs 1), for SIGTERM (exit 143), and for two quick Ctrl-Cs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, ROOT } from './cli-helpers.ts';

const BIN = fileURLToPath(new URL('../bin/pullsim.js', import.meta.url));
const PREVIOUS = '{"previous": "result, kept byte for byte"}\n';

interface Interrupted {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Milliseconds from the (first) signal to exit. */
  stopMs: number;
}

/**
 * Starts a sweep of 8 points × 3 variants writing --json over an existing file and --csv to a new one,
 * waits for the first "sweep: 1/24 runs" progress line, then sends `signals` (a few ms apart).
 */
function interruptSweep(dir: string, jobs: number, signals: NodeJS.Signals[]): Promise<Interrupted> {
  const json = path.join(dir, 'sweep.json');
  const csv = path.join(dir, 'sweep.csv');
  writeFileSync(json, PREVIOUS);
  const child = spawn(
    process.execPath,
    [BIN, 'sweep', 'scenarios/seed-500-nodes.yaml', '--set', 'duration=6h', '--param', 'cluster.nodes=100..800:+100', '--jobs', String(jobs), '--json', json, '--csv', csv, '--progress'],
    { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  let sentAt = 0;
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (sentAt === 0 && /sweep: [1-9]\d*\/24 runs/.test(stderr)) {
        sentAt = Date.now();
        signals.forEach((s, i) => setTimeout(() => child.kill(s), i * 20));
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (sentAt === 0) reject(new Error(`the sweep ended before it was interrupted (exit ${code}):\n${stderr}`));
      else resolve({ code, signal, stderr, stopMs: Date.now() - sentAt });
    });
  });
}

function expectOutputsIntact(dir: string): void {
  expect(readFileSync(path.join(dir, 'sweep.json'), 'utf8')).toBe(PREVIOUS);
  // Nothing partial: no CSV (it did not exist before) and no temp file of either output.
  expect(readdirSync(dir).sort()).toEqual(['sweep.json']);
}

describe('interrupting a sweep', () => {
  it('SIGINT on two workers: exit 130, one line, previous output byte-identical, nothing partial', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-sigint-'));
    const r = await interruptSweep(dir, 2, ['SIGINT']);
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('pullsim: interrupted by SIGINT: the runs were stopped; no output was written.');
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('pullsim:'))).toHaveLength(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
    // The workers are terminated, not waited for: a run of the sweep takes seconds.
    expect(r.stopMs).toBeLessThan(5_000);
    expectOutputsIntact(dir);
  });

  it('SIGINT with --jobs 1: the main-thread run stops at its next kernel slice', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-sigint-j1-'));
    const r = await interruptSweep(dir, 1, ['SIGINT']);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('interrupted by SIGINT');
    expect(r.stopMs).toBeLessThan(5_000);
    expectOutputsIntact(dir);
  });

  it('SIGTERM: exit 143, the same guarantees', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-sigterm-'));
    const r = await interruptSweep(dir, 2, ['SIGTERM']);
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).toContain('pullsim: interrupted by SIGTERM');
    expectOutputsIntact(dir);
  });

  it('a second Ctrl-C exits at once, still without partial files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-sigint-twice-'));
    const r = await interruptSweep(dir, 2, ['SIGINT', 'SIGINT']);
    expect(r.code, r.stderr).toBe(130);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expectOutputsIntact(dir);
  });
});
