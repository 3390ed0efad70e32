#!/usr/bin/env node
// Runs the CLI from a bundle compiled from src/ and cached (bin/compiled.js: rebuilt when a source
// changes, so `npx pullsim` works straight after `npm install` with no build step to forget), or,
// when that is not possible or PULLSIM_NO_BUNDLE is set, straight from the TypeScript through tsx.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { compiledBundle } from './compiled.js';
// Node's built-in modules the CLI and its worker pool load, loaded here, before the V8 flags below change:
// V8 checks a code cache against its flags, so a built-in first required after the change is compiled
// from source instead of from Node's embedded cache (seed ECR variant's first release, callgrind:
// 2.578 → 2.450 G instructions, −5.0 %). The list is what `process.moduleLoadList` showed arriving after
// the flags in a `run` and a `compare --html` (net: stdout and stderr as pipes; assert: yargs).
import 'node:assert';
import 'node:fs/promises';
import 'node:net';
import 'node:os';
import 'node:perf_hooks';
import 'node:process';
import 'node:vm';
import 'node:worker_threads';

// Every function gets V8's baseline (Sparkplug) code on its first call instead of starting in the
// interpreter. A run is mostly warm-up (the first release costs ~4× a later one), so this pays: seed
// scenario 3.50 → 3.22 s CPU, 2.63 → 2.40 s wall (min of 6, alternating), the 100-node exact P2P crowd
// −14 %, for +0.03 s of start-up. Set before the bundle loads; worker threads share the flag. It only
// changes which tier runs the code, not results (outputs byte-identical).
setFlagsFromString('--always-sparkplug');
// And TurboFan inlines less: short runs are mostly warm-up, and on busy cores its compiling competes with
// the simulation (seed scenario 1.09 → 1.02 s wall). A batch expected to run long switches back to V8's
// default before its runs start (src/parallel/jit-profile.ts, which holds this flag as SHORT_RUN_V8_FLAG).
setFlagsFromString('--max-inlined-bytecode-size-cumulative=300');
// No allocation-site pretenuring: V8 decides after a scavenge to allocate a site's objects straight in
// the old generation, and discards every optimised function that allocates there (the pull pipeline's
// start, ask, metaAnswered, routeFor, Pull's constructor: `--trace-deopt` "code dependencies" mid-run),
// which then runs in baseline code until compiled again. Callgrind instructions (`--single-threaded`):
// seed (3 variants, -j 2) 15.20 → 15.01 G (14.87 G with the growing typed-array fields reassigned at
// construction, src/stable-arrays.ts; TurboFan's share 2.06 → 1.84 G, optimisations 264 → 232), Docker
// Hub alone −1.3 %, private registry at 72 h −0.7 %, Kraken crowd at 300 nodes −0.6 %, at 1,000 nodes
// +0.2 %. It only moves where objects are allocated, never a result.
setFlagsFromString('--no-allocation-site-pretenuring');

const bundle = await compiledBundle();
const argv = process.argv.slice(2);
let cliMain;
if (bundle) {
  // The bundle is a CommonJS script run with V8's code cache (bin/code-cache.cjs). Internal-error stack
  // traces are mapped back to the TypeScript files when printed (src/cli/stack.ts), not by Node's
  // setSourceMapsEnabled, which would read every map at start-up.
  const { runBundle } = createRequire(import.meta.url)('./code-cache.cjs');
  const loaded = runBundle(fileURLToPath(new URL('cli.cjs', bundle)));
  // Written when the start-up is over (src/startup-done.ts: before the first simulation, whose functions
  // are better compiled from source), else on exit (`--version` and `--help` exit from inside yargs), so
  // the cache holds what the command's start-up compiled.
  const command = argv.find((a) => !a.startsWith('-')) ?? argv[0] ?? '';
  let saved = false;
  const save = () => {
    if (!saved) loaded.save(command);
    saved = true;
  };
  loaded.exports.onStartupDone(save);
  process.once('exit', save);
  cliMain = loaded.exports.cliMain;
  // Runs (variants × replications × sweep points) go to worker threads; a worker runs the same bundle.
  loaded.exports.setWorkerEntry(new URL('worker.cjs', bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ cliMain } = await import('../src/cli/main.ts'));
}
const code = await cliMain(argv);
process.exitCode = code;
// Performance: once stdout and stderr have flushed, exit rather than wait for Node to stop the worker
// threads and free the heap (8–30 ms at the end of a run). Each empty write calls back after every
// earlier write to its stream.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
