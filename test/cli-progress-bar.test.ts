import { describe, expect, it } from 'vitest';
import { progressBar, renderBar } from '../src/cli/progress.ts';
import { pullsim } from './cli-helpers.ts';

describe('the progress bar', () => {
  it('draws done of total with elapsed time and an ETA from the rate so far', () => {
    expect(renderBar('sweep', 9, 36, 14, 100)).toBe(`sweep [${'█'.repeat(10)}${'░'.repeat(30)}] 9/36 runs · 0:14 · ~0:42 left`);
    expect(renderBar('sweep', 36, 36, 3725, 100)).toBe(`sweep [${'█'.repeat(40)}] 36/36 runs · 1:02:05`);
  });

  it('writes to a terminal only, and erases itself at the end', () => {
    const written: string[] = [];
    let t = 0;
    const tty = progressBar({ isTTY: true, columns: 80, write: (s) => written.push(s) }, 'x', true, () => (t += 1000));
    tty.update(1, 2);
    tty.update(2, 2);
    tty.end();
    expect(written).toHaveLength(3);
    expect(written[0].startsWith('\rx [')).toBe(true);
    expect(written[2]).toBe('\r\x1b[K');
    const pipe: string[] = [];
    const quiet = progressBar({ isTTY: false, write: (s) => pipe.push(s) }, 'x', true);
    quiet.update(1, 1);
    quiet.end();
    expect(pipe).toEqual([]);
  });

  it('stays off stderr when stderr is not a terminal (CI logs, pipes)', () => {
    const r = pullsim(['compare', 'scenarios/seed-500-nodes.yaml', '--set', 'cluster.nodes=5', '--set', 'duration=2h', '--jobs', '1']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });
});
