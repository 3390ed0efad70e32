/**
 * An internal error's stack trace names the TypeScript source, not the compiled bundle: mapStack reads
 * the bundle's source map only when a trace is printed (src/cli/stack.ts).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { mapStack } from '../src/cli/stack.ts';

describe('internal-error stack traces', () => {
  it('frames in a bundle with a source map point at the TypeScript line and column that threw', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-stack-'));
    const source = path.join(dir, 'thrower.ts');
    // Line 4, column 9 (1-based) is where `new Error` starts.
    writeFileSync(source, ['export function boom(n: number): never {', '  const doubled: number = n * 2;', '  if (doubled > 0)', '  throw new Error(`boom ${doubled}`);', '  throw new Error("never");', '}', ''].join('\n'));
    const out = path.join(dir, 'out', 'bundle.js');
    await build({ entryPoints: [source], outfile: out, bundle: true, format: 'esm', platform: 'node', sourcemap: 'linked', sourcesContent: false, logLevel: 'silent' });
    // The test runner maps traces itself, so the frame is written as Node prints an unmapped one: the
    // generated line and column of the throw.
    const lines = readFileSync(out, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('new Error(`boom'));
    const column = lines[line].indexOf('new Error(`boom');
    const stack = `Error: boom 42\n    at boom (${pathToFileURL(out).href}:${line + 1}:${column + 1})\n    at node:internal/main:1:1`;
    const mapped = mapStack(stack);
    expect(mapped).toBe(`Error: boom 42\n    at boom (${source}:4:9)\n    at node:internal/main:1:1`);
    // Frames of files without a map stay as they were.
    expect(mapStack('    at x (/no/such/file.js:1:2)')).toBe('    at x (/no/such/file.js:1:2)');
  });
});
