#!/usr/bin/env node
// Runs the CLI from a bundle compiled from src/ and cached (bin/compiled.js: rebuilt when a source
// changes, so `npx pullsim` works straight after `npm install` with no build step to forget), or,
// when that is not possible or PULLSIM_NO_BUNDLE is set, straight from the TypeScript through tsx.
import { setFlagsFromString } from 'node:v8';
import { compiledBundle } from './compiled.js';

// Every function gets V8's baseline (Sparkplug) code on its first call instead of starting in the
// interpreter. A run is mostly warm-up (the first release costs ~4× a later one), so this pays: seed
// scenario 3.50 → 3.22 s CPU, 2.63 → 2.40 s wall (min of 6, alternating), the 100-node exact P2P crowd
// −14 %, for +0.03 s of start-up. Set before the bundle loads; worker threads share the flag. It only
// changes which tier runs the code, not results (outputs byte-identical).
setFlagsFromString('--always-sparkplug');

const bundle = await compiledBundle();
let cliMain;
if (bundle) {
  // Internal-error stack traces are mapped back to the TypeScript files when printed (src/cli/stack.ts),
  // not by Node's setSourceMapsEnabled, which would read every map at start-up.
  ({ cliMain } = await import(new URL('cli.js', bundle).href));
  // Runs (variants × replications × sweep points) go to worker threads; a worker loads this compiled script.
  const { setWorkerEntry } = await import(new URL('pool.js', bundle).href);
  setWorkerEntry(new URL('worker.js', bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ cliMain } = await import('../src/cli/main.ts'));
}
process.exitCode = await cliMain(process.argv.slice(2));
