/**
 * End to end (issue 6, goal 3): the seed scenario, every variant, one replication, as a user runs it —
 * a fresh `node bin/pullsim.js run scenarios/seed-500-nodes.yaml --quiet`, start-up included. Target < 1 s.
 *
 * The row is the median wall time of a few spawns. `extra` carries the in-process events/s of the same
 * scenario (simulate() timed around the run), so start-up and simulation can be told apart.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadScenario, simulate } from '../src/run.ts';
import type { BenchRow, BenchSuiteOptions } from './types.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCENARIO = 'scenarios/seed-500-nodes.yaml';
const SPAWNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Wall seconds of one whole CLI process. */
function spawnSeconds(): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, ['bin/pullsim.js', 'run', SCENARIO, '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`seed-e2e: pullsim exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  return seconds;
}

/** Kernel events and wall time of the simulation alone, in this process. */
async function inProcess(): Promise<{ events: number; seconds: number }> {
  const scenario = await loadScenario(`${ROOT}${SCENARIO}`);
  const started = performance.now();
  const result = simulate(scenario);
  const seconds = (performance.now() - started) / 1000;
  let events = 0;
  for (const v of result.variants) events += v.metrics.events;
  return { events, seconds };
}

export async function e2eBench(options: BenchSuiteOptions = {}): Promise<BenchRow[]> {
  if (options.filter && !'seed-e2e'.includes(options.filter)) return [];
  const secs: number[] = [];
  for (let i = 0; i < SPAWNS; i++) secs.push(spawnSeconds());
  const m = median(secs);
  const sim = await inProcess();
  const spread = (100 * (Math.max(...secs) - Math.min(...secs))) / 2 / m;
  const rate = sim.events > 0 ? `${Math.round(sim.events / sim.seconds).toLocaleString('en-US')} events/s in process` : 'events not reported';
  return [
    {
      name: 'seed-e2e',
      unit: 's',
      value: m,
      range: `±${spread.toFixed(1)}%`,
      extra:
        `median of ${SPAWNS} spawns incl. start-up; simulate() alone ${sim.seconds.toFixed(2)} s, ${sim.events} events, ` +
        `${rate}, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB (bench process)`,
    },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { formatBenchTable } = await import('./index.ts');
  process.stdout.write(formatBenchTable(await e2eBench()));
}
