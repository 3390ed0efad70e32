/**
 * Solver benchmark: the fast component solver (src/network/maxmin.ts) against the reference progressive
 * filling (src/network/maxmin-reference.ts) on the same problems.
 *
 *   node --import tsx bench/solver.bench.ts
 *
 * The fast solver is timed as the simulator runs it: tables already built, scratch state reused. The
 * reference is timed on the plain flow list it takes.
 */
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { formatCount, median, PeakRss } from './measure.ts';
import type { BenchRow } from './types.ts';
import { Rng } from '../src/kernel/index.ts';
import { MaxMinSolver, buildSharingTables, solveMaxMinReference, type ReferenceFlow } from '../src/network/index.ts';

export interface SolverProblem {
  /** Short stable id used in bench row names. */
  key: string;
  name: string;
  linkCapacity: number[];
  flows: ReferenceFlow[];
}

export interface SolverBenchResult {
  key: string;
  name: string;
  flows: number;
  links: number;
  /** Median per-solve times over the rounds (the names predate the median). */
  fastMeanMs: number;
  referenceMeanMs: number;
  /** Median over rounds of fast ÷ reference time: below 1 means the fast solver is faster. */
  ratio: number;
  /** Largest relative difference between the two solvers' rates on this problem. */
  maxRelativeDifference: number;
}

const GBIT = 1e9 / 8;
const ROUNDS = 5;
const ROUND_MS = 150;

/** A registry behind one NIC and a spine fans out to 500 nodes in 20 racks; a third of the pulls are capped. */
export function fanOutProblem(): SolverProblem {
  const racks = 20;
  const nodes = 500;
  const linkCapacity = [10 * GBIT, 40 * GBIT];
  const rackLinks = Array.from({ length: racks }, () => linkCapacity.push(10 * GBIT) - 1);
  const flows: ReferenceFlow[] = [];
  for (let i = 0; i < nodes; i++) {
    const nic = linkCapacity.push(i % 7 === 0 ? 10 * GBIT : GBIT) - 1;
    flows.push({ path: [0, 1, rackLinks[i % racks], nic], cap: i % 3 === 0 ? 0.4 * GBIT : Infinity });
  }
  return { key: 'fanout-500', name: 'fan-out 500 flows', linkCapacity, flows };
}

/** 2,000 random node-to-node transfers in 40 racks of 50 nodes, heterogeneous NICs and per-flow caps. */
export function multiRackProblem(): SolverProblem {
  const rng = new Rng('solver-bench:multi-rack');
  const racks = 40;
  const perRack = 50;
  const linkCapacity: number[] = [];
  const add = (bps: number): number => linkCapacity.push(bps) - 1;
  const spine = add(400 * GBIT);
  const rackUp = Array.from({ length: racks }, () => add(rng.uniform(20, 100) * GBIT));
  const rackDown = Array.from({ length: racks }, () => add(rng.uniform(20, 100) * GBIT));
  const nicUp = Array.from({ length: racks * perRack }, () => add(rng.uniform(1, 25) * GBIT));
  const nicDown = Array.from({ length: racks * perRack }, () => add(rng.uniform(1, 25) * GBIT));
  const flows: ReferenceFlow[] = [];
  for (let i = 0; i < 2000; i++) {
    const src = rng.int(racks * perRack);
    let dst = rng.int(racks * perRack - 1);
    if (dst >= src) dst++;
    const rs = Math.floor(src / perRack);
    const rd = Math.floor(dst / perRack);
    const path = rs === rd ? [nicUp[src], nicDown[dst]] : [nicUp[src], rackUp[rs], spine, rackDown[rd], nicDown[dst]];
    flows.push({ path, cap: rng.next() < 0.5 ? Infinity : rng.uniform(0.1, 8) * GBIT });
  }
  return { key: 'multirack-2000', name: 'multi-rack 2,000 flows', linkCapacity, flows };
}

/** Rows for the bench runner: the fast/reference time ratio per problem (lower is better). */
export async function solverBench(): Promise<BenchRow[]> {
  const rss = PeakRss.start();
  const results = await measureSolvers();
  const peakRssMB = await rss.stop();
  const rows: BenchRow[] = results.map((r) => ({
    name: `solver-fast-vs-reference-${r.key}`,
    unit: 'x',
    value: r.ratio,
    extra: `${r.name}: fast ${r.fastMeanMs.toPrecision(3)} ms, reference ${r.referenceMeanMs.toPrecision(3)} ms, max rate diff ${r.maxRelativeDifference.toExponential(1)}`,
    // Tracked, not gated: one problem's ratio is noisier than the geometric mean over both.
    better: 'smaller',
  }));
  // The headline row: geometric mean of the per-problem ratios.
  const geo = Math.exp(results.reduce((s, r) => s + Math.log(r.ratio), 0) / results.length);
  const solves = results.map((r) => `${r.name} ${formatCount(1000 / r.fastMeanMs)}`).join(', ');
  rows.push({
    name: 'solver-fast-vs-reference',
    unit: 'x',
    value: geo,
    extra:
      `geometric mean of the problems above (fast time ÷ reference time; both solvers in this process); ` +
      `no kernel events (solver alone), fast solves/s: ${solves}; peak RSS ${Math.round(peakRssMB)} MB`,
    better: 'smaller',
    gate: geo,
    peakRssMB,
  });
  return rows;
}

/** Runs both solvers on each problem under tinybench and reports mean times and their ratio. */
export async function measureSolvers(
  problems: SolverProblem[] = [fanOutProblem(), multiRackProblem()],
): Promise<SolverBenchResult[]> {
  const results: SolverBenchResult[] = [];
  for (const problem of problems) {
    const { linkCapacity, flows } = problem;
    const tables = buildSharingTables(linkCapacity, flows);
    const solver = new MaxMinSolver();
    const flowIds = Int32Array.from(flows, (_, f) => f);
    const linkIds = Int32Array.from(linkCapacity, (_, l) => l);
    const rate = new Float64Array(flows.length);
    const solveFast = (): void => solver.solve(tables, flowIds, flowIds.length, linkIds, linkIds.length, rate);

    solveFast();
    const reference = solveMaxMinReference(linkCapacity, flows);
    let maxRelativeDifference = 0;
    for (let f = 0; f < flows.length; f++) {
      const d = Math.abs(rate[f] - reference[f]) / Math.abs(reference[f]);
      if (d > maxRelativeDifference) maxRelativeDifference = d;
    }

    // Rounds alternate the two solvers and the ratio is taken per round (median of rounds): a noisy
    // neighbour then slows both sides of one ratio, not one side of the only one.
    const fastMs: number[] = [];
    const referenceMs: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const bench = new Bench({ time: ROUND_MS, iterations: 10, warmup: round === 0, warmupTime: 100, warmupIterations: 3 });
      bench.add('fast', solveFast).add('reference', () => {
        solveMaxMinReference(linkCapacity, flows);
      });
      await bench.run();
      const [f, r] = bench.tasks.map((task) => {
        const res = task.result;
        if (res.state !== 'completed') throw new Error(`solver bench ${problem.name} / ${task.name}: ${res.state}`);
        return res.latency.p50;
      });
      fastMs.push(f);
      referenceMs.push(r);
      ratios.push(f / r);
    }
    results.push({
      key: problem.key,
      name: problem.name,
      flows: flows.length,
      links: linkCapacity.length,
      fastMeanMs: median(fastMs),
      referenceMeanMs: median(referenceMs),
      ratio: median(ratios),
      maxRelativeDifference,
    });
  }
  return results;
}

async function main(): Promise<void> {
  for (const r of await measureSolvers()) {
    console.log(
      `${r.name} (${r.links} links): fast ${r.fastMeanMs.toPrecision(3)} ms, reference ${r.referenceMeanMs.toPrecision(3)} ms, ` +
        `fast/reference ${r.ratio.toFixed(3)} (${(1 / r.ratio).toFixed(1)}x faster), ` +
        `max rate difference ${r.maxRelativeDifference.toExponential(1)}`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
