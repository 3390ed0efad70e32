/**
 * pullsim against SimGrid 3.32 on the registry fan-out (goal 1: "at SimGrid's answers, far
 * faster"), both run here, now: `fanout-vs-simgrid-5000` is pullsim's time ÷ SimGrid's for N = 5,000
 * distinct sizes, each timing the platform's set-up and the whole run inside its own process (SimGrid with
 * its default lazy update, as its users run it), and the finish times must agree (relative 1e-9, or the
 * suite fails). A ratio of two simulators on the same cores at the same minutes, so it says "how much
 * faster than SimGrid" on any machine; SimGrid's seconds also tell how fast this machine is against the
 * one the issue measured on (2.0 s there). `fanout-two-rtt-vs-simgrid-5000` is the same fan-out with the
 * clients at two RTTs (1 ms and 2 ms) under CM02, whose shares SimGrid weights by 1 / RTT: one share group
 * of members with two penalties in pullsim (share-group.ts).
 *
 * Needs SimGrid (Debian: apt-get install libsimgrid-dev); without it the entries are left out with a note.
 */
import { pathToFileURL } from 'node:url';
import { fanoutProblem, maxRelativeDifference, runPullsim, runSimgrid, simgridRunner, type FlowModel, type FlowProblem } from './simgrid.ts';
import { median, spread } from './measure.ts';
import { wants, type BenchRow, type BenchSuiteOptions } from './types.ts';

const N = 5_000;
/** SimGrid runs (seconds each at N = 5,000); pullsim runs after each of them. */
const SIMGRID_RUNS = 3;
const PULLSIM_RUNS_EACH = 5;

const twoRtts = (i: number): number => (i % 2 === 0 ? 0.001 : 0.002);

const ENTRIES: { name: string; model: FlowModel; problem: (n: number) => FlowProblem; what: string }[] = [
  { name: `fanout-vs-simgrid-${N}`, model: 'maxmin', problem: (n) => fanoutProblem(n), what: "the issue's machine: 2.0 s" },
  { name: `fanout-two-rtt-vs-simgrid-${N}`, model: 'cm02', problem: (n) => fanoutProblem(n, twoRtts), what: 'CM02, clients at 1 ms and 2 ms' },
];

export async function simgridBench(options: BenchSuiteOptions = {}): Promise<BenchRow[]> {
  const entries = ENTRIES.filter((e) => wants(options, e.name));
  if (entries.length === 0) return [];
  const runner = simgridRunner();
  if ('unavailable' in runner) {
    process.stderr.write(`bench: ${entries.map((e) => e.name).join(', ')} not run: ${runner.unavailable}\n`);
    return [];
  }
  return entries.map((e) => versusSimgrid(e.name, e.problem, e.model, e.what));
}

/** pullsim's time ÷ SimGrid's on `problem(N)` under `model`; throws if a finish time differs by 1e-9. */
function versusSimgrid(name: string, problem: (n: number) => FlowProblem, model: FlowModel, what: string): BenchRow {
  const p = problem(N);
  runPullsim(problem(2_000), model); // warm-up: compile the hot paths before the first timed run
  const theirs: number[] = [];
  const ours: number[] = [];
  let version = '';
  const rounds: number[] = [];
  let worst = 0;
  for (let k = 0; k < SIMGRID_RUNS; k++) {
    const sg = runSimgrid(p, model, 'lazy');
    version = sg.version;
    theirs.push(sg.seconds);
    const round: number[] = [];
    for (let i = 0; i < PULLSIM_RUNS_EACH; i++) {
      const run = runPullsim(p, model);
      round.push(run.seconds);
      worst = Math.max(worst, maxRelativeDifference(run.times, sg.times));
    }
    ours.push(...round);
    rounds.push(median(round) / sg.seconds);
  }
  if (!(worst < 1e-9)) throw new Error(`${name}: finish times differ from SimGrid's by ${worst} (relative)`);
  const ratio = median(ours) / median(theirs);
  return {
    name,
    unit: 'x',
    value: ratio,
    range: spread(rounds),
    extra:
      `pullsim ${median(ours).toFixed(4)} s (median of ${ours.length}) ÷ SimGrid ${version} ${median(theirs).toFixed(2)} s ` +
      `(lazy update, median of ${theirs.length}; ${what}): ${(1 / ratio).toFixed(0)}× faster (rounds: ${rounds.map((r) => (1 / r).toFixed(0)).join(' ')}), ` +
      `finish times within ${worst.toExponential(1)} of SimGrid's`,
    better: 'smaller',
    gate: ratio,
  };
}

// Run as a script. No top-level await: the CLI's bundle is CommonJS (bin/compiled.js), which has none.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void (async () => {
    const { formatBenchTable } = await import('./index.ts');
    process.stdout.write(formatBenchTable(await simgridBench({ filter: process.argv[2] })));
  })();
}
