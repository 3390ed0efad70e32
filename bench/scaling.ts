/**
 * The scaling curve (issue 6, goal 4): wall time and memory of `pullsim run bench/scaling.yaml` (the seed
 * cadence) at growing cluster sizes, hosted and P2P, each point a fresh CLI process (start-up included,
 * one thread, its own peak RSS). Writes bench/scaling.json and the chart bench/scaling.svg (vega-lite →
 * SVG, as the HTML report renders its charts) and prints the README table.
 *
 *   node --import tsx bench/scaling.ts [--nodes 1000,10000,50000,100000] [--p2p-nodes 1000,10000,50000,100000] [--duration 2h] [--heap-mb 12288]
 *   node --import tsx bench/scaling.ts --chart-only     # redraw the SVG from bench/scaling.json
 *
 * P2P has its own sizes (--p2p-nodes) so a quick run can leave out its largest points. --heap-mb raises
 * V8's heap limit of each run (--max-old-space-size; Node's default is ~4 GB on a 24 GB machine, and P2P at
 * 100k nodes needs ~6 GB: under the default it spends its time in the garbage collector).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TopLevelSpec } from 'vega-lite';
import { toSvg } from '../src/report/charts.ts';
import { writeOutput } from '../src/report/write.ts';
import { describeMachine, machineInfo } from './index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCENARIO = 'bench/scaling.yaml';
const VARIANTS = ['hosted-ecr', 'p2p-kraken'];
/** Preloaded into each run: reports the process's peak RSS and CPU time on exit. */
const REPORT = `data:text/javascript,process.on('exit',()=>{const c=process.cpuUsage();process.stderr.write('\\npeak-rss-kb '+process.resourceUsage().maxRSS+' cpu-us '+(c.user+c.system)+'\\n')})`;

export interface ScalingPoint {
  variant: string;
  nodes: number;
  pulls: number;
  /** Every transfer (request answered, piece delivered) of the run. */
  transfers: number;
  events: number;
  /** The whole process, start-up included. */
  wallS: number;
  /**
   * CPU seconds of the whole process (one simulation thread): on a shared machine this, not wall time,
   * is the figure that says how the work grows.
   */
  cpuS: number;
  /** simulate() alone (the result's wall_ms). */
  simulateS: number;
  peakRssMB: number;
}

/** CPU seconds of a CLI process that loads and validates the scenario but simulates nothing. */
function startupCpuS(): number {
  const r = spawnSync(process.execPath, ['--import', REPORT, 'bin/pullsim.js', 'validate', SCENARIO], { cwd: ROOT, encoding: 'utf8' });
  const rep = /cpu-us (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !rep) throw new Error(`scaling: validate failed: ${r.stderr.slice(0, 2000)}`);
  return Number(rep[1]) / 1e6;
}

function runPoint(variant: string, nodes: number, duration: string, heapMB: number): ScalingPoint {
  const args = [...(heapMB > 0 ? [`--max-old-space-size=${heapMB}`] : []), '--import', REPORT, 'bin/pullsim.js', 'run', SCENARIO, '--variant', variant, '--set', `cluster.nodes=${nodes}`, '--set', `duration=${duration}`, '--timing', '--json', '-', '--quiet', '--jobs', '1'];
  const started = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  const wallS = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`scaling ${variant} ${nodes}: exit ${r.status}: ${r.stderr.slice(0, 2000)}`);
  const m = JSON.parse(r.stdout).variants[0].metrics;
  if (m.pulls_failed !== 0) throw new Error(`scaling ${variant} ${nodes}: ${m.pulls_failed} pulls failed`);
  const rep = /peak-rss-kb (\d+) cpu-us (\d+)/.exec(r.stderr);
  if (!rep) throw new Error(`scaling ${variant} ${nodes}: no resource report from the run`);
  return {
    variant,
    nodes,
    pulls: m.pulls,
    transfers: m.requests,
    events: m.events,
    wallS,
    cpuS: Number(rep[2]) / 1e6,
    simulateS: m.wall_ms / 1000,
    peakRssMB: Number(rep[1]) / 1024,
  };
}

/**
 * Slope of log(simulation CPU) against log(transfers) from the second-smallest to the largest point (the
 * smallest is mostly start-up): 1 is linear. Simulation CPU = process CPU − start-up CPU.
 */
export function loglogSlope(points: readonly ScalingPoint[], startupS: number): number {
  const s = [...points].sort((a, b) => a.transfers - b.transfers);
  const a = s[Math.min(1, s.length - 2)];
  const b = s[s.length - 1];
  return Math.log((b.cpuS - startupS) / (a.cpuS - startupS)) / Math.log(b.transfers / a.transfers);
}

function chartSpec(points: readonly ScalingPoint[]): TopLevelSpec {
  const values = points.map((p) => ({ ...p, usPerTransfer: (1e6 * p.cpuS) / p.transfers }));
  const common = { width: 300, height: 220 } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'pullsim scaling: seed cadence (bench/scaling.yaml), one thread per run',
    data: { values },
    hconcat: [
      {
        ...common,
        title: 'CPU time vs transfers (log-log)',
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'transfers', type: 'quantitative', scale: { type: 'log' }, title: 'transfers (requests + pieces)' },
          y: { field: 'cpuS', type: 'quantitative', scale: { type: 'log' }, title: 'process CPU seconds' },
          color: { field: 'variant', type: 'nominal' },
        },
      },
      {
        ...common,
        title: 'cost per transfer (flat = linear)',
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'nodes', type: 'quantitative', scale: { type: 'log' }, title: 'nodes' },
          y: { field: 'usPerTransfer', type: 'quantitative', scale: { type: 'log' }, title: 'CPU µs per transfer (log)' },
          color: { field: 'variant', type: 'nominal' },
        },
      },
      {
        ...common,
        title: 'peak memory',
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'nodes', type: 'quantitative', title: 'nodes' },
          y: { field: 'peakRssMB', type: 'quantitative', title: 'peak RSS, MB (whole process)' },
          color: { field: 'variant', type: 'nominal' },
        },
      },
    ],
  };
}

export function scalingTable(points: readonly ScalingPoint[]): string {
  const lines = [
    '| variant | nodes | pulls | transfers | events | process wall | process CPU | CPU µs / transfer | events/s (CPU) | peak RSS |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const p of points) {
    lines.push(
      `| ${p.variant} | ${p.nodes.toLocaleString('en-US')} | ${p.pulls.toLocaleString('en-US')} | ${p.transfers.toLocaleString('en-US')} | ` +
        `${p.events.toLocaleString('en-US')} | ${p.wallS.toFixed(1)} s | ${p.cpuS.toFixed(1)} s | ${((1e6 * p.cpuS) / p.transfers).toFixed(2)} | ` +
        `${Math.round(p.events / p.cpuS).toLocaleString('en-US')} | ${Math.round(p.peakRssMB)} MB |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--chart-only')) {
    // Redraw bench/scaling.svg (and reprint the table) from bench/scaling.json without re-running.
    const { readFile } = await import('node:fs/promises');
    const saved = JSON.parse(await readFile(`${ROOT}bench/scaling.json`, 'utf8')) as { points: ScalingPoint[]; startupCpuS: number };
    await writeOutput(`${ROOT}bench/scaling.svg`, await toSvg(chartSpec(saved.points)));
    process.stdout.write(`${scalingTable(saved.points)}\n`);
    for (const v of VARIANTS) process.stdout.write(`${v}: slope ${loglogSlope(saved.points.filter((p) => p.variant === v), saved.startupCpuS).toFixed(3)}\n`);
    return;
  }
  const opt = (name: string, dflt: string): string => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] ? argv[i + 1] : dflt;
  };
  const sizes: Record<string, number[]> = {
    'hosted-ecr': opt('nodes', '1000,10000,50000,100000').split(',').map(Number),
    'p2p-kraken': opt('p2p-nodes', '1000,10000,50000,100000').split(',').map(Number),
  };
  const duration = opt('duration', '2h');
  const heapMB = Number(opt('heap-mb', '0'));
  const startupS = Math.min(startupCpuS(), startupCpuS(), startupCpuS());
  const points: ScalingPoint[] = [];
  for (const variant of VARIANTS) {
    for (const n of sizes[variant]) {
      const p = runPoint(variant, n, duration, heapMB);
      process.stderr.write(`${variant} ${n}: ${p.wallS.toFixed(1)} s, ${Math.round(p.peakRssMB)} MB\n`);
      points.push(p);
    }
  }
  const machine = describeMachine(machineInfo());
  await writeOutput(`${ROOT}bench/scaling.json`, `${JSON.stringify({ scenario: SCENARIO, duration, machine, heapMB: heapMB > 0 ? heapMB : 'default', startupCpuS: startupS, points }, null, 2)}\n`);
  await writeOutput(`${ROOT}bench/scaling.svg`, await toSvg(chartSpec(points)));
  process.stdout.write(`${scalingTable(points)}\n\n`);
  process.stdout.write(`start-up (load + validate, no simulation): ${startupS.toFixed(2)} s CPU\n`);
  for (const v of VARIANTS) {
    const slope = loglogSlope(points.filter((p) => p.variant === v), startupS);
    process.stdout.write(`${v}: log-log slope of simulation CPU vs transfers ${slope.toFixed(3)} (1 = linear)\n`);
  }
}

await main();
