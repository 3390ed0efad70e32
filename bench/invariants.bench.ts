/**
 * What the always-on invariant checks cost (issue 7: < 10 %). The same run — the seed scenario's ECR
 * variant, one thread, start-up included — as whole CLI processes with the checks on and with
 * PULLSIM_UNCHECKED=1, alternating so a busy machine slows both alike; the row is the best CPU seconds
 * checked ÷ the best unchecked (interference only adds time, so the minimum is the truest figure).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spread } from './measure.ts';
import { wants, type BenchRow, type BenchSuiteOptions } from './types.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ARGS = ['bin/pullsim.js', 'run', 'scenarios/seed-500-nodes.yaml', '--variant', 'ecr', '--quiet', '--jobs', '1'];
const PAIRS = 5;
const REPORT = `data:text/javascript,process.on('exit',()=>{const c=process.cpuUsage();process.stderr.write('\\ncpu-us '+(c.user+c.system)+'\\n')})`;

function cpuOf(unchecked: boolean): number {
  const env = { ...process.env };
  if (unchecked) env.PULLSIM_UNCHECKED = '1';
  else delete env.PULLSIM_UNCHECKED;
  const r = spawnSync(process.execPath, ['--import', REPORT, ...ARGS], { cwd: ROOT, encoding: 'utf8', env });
  const m = /cpu-us (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`invariants bench: pullsim exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  return Number(m[1]) / 1e6;
}

export async function invariantsBench(options: BenchSuiteOptions = {}): Promise<BenchRow[]> {
  if (!wants(options, 'invariants-overhead')) return [];
  cpuOf(false); // builds the compiled bundle if a source changed
  const on: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    on.push(cpuOf(false));
    off.push(cpuOf(true));
  }
  const ratio = Math.min(...on) / Math.min(...off);
  const perPair = on.map((x, i) => x / off[i]);
  return [
    {
      name: 'invariants-overhead',
      unit: 'x',
      value: ratio,
      range: spread(perPair),
      extra: `best CPU checked ${Math.min(...on).toFixed(2)} s ÷ unchecked ${Math.min(...off).toFixed(2)} s (PULLSIM_UNCHECKED=1), ${PAIRS} alternating pairs of \`pullsim ${ARGS.slice(1).join(' ')}\`; goal < 1.10`,
    },
  ];
}

// Run as a script. No top-level await: the CLI's bundle is CommonJS (bin/compiled.js), which has none.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void (async () => {
    const { formatBenchTable } = await import('./index.ts');
    process.stdout.write(formatBenchTable(await invariantsBench()));
  })();
}
