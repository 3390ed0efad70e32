/**
 * Registry fan-out with distinct sizes (issue 6, goal 1), the case SimGrid 3.32 takes 2.0 s for at N=5,000
 * and about 570 s at N=50,000 on this machine: one registry (10 Gbit/s NIC) serves N clients (1 Gbit/s
 * NICs) through a shared 10 Gbit/s backbone, pure max-min, zero latency, client i fetches 100 MB·(i+1)/N,
 * every flow starting at t=0. Every completion re-shares the bottleneck.
 *
 * Each row is the in-process wall time of one whole run (set-up, all N flows, every completion), the
 * median of a few runs; the finish times are checked against the closed form
 * t_j = t_{j−1} + (s_j − s_{j−1}) / min(client_cap, C/(N−j+1)) so a fast wrong answer cannot pass.
 */
import { pathToFileURL } from 'node:url';
import { Simulator } from '../src/kernel/index.ts';
import { Network } from '../src/network/index.ts';
import { formatCount, median, pairedWithReference, spread, withPeakRss } from './measure.ts';
import { wants, type BenchRow, type BenchSuiteOptions } from './types.ts';
import { fanoutClosedForm, maxRelativeDifference } from './simgrid.ts';

const C = 10e9 / 8; // registry NIC and backbone, bytes/s
const CLIENT = 1e9 / 8; // client NIC, bytes/s
const SIZES = [5_000, 10_000, 50_000] as const;

export interface FanOutRun {
  seconds: number;
  events: number;
  /** Largest relative difference between a finish time and the closed form. */
  maxRelativeError: number;
}

/** Runs the fan-out once and returns its wall time, kernel events and error against the closed form. */
export function runFanOut(n: number): FanOutRun {
  const started = performance.now();
  const sim = new Simulator();
  const net = new Network(sim);
  const registry = net.addLink('registry:nic-up', C, 0);
  const backbone = net.addLink('backbone', C, 0);
  const finishedAt = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const client = net.addLink(`client${i}:nic`, CLIENT, 0);
    const k = i;
    net.startFlow([registry, backbone, client], (100e6 * (i + 1)) / n, () => {
      finishedAt[k] = sim.now;
    });
  }
  const stats = sim.run();
  const seconds = (performance.now() - started) / 1000;
  return { seconds, events: stats.events, maxRelativeError: maxRelativeDifference(finishedAt, fanoutClosedForm(n)) };
}

export async function fanoutBench(options: BenchSuiteOptions = {}): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  runFanOut(2_000); // warm-up: compile the hot paths before the first timed run
  for (const n of SIZES) {
    const name = `fanout-distinct-${n}`;
    if (!wants(options, name)) continue;
    // Small runs take tens of ms: more of them, so one GC pause cannot move the median.
    const repeats = n >= 50_000 ? 5 : n >= 10_000 ? 9 : 15;
    const { result: paired, peakRssMB } = await withPeakRss(() => pairedWithReference(repeats, () => runFanOut(n)));
    const runs = paired.results;
    const gate = median(paired.ratios);
    for (const run of runs) {
      if (!(run.maxRelativeError < 1e-9)) {
        throw new Error(`${name}: finish times off the closed form by ${run.maxRelativeError} (relative)`);
      }
    }
    const secs = runs.map((r) => r.seconds);
    const m = median(secs);
    const eventsPerSecond = runs[0].events / m;
    rows.push({
      name,
      unit: 's',
      value: m,
      range: spread(secs),
      extra:
        `${formatCount(eventsPerSecond)} events/s (${runs[0].events} events), ` +
        `max rel. error ${runs[0].maxRelativeError.toExponential(1)}, median of ${repeats}, ` +
        `peak RSS ${Math.round(peakRssMB)} MB, CPU ${gate.toFixed(2)} × reference workload (median of run ÷ the reference next to it)`,
      better: 'smaller',
      gate,
      eventsPerSecond,
      peakRssMB,
    });
  }
  return rows;
}

// Run as a script. No top-level await: the CLI's bundle is CommonJS (bin/compiled.js), which has none.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void (async () => {
    const { formatBenchTable } = await import('./index.ts');
    process.stdout.write(formatBenchTable(await fanoutBench({ filter: process.argv[2] })));
  })();
}
