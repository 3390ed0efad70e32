// The precompiled start path (issue 6, goal 3: the seed scenario in under a second, start-up included).
//
// Running src/ through tsx costs twice: its loader thread transforms every module at start-up, and the
// transform keeps function names by wrapping every closure in a defineProperty call, which the pull
// pipeline's per-request closures pay millions of times (about 40 % of a run's CPU). So the CLI runs from
// a bundle esbuild compiles from src/, cached in node_modules/.cache/pullsim/, and rebuilt whenever one
// of its inputs changes (size or mtime, checked on every start: one stat per source file). There is no
// build step to forget. Each module's `import.meta.url` keeps pointing at its source file, so relative
// file reads behave as under tsx.
//
// The bundle is one CommonJS script (cli.cjs), not ES modules, so that bin/code-cache.cjs can load it
// with V8's code cache: Node 20 has no compile cache for ES modules, and compiling the bundle was a
// quarter of `pullsim --version`. In a CommonJS bundle a dynamic import() of a bundled module is a lazy
// initialiser, so the entry (src/cli/entry.ts) keeps each command and the worker loop behind one: a
// module's top level runs only when a command needs it. The worker thread runs the same script (and its
// cache) through worker.cjs, written next to it.
//
// compiledBundle() returns the URL of the bundle's directory (cli.cjs, worker.cjs), or undefined when it
// cannot be had (esbuild missing, a read-only install, a source that does not compile); bin/pullsim.js
// then falls back to tsx, which also reports syntax errors with TypeScript line numbers.
// PULLSIM_NO_BUNDLE=1 forces the tsx path.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'pullsim');
const CURRENT = path.join(CACHE, 'current.json');
const ENTRY = 'src/cli/entry.ts';
/** Inputs that change the output without being bundled (code-cache.cjs: the wrapper the bundle runs in). */
const EXTRA_INPUTS = ['tsconfig.json', 'bin/compiled.js', 'bin/code-cache.cjs'];
/** Packages left to Node. vega and vega-lite are ES modules loaded with import() (see esmImports). */
const EXTERNAL = ['vega', 'vega-lite', 'tinybench', 'esbuild', 'tsx', 'playwright-core', 'fast-check'];
/** What the bundle calls for an external package's import(): a parameter of its wrapper (code-cache.cjs). */
const IMPORT = '$esmld';
/** The bundle's own URL, set by the banner: a package's `import.meta.url` (see metaUrls). */
const BUNDLE_URL = '__pullsimBundleUrl';
/** Bundles kept besides the current one, so a process still running from an older one can start its workers. */
const KEEP = 3;

/** An input's size and mtime. `rel` is esbuild's normalised relative path: joined by concatenation, as path.join cost ~10 ms over the ~340 inputs. */
function stamp(rel) {
  const s = statSync(ROOT + rel, { throwIfNoEntry: false });
  return s === undefined ? 'missing' : `${s.size}:${s.mtimeMs}`;
}

/** The cached bundle's directory URL if every input is as it was when it was built (and where). */
function current() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(CURRENT, 'utf8'));
  } catch {
    return undefined;
  }
  // The bundle holds absolute source URLs, so a copied or moved checkout builds its own.
  if (manifest.root !== ROOT) return undefined;
  for (const [rel, was] of Object.entries(manifest.inputs)) if (stamp(rel) !== was) return undefined;
  const dir = path.join(CACHE, manifest.dir);
  return existsSync(path.join(dir, 'cli.cjs')) ? pathToFileURL(`${dir}/`).href : undefined;
}

/**
 * esbuild plugin: `import.meta` has no CommonJS counterpart. In our sources `import.meta.url` becomes the
 * source file's URL; in a package it becomes the bundle's URL, as it was when the bundle was an ES module
 * (yargs makes its `require` and finds its locale files from it).
 */
const metaUrls = {
  name: 'pullsim-import-meta',
  setup(build) {
    build.onLoad({ filter: /\.(ts|js|mjs)$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (args.path.endsWith('.ts')) return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
      if (!text.includes('import.meta.url')) return undefined;
      return { contents: text.replaceAll('import.meta.url', BUNDLE_URL), loader: 'js' };
    });
  },
};

/**
 * esbuild plugin: string-width (yargs' and cliui's, three copies) builds an Intl.Segmenter and a
 * \p{RGI_Emoji} regular expression at its top level, ~30 ms of every start-up, for help text the CLI
 * seldom prints. Each importer gets a stand-in that loads the real module on the first call.
 */
const LAZY = Symbol('pullsim-lazy');
const lazyModules = {
  name: 'pullsim-lazy-modules',
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === LAZY) return undefined;
      const real = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: LAZY });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'pullsim-lazy' };
    });
    build.onLoad({ filter: /.*/, namespace: 'pullsim-lazy' }, (args) => ({
      contents: `let real;\nexport default function lazyStringWidth(...args) {\n  real ??= require(${JSON.stringify(args.path)}).default;\n  return real(...args);\n}\n`,
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * A CommonJS script cannot use import() under vm.Script with a code cache (Node 20 drops the import
 * callback of cached code, and its replacement warns as experimental), so an external package's
 * `import("x")` is rewritten to the wrapper's IMPORT("x"), which code-cache.cjs implements with a real
 * import(). IMPORT has import's length, so columns (source maps) stay put.
 */
function esmImports(text, imports) {
  let out = text;
  for (const spec of new Set(imports.filter((i) => i.kind === 'dynamic-import' && i.external).map((i) => i.path))) {
    const call = `import(${JSON.stringify(spec)})`;
    if (!out.includes(call)) throw new Error(`internal: bin/compiled.js did not find ${call} in the bundle`);
    out = out.replaceAll(call, () => `${IMPORT}(${JSON.stringify(spec)})`);
  }
  return out;
}

/** The worker thread's script: the bundle's worker loop, from the same script and code cache as the CLI. */
const WORKER_SCRIPT = `// Written by bin/compiled.js.
require('../../../../bin/code-cache.cjs').runBundle(require('node:path').join(__dirname, 'cli.cjs')).exports.startWorker();
`;

async function build() {
  const esbuild = await import('esbuild');
  mkdirSync(CACHE, { recursive: true });
  const tmp = path.join(CACHE, `.build-${process.pid}-${Date.now()}`);
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { cli: ENTRY },
    outdir: tmp,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // The sources are ES modules, which are strict; so was the ES-module bundle this one replaced.
    banner: { js: `"use strict";\nvar ${BUNDLE_URL} = require("node:url").pathToFileURL(__filename).href;` },
    external: EXTERNAL,
    // No comments or indentation: a smaller script to read and scan, and ASCII only (esbuild escapes
    // strings; comments kept their characters), which V8 holds in a one-byte string (code-cache.cjs).
    minifyWhitespace: true,
    sourcemap: 'linked',
    // Stack traces need the mappings only; without the sources the maps load faster.
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [metaUrls, lazyModules],
  });
  mkdirSync(tmp);
  for (const file of result.outputFiles) {
    const meta = result.metafile.outputs[path.relative(ROOT, file.path)];
    writeFileSync(file.path, meta && file.path.endsWith('.cjs') ? esmImports(file.text, meta.imports) : file.contents);
  }
  writeFileSync(path.join(tmp, 'worker.cjs'), WORKER_SCRIPT);
  const inputs = {};
  for (const rel of [...Object.keys(result.metafile.inputs), ...EXTRA_INPUTS]) inputs[rel] = stamp(rel);
  const dir = createHash('sha256').update(JSON.stringify([esbuild.version, inputs])).digest('hex').slice(0, 16);
  const final = path.join(CACHE, dir);
  if (existsSync(final)) rmSync(tmp, { recursive: true, force: true }); // another process built the same
  else renameSync(tmp, final);
  const next = `${CURRENT}.${process.pid}`;
  writeFileSync(next, JSON.stringify({ dir, root: ROOT, esbuild: esbuild.version, inputs }, null, 1));
  renameSync(next, CURRENT);
  prune(dir);
  return pathToFileURL(`${final}/`).href;
}

/** Removes all but the newest few bundles (and stale temporary builds). */
function prune(keep) {
  const dirs = readdirSync(CACHE, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== keep)
    .map((d) => ({ name: d.name, mtime: statSync(path.join(CACHE, d.name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const d of dirs.slice(KEEP)) rmSync(path.join(CACHE, d.name), { recursive: true, force: true });
}

export async function compiledBundle() {
  if (process.env.PULLSIM_NO_BUNDLE) return undefined;
  try {
    return current() ?? (await build());
  } catch {
    return undefined;
  }
}
