import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkWritable, OutputPathError, tempPathFor, writeOutput } from '../src/report/index.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pullsim-write-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

const entries = () => readdirSync(dir).sort();

describe('writeOutput', () => {
  it('writes the content and leaves no temp file', async () => {
    const target = path.join(dir, 'result.json');
    await writeOutput(target, '{"a":1}\n');
    expect(readFileSync(target, 'utf8')).toBe('{"a":1}\n');
    expect(entries()).toEqual(['result.json']);
  });

  it('replaces an existing file', async () => {
    const target = path.join(dir, 'result.csv');
    writeFileSync(target, 'old contents that are longer than the new ones\n');
    await writeOutput(target, 'new\n');
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(entries()).toEqual(['result.csv']);
  });

  it('writes chunks, and readers see the old file until the new one is complete', async () => {
    const target = path.join(dir, 'report.html');
    writeFileSync(target, 'old');
    const seen: string[] = [];
    function* chunks() {
      for (let i = 0; i < 5; i++) {
        seen.push(readFileSync(target, 'utf8'));
        yield `chunk ${i}\n`.repeat(10_000);
      }
    }
    await writeOutput(target, chunks());
    expect(seen).toEqual(['old', 'old', 'old', 'old', 'old']);
    expect(readFileSync(target, 'utf8')).toBe(
      Array.from({ length: 5 }, (_, i) => `chunk ${i}\n`.repeat(10_000)).join(''),
    );
    expect(entries()).toEqual(['report.html']);
  });

  it('leaves the target unchanged and removes the temp file when producing the content throws', async () => {
    const target = path.join(dir, 'result.json');
    writeFileSync(target, 'previous result\n');
    const boom = new Error('renderer failed halfway');
    function* halfThenThrow() {
      yield '{"half": ';
      // The half is in the temp file at this point.
      expect(readFileSync(tempPathFor(target), 'utf8')).toBe('{"half": ');
      throw boom;
    }
    await expect(writeOutput(target, halfThenThrow())).rejects.toBe(boom);
    expect(readFileSync(target, 'utf8')).toBe('previous result\n');
    expect(entries()).toEqual(['result.json']);
  });

  it('creates no file at all when the first write fails and there was no target', async () => {
    const target = path.join(dir, 'new.json');
    function* fails(): Generator<string> {
      throw new Error('nothing to write');
    }
    await expect(writeOutput(target, fails())).rejects.toThrow('nothing to write');
    expect(entries()).toEqual([]);
  });

  it('fails with an OutputPathError, and cleans up, when the target is a directory', async () => {
    const target = path.join(dir, 'out');
    mkdirSync(target);
    writeFileSync(path.join(target, 'keep'), 'x');
    await expect(writeOutput(target, 'data')).rejects.toBeInstanceOf(OutputPathError);
    expect(entries()).toEqual(['out']);
    expect(readdirSync(target)).toEqual(['keep']);
  });

  it('fails with an OutputPathError naming the missing directory', async () => {
    const missing = path.join(dir, 'no', 'such');
    const err = await writeOutput(path.join(missing, 'r.json'), 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputPathError);
    expect((err as Error).message).toContain(missing);
    expect((err as Error).message).toContain('mkdir -p');
  });

  it('writes "-" to stdout', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(((_chunk: unknown, cb?: () => void) => {
      cb?.();
      return true;
    }) as typeof process.stdout.write);
    await writeOutput('-', 'to stdout\n');
    expect(write).toHaveBeenCalledTimes(1);
    expect(write.mock.calls[0][0]).toBe('to stdout\n');
    expect(entries()).toEqual([]);
  });
});

describe('checkWritable', () => {
  it('accepts a new or existing file in a writable directory, and creates nothing', () => {
    expect(() => checkWritable(path.join(dir, 'new.json'))).not.toThrow();
    writeFileSync(path.join(dir, 'old.json'), 'keep');
    expect(() => checkWritable(path.join(dir, 'old.json'))).not.toThrow();
    expect(entries()).toEqual(['old.json']);
    expect(readFileSync(path.join(dir, 'old.json'), 'utf8')).toBe('keep');
  });

  it('accepts "-" (stdout)', () => {
    expect(() => checkWritable('-')).not.toThrow();
  });

  it('rejects a directory, with a hint to give a file name', () => {
    expect(() => checkWritable(dir)).toThrow(OutputPathError);
    expect(() => checkWritable(dir)).toThrow(/is a directory.*result\.json/);
    expect(() => checkWritable(path.join(dir, 'not-yet') + '/')).toThrow(/is a directory/);
  });

  it('rejects a missing directory, saying which and how to fix it', () => {
    const missing = path.join(dir, 'missing');
    expect(() => checkWritable(path.join(missing, 'r.csv'))).toThrow(
      new OutputPathError(path.join(missing, 'r.csv'), `directory ${missing} does not exist`, `Create it first (mkdir -p ${missing})`),
    );
  });

  it('rejects a path whose parent is a file', () => {
    writeFileSync(path.join(dir, 'file'), '');
    expect(() => checkWritable(path.join(dir, 'file', 'r.csv'))).toThrow(/is not a directory/);
  });

  it('rejects an empty path', () => {
    expect(() => checkWritable('')).toThrow(OutputPathError);
  });

  it.skipIf(process.getuid?.() === 0)('rejects a directory without write permission', async () => {
    const { chmodSync } = await import('node:fs');
    const locked = path.join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    try {
      expect(() => checkWritable(path.join(locked, 'r.json'))).toThrow(/permission denied/);
    } finally {
      chmodSync(locked, 0o700);
    }
  });

  it('gives errors that are data: target, reason and hint', () => {
    try {
      checkWritable(dir);
      expect.unreachable();
    } catch (e) {
      const err = e as OutputPathError;
      expect(err.name).toBe('OutputPathError');
      expect(err.code).toBe('output-path');
      expect(err.target).toBe(dir);
      expect(err.reason).toBe('it is a directory');
      expect(err.hint).toMatch(/^Give a file name/);
    }
  });
});
