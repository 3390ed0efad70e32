/**
 * bin/code-cache.cjs runs the compiled CLI bundle with V8's code cache. The cache is an optimisation
 * only: whatever state it is in (missing, stale, corrupt, rejected by V8, unwritable), the bundle runs
 * the same, and a bad cache is replaced by a good one. Each case runs in fresh Node processes, as the CLI
 * does, on a small CommonJS script standing in for the bundle.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CODE_CACHE = fileURLToPath(new URL('../bin/code-cache.cjs', import.meta.url));
const { cacheFileFor } = createRequire(import.meta.url)(CODE_CACHE) as { cacheFileFor: (file: string) => string };

/** A stand-in bundle: plain CommonJS, plus the wrapper's $esmld for an ES module's import(). */
const BUNDLE = `"use strict";
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
exports.answer = () => fib(20);
exports.osType = () => $esmld('node:os').then((os) => typeof os.cpus);
`;

/** The child processes' script: `driver.cjs FILE COMMAND` runs the bundle, `driver.cjs FILE` prints its cache's path. */
const DRIVER = path.join(mkdtempSync(path.join(tmpdir(), 'pullsim-code-cache-driver-')), 'driver.cjs');
writeFileSync(
  DRIVER,
  `const codeCache = require(${JSON.stringify(CODE_CACHE)});
const [file, command] = process.argv.slice(2);
if (command === undefined) process.stdout.write(codeCache.cacheFileFor(file));
else {
  const b = codeCache.runBundle(file);
  b.exports.osType().then((osType) => {
    process.stdout.write(JSON.stringify({ cache: b.cache, answer: b.exports.answer(), osType }));
    b.save(command);
  });
}
`,
);

function node(args: string[]): string {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

/** What one process saw: the cache's fate and the bundle's results. */
function run(file: string, command = 'run'): { cache: string; answer: number; osType: string } {
  return JSON.parse(node([DRIVER, file, command])) as { cache: string; answer: number; osType: string };
}

/** The cache file of the driver's processes (its key holds Node's flags, which differ from this process's). */
const cacheOf = (file: string, flags: string[] = []) => node([...flags, DRIVER, file]);

function bundleIn(dir: string, text = BUNDLE): string {
  const file = path.join(dir, 'cli.cjs');
  writeFileSync(file, text);
  return file;
}

const fresh = () => mkdtempSync(path.join(tmpdir(), 'pullsim-code-cache-'));

describe('the bundle code cache', () => {
  it('is written after the first run and used by the next, with the same results', () => {
    const file = bundleIn(fresh());
    expect(run(file)).toEqual({ cache: 'none', answer: 6765, osType: 'function' });
    const cache = cacheOf(file);
    expect(statSync(cache).size).toBeGreaterThan(100);
    expect(run(file)).toEqual({ cache: 'used', answer: 6765, osType: 'function' });
  });

  it('is rewritten for a command it has not seen, and only then', () => {
    const file = bundleIn(fresh());
    run(file, 'validate');
    const cache = cacheOf(file);
    const old = new Date(2000, 0, 1);
    utimesSync(cache, old, old);
    expect(run(file, 'validate').cache).toBe('used');
    expect(statSync(cache).mtimeMs).toBe(old.getTime());
    expect(run(file, 'run').cache).toBe('used');
    expect(statSync(cache).mtimeMs).toBeGreaterThan(old.getTime());
    expect(JSON.parse(readFileSync(cache, 'utf8').split('\n')[0]).commands).toEqual(['validate', 'run']);
  });

  it('ignores a corrupt cache (flipped bytes, truncated, garbage) and replaces it', () => {
    for (const damage of [
      (b: Buffer) => {
        b[b.length - 50] ^= 0xff;
        b[Math.floor(b.length * 0.75)] ^= 0x55;
        return b;
      },
      (b: Buffer) => b.subarray(0, b.length - 100),
      () => Buffer.from('not a cache at all'),
    ]) {
      const file = bundleIn(fresh());
      run(file);
      const cache = cacheOf(file);
      writeFileSync(cache, damage(readFileSync(cache)));
      expect(run(file)).toEqual({ cache: 'none', answer: 6765, osType: 'function' });
      expect(run(file).cache).toBe('used');
    }
  });

  it('ignores the cache of another version of the bundle and rebuilds it', () => {
    const dir = fresh();
    const file = bundleIn(dir);
    run(file);
    const cache = cacheOf(file);
    const before = readFileSync(cache);
    // Same length, other code: only the file's stamp (size and mtime) tells them apart.
    bundleIn(dir, BUNDLE.replace('fib(20)', 'fib(21)'));
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    expect(run(file)).toEqual({ cache: 'none', answer: 10946, osType: 'function' });
    expect(readFileSync(cache).equals(before)).toBe(false);
    expect(run(file)).toEqual({ cache: 'used', answer: 10946, osType: 'function' });
  });

  it('replaces a cache V8 rejects (intact, but made from another script)', () => {
    const dir = fresh();
    const other = bundleIn(mkdirSync(path.join(dir, 'other'), { recursive: true })!, `${BUNDLE}exports.more = () => 1;\n`);
    run(other);
    const file = bundleIn(dir);
    run(file);
    // The other script's cache, relabelled (stamp and checksum) as this one's: only V8 can tell.
    const [, otherData] = splitCache(readFileSync(cacheOf(other)));
    const [head] = splitCache(readFileSync(cacheOf(file)));
    const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
    const relabelled = { ...head, sha256: createHash('sha256').update(otherData).digest('hex') };
    writeFileSync(cacheOf(file), Buffer.concat([Buffer.from(`${JSON.stringify(relabelled)}\n`), otherData]));
    expect(run(file)).toEqual({ cache: 'rejected', answer: 6765, osType: 'function' });
    expect(run(file).cache).toBe('used');
  });

  it('runs when the cache cannot be written, and leaves no temporary file behind', () => {
    const dir = fresh();
    const file = bundleIn(dir);
    // A directory where the cache file would go: reading and renaming onto it both fail.
    mkdirSync(cacheOf(file));
    expect(run(file)).toEqual({ cache: 'none', answer: 6765, osType: 'function' });
    expect(run(file)).toEqual({ cache: 'none', answer: 6765, osType: 'function' });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('keys the cache by Node version, architecture and flags', () => {
    const file = '/x/cli.cjs';
    expect(cacheOf(file)).toMatch(/^\/x\/cli\.cjs\.[0-9a-f]{12}\.v8cache$/);
    expect(cacheOf(file, ['--stack-size=900'])).not.toBe(cacheOf(file));
    expect(cacheFileFor(file)).toMatch(/^\/x\/cli\.cjs\./);
  });
});

function splitCache(b: Buffer): [Record<string, unknown>, Buffer] {
  const nl = b.indexOf(10);
  return [JSON.parse(b.subarray(0, nl).toString('utf8')) as Record<string, unknown>, b.subarray(nl + 1)];
}
