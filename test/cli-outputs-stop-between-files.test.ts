/**
 * A Ctrl-C while the exports are being written stops between files: the file being written is finished
 * (atomically), later ones are not started, and the stop says which outputs were kept and which were not,
 * so the CLI's one-line message can name them.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Outputs } from '../src/cli/outputs.ts';
import { InterruptedError } from '../src/parallel/stop.ts';

describe('writing the outputs when a stop comes', () => {
  it('finishes the file in progress, skips the rest, and records both', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-outputs-'));
    const controller = new AbortController();
    const json = path.join(dir, 'r.json');
    const csv = path.join(dir, 'r.csv');
    const outputs = new Outputs<string>([
      {
        flag: 'json',
        target: json,
        render: (v) => {
          // The signal arrives while the first export is being rendered.
          controller.abort(new InterruptedError('SIGINT'));
          return `${v}\n`;
        },
      },
      { flag: 'csv', target: csv, render: (v) => v },
    ]);
    const error = await outputs.write('done', controller.signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).written).toEqual([`json: ${json}`]);
    expect((error as InterruptedError).skipped).toEqual([`csv: ${csv}`]);
    expect(readFileSync(json, 'utf8')).toBe('done\n');
    expect(existsSync(csv)).toBe(false);
    expect(readdirSync(dir)).toEqual(['r.json']);
  });
});
