/**
 * Calibrates the memory estimate (src/parallel/memory-estimate.ts) against real runs:
 * `npx tsx bench/memory-calibration.ts` runs each case below through the CLI under `/usr/bin/time -f %M`
 * (peak RSS) and prints measured against estimated, with each case's wall time; `--estimate-only` prints
 * the estimates alone; `--only TEXT` runs the cases whose label contains TEXT. Not a tinybench suite (it
 * measures memory, not time, and takes about 15 minutes); README "Resource guards" quotes it. Cases are kept
 * under ~3 minutes each on the 2-core machine.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { loadScenario } from '../src/run.ts';
import { estimateBatch } from '../src/parallel/memory-estimate.ts';

const SEED = 'scenarios/seed-all-strategies.yaml';
const SCALING = 'bench/scaling.yaml';
interface Case {
  label: string;
  file: string;
  variants: string[];
  sets: string[];
  jobs: number;
}
const one = (label: string, variant: string, nodes: number, duration: string, file = SEED): Case => ({
  label,
  file,
  variants: [variant],
  sets: [`cluster.nodes=${nodes}`, `duration=${duration}`],
  jobs: 1,
});

export const CASES: Case[] = [
  one('ecr 2,000 nodes, 4h', 'ecr', 2000, '4h'),
  one('ecr 8,000 nodes, 4h', 'ecr', 8000, '4h'),
  one('ecr 16,000 nodes, 4h', 'ecr', 16000, '4h'),
  one('ecr 32,000 nodes, 2h', 'ecr', 32000, '2h'),
  one('ecr 4,000 nodes, 24h', 'ecr', 4000, '24h'),
  one('private-local 8,000 nodes, 4h', 'private-local', 8000, '4h'),
  one('harbor-per-zone 8,000 nodes, 4h', 'harbor-per-zone', 8000, '4h'),
  one('kraken 8,000 nodes, 4h', 'kraken', 8000, '4h'),
  one('kraken 4,000 nodes, 24h', 'kraken', 4000, '24h'),
  one('dragonfly 8,000 nodes, 4h', 'dragonfly', 8000, '4h'),
  one('dragonfly 4,000 nodes, 24h', 'dragonfly', 4000, '24h'),
  one('scaling.yaml hosted-ecr 10,000 nodes, 2h', 'hosted-ecr', 10000, '2h', SCALING),
  one('scaling.yaml p2p-kraken 10,000 nodes, 2h', 'p2p-kraken', 10000, '2h', SCALING),
  { label: 'flash-crowd-1000, all 4 variants', file: 'scenarios/flash-crowd-1000.yaml', variants: [], sets: [], jobs: 1 },
  { label: 'flash-crowd-1000 kraken, 4,000 nodes', file: 'scenarios/flash-crowd-1000.yaml', variants: ['kraken'], sets: ['cluster.nodes=4000'], jobs: 1 },
  { label: 'dragonfly-2016, all variants', file: 'scenarios/dragonfly-2016.yaml', variants: [], sets: [], jobs: 1 },
  { label: 'ecr + kraken 4,000 nodes, 8h, -j 2', file: SEED, variants: ['ecr', 'kraken'], sets: ['cluster.nodes=4000', 'duration=8h'], jobs: 2 },
  { label: 'seed-500-nodes, 3 variants, -j 2', file: 'scenarios/seed-500-nodes.yaml', variants: [], sets: [], jobs: 2 },
];

async function estimate(c: Case): Promise<number> {
  const s = await loadScenario(c.file, c.sets);
  if (c.variants.length > 0) s.variants = s.variants.filter((v) => c.variants.includes(v.name));
  return estimateBatch([s], { jobs: c.jobs }).bytes;
}

/** Peak RSS (bytes) and wall time (s) of the case run through the CLI. */
function measure(c: Case): { rss: number; wall: number } {
  const args = ['-f', '%M %e', process.execPath, 'bin/pullsim.js', 'run', c.file, '--quiet', '--force', '-j', String(c.jobs)];
  for (const v of c.variants) args.push('--variant', v);
  for (const s of c.sets) args.push('--set', s);
  const r = spawnSync('/usr/bin/time', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${c.label}: exit ${r.status}\n${r.stderr}`);
  const [kb, wall] = (r.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  return { rss: kb * 1024, wall };
}

const estimateOnly = process.argv.includes('--estimate-only');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
console.log(`${execFileSync(process.execPath, ['--version'], { encoding: 'utf8' }).trim()}`);
console.log(estimateOnly ? 'case | estimated' : 'case | measured peak RSS | estimated | estimated / measured | wall');
for (const c of CASES) {
  if (only !== undefined && !c.label.includes(only)) continue;
  const est = await estimate(c);
  if (estimateOnly) {
    console.log(`${c.label} | ${(est / 1e6).toFixed(0)} MB`);
    continue;
  }
  const got = measure(c);
  console.log(`${c.label} | ${(got.rss / 1e6).toFixed(0)} MB | ${(est / 1e6).toFixed(0)} MB | ${(est / got.rss).toFixed(2)} | ${got.wall.toFixed(0)} s`);
}
