/**
 * End to end (issue 6, goal 3): the seed scenario, every variant, one replication, as a user runs it —
 * a fresh `node bin/pullsim.js run scenarios/seed-500-nodes.yaml --quiet`, start-up included. Target < 1 s.
 *
 * The row is the median wall time of a few spawns. `extra` carries the events per second of process wall
 * time, the process's peak RSS, and simulate() timed alone on one thread, so start-up, worker threads and
 * simulation can be told apart.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadScenario, simulate } from '../src/run.ts';
import { formatCount, median, pairedWithReference, spread } from './measure.ts';
import { wants, type BenchRow, type BenchSuiteOptions } from './types.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCENARIO = 'scenarios/seed-500-nodes.yaml';
const SPAWNS = 5;
/** Preloaded into the spawned CLI: reports the whole process's peak RSS and CPU time (all threads) on exit. */
const REPORT = `data:text/javascript,process.on('exit',()=>{const c=process.cpuUsage();process.stderr.write('\\npeak-rss-kb '+process.resourceUsage().maxRSS+' cpu-us '+(c.user+c.system)+'\\n')})`;

/** Wall seconds, CPU seconds and peak RSS (MB) of one whole CLI process. */
function spawnOnce(): { seconds: number; cpuS: number; peakRssMB: number } {
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--import', REPORT, 'bin/pullsim.js', 'run', SCENARIO, '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`seed-e2e: pullsim exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  const rep = /peak-rss-kb (\d+) cpu-us (\d+)/.exec(r.stderr);
  if (!rep) throw new Error('seed-e2e: the spawned process reported no resource usage');
  return { seconds, cpuS: Number(rep[2]) / 1e6, peakRssMB: Number(rep[1]) / 1024 };
}

/** Kernel events and wall time of the simulation alone, in this process (one thread). */
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
  if (!wants(options, 'seed-e2e')) return [];
  spawnOnce(); // builds the compiled bundle if a source changed, so no timed spawn pays for that
  // The gate: each spawn's CPU (all its threads) ÷ the reference workload next to it, median of those.
  const paired = pairedWithReference(SPAWNS, spawnOnce, (s) => s.cpuS);
  const spawns = paired.results;
  const gate = median(paired.ratios);
  const secs = spawns.map((s) => s.seconds);
  const m = median(secs);
  const peakRssMB = Math.max(...spawns.map((s) => s.peakRssMB));
  const cpuS = Math.min(...spawns.map((s) => s.cpuS));
  const sim = await inProcess();
  const eventsPerSecond = sim.events / m;
  return [
    {
      name: 'seed-e2e',
      unit: 's',
      value: m,
      range: spread(secs),
      extra:
        `median of ${SPAWNS} \`pullsim run ${SCENARIO}\` processes, start-up included (best CPU ${cpuS.toFixed(2)} s, all threads): ${sim.events} events, ` +
        `${formatCount(eventsPerSecond)} events/s of process wall time, peak RSS ${Math.round(peakRssMB)} MB (whole process); ` +
        `simulate() alone on one thread ${sim.seconds.toFixed(2)} s (${formatCount(sim.events / sim.seconds)} events/s); ` +
        `CPU ${gate.toFixed(1)} × reference workload (median of spawn ÷ the reference next to it)`,
      better: 'smaller',
      // CPU, not wall: with worker threads the wall time depends on how many cores are free right now.
      gate,
      eventsPerSecond,
      peakRssMB,
    },
  ];
}

// Run as a script. No top-level await: the CLI's bundle is CommonJS (bin/compiled.js), which has none.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void (async () => {
    const { formatBenchTable } = await import('./index.ts');
    process.stdout.write(formatBenchTable(await e2eBench()));
  })();
}
