/**
 * Asks V8 itself: runs `code` as an ES module under tsx in a child process started with
 * --allow-natives-syntax (so it may call natives such as %GetOptimizationStatus) and returns what it
 * printed, parsed as JSON. The child must print nothing else, and nothing on stderr.
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';

export function inV8(code: string): unknown {
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}
