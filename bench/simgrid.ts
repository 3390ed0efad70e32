/**
 * SimGrid, the reference flow-level simulator, run on the same flow problems as pullsim's network: the
 * answers are compared (test/network-vs-simgrid.test.ts) and the times too (the bench's
 * `fanout-vs-simgrid-5000`). bench/simgrid/flows.cpp is compiled against the system's SimGrid on first
 * use (Debian: `apt-get install libsimgrid-dev`; found with pkg-config) and cached under
 * node_modules/.cache/pullsim/simgrid/, keyed by the source and the compiler flags.
 *
 * The models, as SimGrid's own configuration:
 * - `maxmin`: CM02 with no cross-traffic and no TCP window bound (TCP-gamma 0). SimGrid still weights each
 *   flow by 1 / its path latency, which pullsim's `maxmin` does not, so the two agree where every flow has
 *   the same path latency (zero, say: the fan-out);
 * - `cm02`: CM02 with no cross-traffic: + the window bound gamma / (2 × path latency), gamma = 4 MiB;
 * - `lv08`: LV08 as SimGrid ships it (latency factor 13.01, bandwidth factor 0.97, ACKs as 5 % cross-traffic
 *   on the way back, weight-S 20537).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Simulator } from '../src/kernel/index.ts';
import { Network, type NetworkOptions } from '../src/network/index.ts';
import { NetworkModel } from '../src/scenario/schema.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(HERE, 'simgrid', 'flows.cpp');
const CACHE = join(HERE, '..', 'node_modules', '.cache', 'pullsim', 'simgrid');

export type FlowModel = 'maxmin' | 'cm02' | 'lv08';

/** Links (bytes/s, seconds) and flows over them (start time, bytes, link ids), as bench/simgrid/flows.cpp reads them. */
export interface FlowProblem {
  links: readonly { bps: number; latencyS: number }[];
  flows: readonly { startS: number; bytes: number; path: readonly number[] }[];
}

export interface FlowAnswer {
  /** Wall seconds of the simulation (set-up included), measured inside the simulator's process. */
  seconds: number;
  /** Each flow's finish time, in problem order. */
  times: number[];
}

export interface SimgridAnswer extends FlowAnswer {
  /** The SimGrid library's version, e.g. "3.32.0". */
  version: string;
}

/** SimGrid's configuration for each model (see the module comment). */
export const SIMGRID_CONFIG: Readonly<Record<FlowModel, readonly string[]>> = {
  maxmin: ['network/model:CM02', 'network/crosstraffic:0', 'network/TCP-gamma:0'],
  cm02: ['network/model:CM02', 'network/crosstraffic:0'],
  lv08: ['network/model:LV08'],
};

/** pullsim's network options for each model, as a scenario's `network.model` sets them. */
export function pullsimOptions(model: FlowModel): NetworkOptions {
  const { latencyFactor, bandwidthFactor, tcpWindowBytes, windowRateFactor, latencyWeighted, weightS } = NetworkModel.parse({ model });
  return { latencyFactor, bandwidthFactor, tcpWindowBytes, windowRateFactor, latencyWeighted, weightS };
}

let built: { binary: string } | { unavailable: string } | undefined;

/**
 * The compiled SimGrid runner, built on first use; or why there is none (no pkg-config entry for SimGrid,
 * no C++ compiler, a compile error), as a sentence saying how to get it.
 */
export function simgridRunner(): { binary: string } | { unavailable: string } {
  if (built) return built;
  let flags: string[];
  try {
    flags = execFileSync('pkg-config', ['--cflags', '--libs', 'simgrid'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .trim()
      .split(/\s+/)
      .filter((f) => f.length > 0);
  } catch {
    return (built = { unavailable: 'SimGrid is not installed (pkg-config finds no simgrid; on Debian: apt-get install libsimgrid-dev)' });
  }
  const cxx = process.env.CXX ?? 'g++';
  const key = createHash('sha256').update(readFileSync(SOURCE)).update(cxx).update(flags.join(' ')).digest('hex').slice(0, 16);
  const binary = join(CACHE, `flows-${key}`);
  if (!existsSync(binary)) {
    mkdirSync(CACHE, { recursive: true });
    // Compiled to a name of its own and renamed, so a concurrent or interrupted build never leaves half a binary.
    const partial = `${binary}.${process.pid}.partial`;
    const r = spawnSync(cxx, ['-O2', '-std=c++17', '-o', partial, SOURCE, ...flags], { encoding: 'utf8' });
    if (r.status !== 0) {
      rmSync(partial, { force: true });
      const why = r.error ? r.error.message : r.stderr.trim().split('\n').slice(0, 5).join('\n');
      return (built = { unavailable: `bench/simgrid/flows.cpp did not compile with ${cxx}: ${why}` });
    }
    renameSync(partial, binary);
  }
  return (built = { binary });
}

/** The problem in flows.cpp's input format; numbers with 17 significant digits, so SimGrid reads the same doubles. */
export function problemText(p: FlowProblem): string {
  const lines = [`links ${p.links.length}`];
  for (const l of p.links) lines.push(`${l.bps.toPrecision(17)} ${l.latencyS.toPrecision(17)}`);
  lines.push(`flows ${p.flows.length}`);
  for (const f of p.flows) {
    if (!Number.isSafeInteger(f.bytes) || f.bytes < 0) throw new RangeError(`SimGrid takes whole bytes, got ${f.bytes}`);
    lines.push(`${f.startS.toPrecision(17)} ${f.bytes} ${f.path.length} ${f.path.join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Runs the problem in SimGrid under `model`. Throws if SimGrid is not available (check simgridRunner first).
 *
 * `update`: SimGrid's default `lazy` (network/optim:Lazy, a heap of action dates, partial re-solves) is
 * what its users run and what the bench times; `full` re-solves everything at every step, SimGrid's exact
 * reference. They can disagree: with TCP-gamma 0, lazy mode finished a 955-byte flow behind a 2 MB/s link
 * at 0.1000004 s where full mode (and pullsim) say 0.1004775 s (the 8-flow case in
 * test/network-vs-simgrid.test.ts), so answers are compared with `full`.
 */
export function runSimgrid(problem: FlowProblem, model: FlowModel, update: 'lazy' | 'full' = 'full'): SimgridAnswer {
  const runner = simgridRunner();
  if ('unavailable' in runner) throw new Error(runner.unavailable);
  const args = [...SIMGRID_CONFIG[model].map((c) => `--cfg=${c}`), `--cfg=network/optim:${update === 'full' ? 'Full' : 'Lazy'}`, '--log=root.thres:warning'];
  const r = spawnSync(runner.binary, args, { input: problemText(problem), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`SimGrid run failed (exit ${r.status ?? r.signal}): ${r.stderr.trim().split('\n').slice(0, 5).join('\n')}`);
  const out = JSON.parse(r.stdout) as { seconds: number; simgrid: string; times: number[] };
  return { seconds: out.seconds, version: out.simgrid, times: out.times };
}

/** Runs the same problem through pullsim's network (in this process), timing set-up and run as SimGrid's side does. */
export function runPullsim(problem: FlowProblem, model: FlowModel): FlowAnswer {
  const started = performance.now();
  const sim = new Simulator();
  const net = new Network(sim, pullsimOptions(model));
  const ids = problem.links.map((l, i) => net.addLink(`l${i}`, l.bps, l.latencyS));
  const times = new Array<number>(problem.flows.length).fill(-1);
  problem.flows.forEach((f, j) => {
    const path = f.path.map((l) => ids[l]);
    const start = (): void => {
      net.startFlow(path, f.bytes, () => (times[j] = sim.now));
    };
    if (f.startS > 0) sim.call(f.startS, start);
    else start();
  });
  sim.run();
  return { seconds: (performance.now() - started) / 1000, times };
}

/**
 * Largest relative difference between two answers' finish times (|a − b| / b; absolute where b is 0);
 * NaN if either side has a time that is not a number, Infinity for one that is infinite.
 */
export function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`answers of different lengths: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / (b[i] === 0 ? 1 : Math.abs(b[i]));
    if (Number.isNaN(d)) return NaN;
    if (d > worst) worst = d;
  }
  return worst;
}

/**
 * The fan-out's finish times in client order, by the closed form: with sorted sizes,
 * t_j = t_{j−1} + (s_j − s_{j−1}) / min(client capacity, C / (N − j + 1)).
 */
export function fanoutClosedForm(n: number): number[] {
  const times: number[] = [];
  let t = 0;
  let prev = 0;
  for (let j = 1; j <= n; j++) {
    const s = (100e6 * j) / n;
    t += (s - prev) / Math.min(1e9 / 8, 10e9 / 8 / (n - j + 1));
    prev = s;
    times.push(t);
  }
  return times;
}

/**
 * The registry fan-out: 10 Gbit/s registry NIC and backbone, N clients at 1 Gbit/s, client i
 * fetching 100 MB·(i+1)/N. `clientLatencyS(i)` (default 0 for all) puts latency on client i's link: clients
 * at several RTTs, whose shares CM02 / LV08 weight by 1 / RTT.
 */
export function fanoutProblem(n: number, clientLatencyS: (i: number) => number = () => 0): FlowProblem {
  const links = [
    { bps: 10e9 / 8, latencyS: 0 },
    { bps: 10e9 / 8, latencyS: 0 },
  ];
  const flows: FlowProblem['flows'][number][] = [];
  for (let i = 0; i < n; i++) {
    links.push({ bps: 1e9 / 8, latencyS: clientLatencyS(i) });
    flows.push({ startS: 0, bytes: (100e6 * (i + 1)) / n, path: [0, 1, 2 + i] });
  }
  return { links, flows };
}
