/**
 * bin/compiled.js: the CLI runs from a bundle built on first use and rebuilt when a source changes, and
 * falls back to tsx when no bundle can be had (esbuild missing, no writable cache, PULLSIM_NO_BUNDLE).
 * Runs on a copy of the project (sources copied, packages linked), so the real cache is left alone.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let copy: string;
const copies: string[] = [];

function copyProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-bundle-'));
  copies.push(dir);
  for (const entry of ['bin', 'src', 'bench', 'package.json', 'tsconfig.json']) cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  mkdirSync(path.join(dir, 'node_modules'));
  for (const pkg of readdirSync(path.join(ROOT, 'node_modules'))) if (pkg !== '.cache') symlinkSync(path.join(ROOT, 'node_modules', pkg), path.join(dir, 'node_modules', pkg));
  return dir;
}

function pullsim(dir: string, args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(dir, 'bin', 'pullsim.js'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, PULLSIM_NO_BUNDLE: '', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cacheDir = (dir: string) => path.join(dir, 'node_modules', '.cache', 'pullsim');
const currentBundle = (dir: string) => path.join(cacheDir(dir), (JSON.parse(readFileSync(path.join(cacheDir(dir), 'current.json'), 'utf8')) as { dir: string }).dir);
const codeCaches = (bundle: string) => readdirSync(bundle).filter((f) => f.endsWith('.v8cache'));

describe('the compiled CLI bundle', () => {
  beforeAll(() => {
    copy = copyProject();
  });
  afterAll(() => {
    for (const dir of copies) rmSync(dir, { recursive: true, force: true });
  });

  it('is built on first use, with the code cache written after the command', () => {
    const r = pullsim(copy, ['--version']);
    expect(r).toEqual({ status: 0, stdout: '0.1.0\n', stderr: '' });
    const bundle = currentBundle(copy);
    expect(readdirSync(bundle).sort()).toEqual(expect.arrayContaining(['cli.cjs', 'cli.cjs.map', 'worker.cjs']));
    expect(codeCaches(bundle)).toHaveLength(1);
  });

  it('is reused while the sources are unchanged, and its cache is not rewritten for a command it has seen', () => {
    const bundle = currentBundle(copy);
    const cache = path.join(bundle, codeCaches(bundle)[0]);
    const before = statSync(cache).mtimeMs;
    expect(pullsim(copy, ['--version']).stdout).toBe('0.1.0\n');
    expect(currentBundle(copy)).toBe(bundle);
    expect(statSync(cache).mtimeMs).toBe(before);
  });

  it('is rebuilt when a source changes, and runs the changed code', () => {
    const old = currentBundle(copy);
    const version = path.join(copy, 'src', 'version.ts');
    writeFileSync(version, `${readFileSync(version, 'utf8')}\nexport const CHANGED = true;\n`.replace("export const VERSION: string = (", "export const VERSION: string = 'changed' ?? ("));
    const r = pullsim(copy, ['--version']);
    expect(r).toEqual({ status: 0, stdout: 'changed\n', stderr: '' });
    expect(currentBundle(copy)).not.toBe(old);
    // A process still running from the old bundle can go on loading it.
    expect(existsSync(path.join(old, 'cli.cjs'))).toBe(true);
  });

  it('falls back to tsx when the cache cannot be created', () => {
    const dir = copyProject();
    writeFileSync(path.join(dir, 'node_modules', '.cache'), 'a file where the cache directory would go');
    expect(pullsim(dir, ['--version'])).toEqual({ status: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('falls back to tsx when esbuild is missing, and with PULLSIM_NO_BUNDLE=1 builds nothing', () => {
    const dir = copyProject();
    rmSync(path.join(dir, 'node_modules', 'esbuild'));
    expect(pullsim(dir, ['--version'])).toEqual({ status: 0, stdout: '0.1.0\n', stderr: '' });
    expect(existsSync(path.join(cacheDir(dir), 'current.json'))).toBe(false);
    const other = copyProject();
    expect(pullsim(other, ['--version'], { PULLSIM_NO_BUNDLE: '1' })).toEqual({ status: 0, stdout: '0.1.0\n', stderr: '' });
    expect(existsSync(cacheDir(other))).toBe(false);
  });
});
