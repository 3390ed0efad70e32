// The precompiled start path (issue 6, goal 3: the seed scenario in under a second, start-up included).
//
// Running src/ through tsx costs twice: its loader thread transforms every module at start-up, and the
// transform keeps function names by wrapping every closure in a defineProperty call, which the pull
// pipeline's per-request closures pay millions of times (about 40 % of a run's CPU). So the CLI runs from
// a bundle esbuild compiles from src/, cached in node_modules/.cache/pullsim/, and rebuilt whenever one
// of its inputs changes (size or mtime, checked on every start: one stat per source file). There is no
// build step to forget. Packages stay external (resolved from node_modules as usual), and each module's
// `import.meta.url` keeps pointing at its source file, so relative file reads behave as under tsx.
//
// compiledBundle() returns the URL of the bundle's directory (cli.js, pool.js, worker.js), or undefined when it cannot be had (esbuild missing, a
// read-only install, a source that does not compile); bin/pullsim.js then falls back to tsx, which also
// reports syntax errors with TypeScript line numbers. PULLSIM_NO_BUNDLE=1 forces the tsx path.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'pullsim');
const CURRENT = path.join(CACHE, 'current.json');
const ENTRY = 'src/cli/main.ts';
const POOL = 'src/parallel/pool.ts';
const WORKER = 'src/parallel/worker.ts';
/** Inputs that change the output without being bundled. */
const EXTRA_INPUTS = ['tsconfig.json', 'bin/compiled.js'];
/** Bundles kept besides the current one, so a process still running from an older one can load its lazy chunks. */
const KEEP = 3;

function stamp(rel) {
  try {
    const s = statSync(path.join(ROOT, rel));
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/** The cached bundle's directory URL if every input is as it was when it was built. */
function current() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(CURRENT, 'utf8'));
  } catch {
    return undefined;
  }
  for (const [rel, was] of Object.entries(manifest.inputs)) if (stamp(rel) !== was) return undefined;
  const dir = path.join(CACHE, manifest.dir);
  return existsSync(path.join(dir, 'cli.js')) ? pathToFileURL(`${dir}/`).href : undefined;
}

/** esbuild plugin: `import.meta.url` in a bundled module becomes its source file's URL. */
const sourceUrls = {
  name: 'pullsim-source-urls',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

async function build() {
  const esbuild = await import('esbuild');
  mkdirSync(CACHE, { recursive: true });
  const tmp = path.join(CACHE, `.build-${process.pid}-${Date.now()}`);
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    // The worker pool's module is an entry of its own, so bin/pullsim.js can hand it the worker's URL.
    entryPoints: { cli: ENTRY, pool: POOL, worker: WORKER },
    outdir: tmp,
    bundle: true,
    // Lazy imports (HTML charts, the bench suites) stay lazy: each becomes a chunk loaded on first use.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // CommonJS dependencies (yaml, seedrandom) require Node built-ins; an ESM bundle needs a require for them.
    banner: { js: "import { createRequire as __pullsimRequire } from 'node:module'; const require = __pullsimRequire(import.meta.url);" },
    external: ['vega', 'vega-lite', 'tinybench', 'esbuild', 'tsx', 'playwright-core', 'fast-check'],
    sourcemap: 'linked',
    // Stack traces need the mappings only; without the sources the maps load faster.
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [sourceUrls],
  });
  const inputs = {};
  for (const rel of [...Object.keys(result.metafile.inputs), ...EXTRA_INPUTS]) inputs[rel] = stamp(rel);
  const dir = createHash('sha256').update(JSON.stringify([esbuild.version, inputs])).digest('hex').slice(0, 16);
  const final = path.join(CACHE, dir);
  if (existsSync(final)) rmSync(tmp, { recursive: true, force: true }); // another process built the same
  else renameSync(tmp, final);
  const next = `${CURRENT}.${process.pid}`;
  writeFileSync(next, JSON.stringify({ dir, esbuild: esbuild.version, inputs }, null, 1));
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
