/**
 * Benchmark runner: `pullsim bench` (or `node --import tsx bench/index.ts`) with
 *   --filter TEXT            only the entries whose name contains TEXT
 *   --json FILE              github-action-benchmark entries: FILE gets the smaller-is-better ones
 *                            (tool customSmallerIsBetter), FILE with .bigger.json the bigger-is-better ones
 *   --bmf FILE               Bencher Metric Format
 *   --markdown FILE          the table and the gate's verdict as Markdown (a CI job summary)
 *   --baseline FILE          compare with a committed baseline; exit 1 on a regression beyond --threshold
 *   --threshold 15%          (default 15%)
 *   --confirm N              re-run an entry that regressed up to N more times, keeping its best run (default 2)
 *   --runs N                 run the suites N times; every output takes each entry's median run (default 1)
 *   --save-baseline FILE     write (or update, entry by entry) a baseline from this run
 *
 * Runs every suite (a suite is an async function returning BenchRow[]), prints one table and the machine
 * it ran on. `--filter TEXT` runs the suites whose name contains TEXT, and from the others only the rows
 * whose name contains TEXT (suites also get the filter, to skip work nobody asked for).
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { e2eBench } from './e2e.bench.ts';
import { invariantsBench } from './invariants.bench.ts';
import { fanoutBench } from './fanout.bench.ts';
import { simgridBench } from './simgrid.bench.ts';
import { kernelBench } from './kernel.bench.ts';
import { p2pBench } from './p2p.bench.ts';
import { solverBench } from './solver.bench.ts';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { checkWritable, writeOutput } from '../src/report/write.ts';
import { actionBenchmarkFiles, bencherMetricFormat, biggerFileName, comparisonParts, compareWithBaseline, benchMarkdown, formatBenchValue, formatRerun, makeBaseline, medianRows, mergeBest, normaliseBaseline, parseConfirm, parseRuns, parseThreshold, pickRecord, regressedNames, renderComparison, withRuns, type Baseline, type ComparisonParts } from './gate.ts';
import { wants, type BenchRow, type BenchSuite, type BenchSuiteOptions } from './types.ts';
import { useLongRunJit } from '../src/parallel/jit-profile.ts';

export interface NamedSuite {
  name: string;
  run: BenchSuite;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  /** CPU 0's L2 and L3 sizes (e.g. "L2 2 MiB, L3 105 MiB"), where the OS tells (Linux sysfs); else absent. */
  caches?: string;
  node: string;
  platform: string;
}

/** Every suite, in the order the table prints them. */
export async function loadSuites(): Promise<NamedSuite[]> {
  return [
    { name: 'kernel', run: kernelBench },
    { name: 'solver', run: solverBench },
    { name: 'fanout', run: fanoutBench },
    { name: 'simgrid', run: simgridBench },
    { name: 'e2e', run: e2eBench },
    { name: 'invariants', run: invariantsBench },
    // Last: its 10,000-node run leaves the process's RSS high, which would inflate later entries' peaks.
    { name: 'p2p', run: p2pBench },
  ];
}

export interface RunReport {
  rows: BenchRow[];
  failures: { suite: string; error: unknown }[];
  /** The suite each row came from, so the gate can re-run only the suites of the entries that regressed. */
  suiteOf: Map<string, string>;
}

/**
 * Runs the suites in order; a failing suite is reported and does not stop the others. `filter` selects
 * by substring (a suite whose name contains it runs whole), `names` by exact row name.
 */
export async function runSuites(suites: NamedSuite[], filter?: string, names?: readonly string[]): Promise<RunReport> {
  const rows: BenchRow[] = [];
  const failures: RunReport['failures'] = [];
  const suiteOf = new Map<string, string>();
  for (const suite of suites) {
    const whole = (!filter || suite.name.includes(filter)) && !names;
    const options: BenchSuiteOptions = whole ? {} : { ...(filter && !suite.name.includes(filter) ? { filter } : {}), ...(names ? { names } : {}) };
    try {
      const got = await suite.run(options);
      checkRows(suite.name, got);
      for (const r of whole ? got : got.filter((r) => wants(options, r.name))) {
        rows.push(r);
        suiteOf.set(r.name, suite.name);
      }
    } catch (error) {
      failures.push({ suite: suite.name, error });
    }
  }
  return { rows, failures, suiteOf };
}

class SuiteShapeError extends Error {}

/** "22 rows in 70.1 s", the time since `since` (performance.now()). */
function rowsIn(n: number, since: number): string {
  return `${n} row${n === 1 ? '' : 's'} in ${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function printFailure(f: RunReport['failures'][number]): void {
  // A crash inside a suite is a bug there, so its stack helps; a shape mismatch explains itself.
  const e = f.error;
  const text = e instanceof SuiteShapeError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
  process.stderr.write(`bench: suite '${f.suite}' failed: ${text}\n`);
}

/** Suites are written by different people; a row of the wrong shape is reported, not printed as NaN. */
function checkRows(suite: string, rows: unknown): asserts rows is BenchRow[] {
  if (!Array.isArray(rows)) throw new SuiteShapeError(`suite '${suite}' returned ${typeof rows}, not an array of BenchRow`);
  for (const r of rows as Record<string, unknown>[]) {
    const ok =
      typeof r?.name === 'string' &&
      typeof r.unit === 'string' &&
      typeof r.value === 'number' &&
      (r.range === undefined || typeof r.range === 'string') &&
      (r.extra === undefined || typeof r.extra === 'string');
    if (!ok) {
      throw new SuiteShapeError(
        `suite '${suite}' returned a row that is not a BenchRow { name, unit, value, range?, extra? } ` +
          `(see bench/types.ts): ${JSON.stringify(r)}`,
      );
    }
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const caches = cacheSizes();
  return {
    cpu: cpus[0]?.model.trim() || 'unknown CPU',
    cores: cpus.length,
    ...(caches ? { caches } : {}),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/**
 * CPU 0's unified L2 and L3 caches from Linux sysfs, e.g. "L2 2 MiB, L3 105 MiB". Two VMs can report the
 * same CPU model string ("Intel(R) Xeon(R) Processor") with different caches, and the benchmark ratios
 * follow the caches (a 1e5-pending heap fits in a 2 MiB L2, not in a 1 MiB one), so a baseline record is
 * keyed by them too.
 */
function cacheSizes(): string | undefined {
  const parts: string[] = [];
  for (let i = 0; i < 8; i++) {
    const dir = `/sys/devices/system/cpu/cpu0/cache/index${i}`;
    try {
      const level = readFileSync(`${dir}/level`, 'utf8').trim();
      const type = readFileSync(`${dir}/type`, 'utf8').trim();
      const size = readFileSync(`${dir}/size`, 'utf8').trim();
      if (type === 'Unified' && (level === '2' || level === '3')) parts.push(`L${level} ${formatCacheSize(size)}`);
    } catch {
      break;
    }
  }
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/**
 * CPU seconds the hypervisor took from this VM (the `steal` column of /proc/stat's cpu line, in USER_HZ
 * ticks of 1/100 s), or undefined off Linux. Steal stretches CPU time too, so the reference-workload
 * ratios do not cancel it when it comes in bursts.
 */
function stealSeconds(): number | undefined {
  try {
    return parseSteal(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** The steal seconds of /proc/stat's aggregate cpu line (the 8th number), or undefined if absent. */
export function parseSteal(procStat: string): number | undefined {
  const line = /^cpu\s+([\d\s]+)$/m.exec(procStat);
  const fields = line?.[1].trim().split(/\s+/).map(Number);
  return fields && fields.length >= 8 ? fields[7] / 100 : undefined;
}

/** One line on the steal a run saw, with a warning when it is more than 2 % of the machine's CPU. */
export function formatSteal(steal: number, wallSeconds: number, cores: number): string {
  const share = wallSeconds > 0 && cores > 0 ? steal / (wallSeconds * cores) : 0;
  const text = `hypervisor steal during the run: ${steal.toFixed(1)} CPU s (${(100 * share).toFixed(1)} % of ${cores} cores × ${wallSeconds.toFixed(0)} s)`;
  return share > 0.02 ? `${text} — warning: a VM losing CPU to its host times slower in bursts, which the reference ratios do not fully cancel` : text;
}

/** sysfs's "2048K" as "2 MiB", "48K" as "48 KiB". */
export function formatCacheSize(text: string): string {
  const m = /^(\d+)([KMG]?)$/.exec(text);
  if (!m) return text;
  const kib = Number(m[1]) * (m[2] === 'M' ? 1024 : m[2] === 'G' ? 1024 * 1024 : m[2] === 'K' ? 1 : 1 / 1024);
  if (kib >= 1024 && kib % 1024 === 0) return `${kib / 1024} MiB`;
  if (kib >= 1024) return `${(kib / 1024).toFixed(1)} MiB`;
  return `${kib} KiB`;
}

export function formatBenchTable(rows: BenchRow[]): string {
  const header = ['name', 'value', 'unit', '±range', 'extra'];
  const body = rows.map((r) => [r.name, formatBenchValue(r.value), r.unit, r.range ?? '', r.extra ?? '']);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((line) => line[c].length)));
  const rightAligned = new Set([1]);
  const fmt = (cells: string[]) =>
    cells
      .map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt)].join('\n') + '\n';
}

/** The machine in one line (CPU, cores, caches, Node, platform): also the key of its baseline record. */
export function describeMachine(m: MachineInfo): string {
  return `${m.cpu}, ${m.cores} cores, ${m.caches ? `${m.caches}, ` : ''}Node ${m.node}, ${m.platform}`;
}

export function formatMachine(m: MachineInfo): string {
  return `machine: ${describeMachine(m)}\n`;
}

export interface BenchOptions {
  filter?: string;
  json?: string;
  bmf?: string;
  /** GitHub-flavoured Markdown of the run and the gate's verdict (a CI job summary). */
  markdown?: string;
  baseline?: string;
  /** Fraction, e.g. 0.15. */
  threshold?: number;
  /** Re-runs of an entry that regressed before the gate calls it a regression (default 2; 0 = one shot). */
  confirm?: number;
  /** Whole runs of the suites; each entry's median run is what is printed, written and compared (default 1). */
  runs?: number;
  saveBaseline?: string;
}

export class BenchUsageError extends Error {}

const VALUE_FLAGS = ['filter', 'json', 'bmf', 'markdown', 'baseline', 'threshold', 'confirm', 'runs', 'save-baseline'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

export function parseBenchArgs(argv: string[]): BenchOptions {
  const got: Partial<Record<ValueFlag, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const flag = (eq > 0 ? a.slice(2, eq) : a.slice(2)) as ValueFlag;
    if (!a.startsWith('--') || !VALUE_FLAGS.includes(flag)) {
      throw new BenchUsageError(
        `unknown argument '${a}'. Usage: bench [--filter TEXT] [--json FILE] [--bmf FILE] [--markdown FILE] [--baseline FILE [--threshold 15%] [--confirm 2]] [--save-baseline FILE] [--runs 1]`,
      );
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new BenchUsageError(`--${flag} needs a value`);
    got[flag] = value;
  }
  return {
    filter: got.filter,
    json: got.json,
    bmf: got.bmf,
    markdown: got.markdown,
    baseline: got.baseline,
    threshold: got.threshold === undefined ? undefined : threshold(got.threshold),
    confirm: got.confirm === undefined ? undefined : confirm(got.confirm),
    runs: got.runs === undefined ? undefined : runs(got.runs),
    saveBaseline: got['save-baseline'],
  };
}

/** A flag's parser that reports a bad value as a usage error (exit 2, no stack trace). */
function usageErrors<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (e) {
      throw new BenchUsageError((e as Error).message);
    }
  };
}

/** The CLI's readers of --threshold, --confirm and --runs. */
export const threshold = usageErrors(parseThreshold);
export const confirm = usageErrors(parseConfirm);
export const runs = usageErrors(parseRuns);

async function main(): Promise<number> {
  try {
    return await runBench(parseBenchArgs(process.argv.slice(2)));
  } catch (e) {
    if (e instanceof BenchUsageError) {
      process.stderr.write(`bench: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

async function readBaseline(file: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new BenchUsageError(`cannot read the baseline ${file}; record one with --save-baseline ${file}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BenchUsageError(`${file} is not JSON`);
  }
  const b = normaliseBaseline(value);
  if (typeof b === 'string') throw new BenchUsageError(`${file} is ${b}`);
  return b;
}

/**
 * Runs the suites, prints the table, writes the machine formats and applies the baseline gate. Returns
 * the exit code: 0 ok, 1 a suite failed or the gate found a regression, 2 nothing matched --filter.
 * A bad output path or baseline file throws BenchUsageError before anything runs. `load` gives the
 * suites (the real ones unless a test passes its own).
 */
export async function runBench(options: BenchOptions, load: () => Promise<NamedSuite[]> = loadSuites): Promise<number> {
  // The suites are long loops: V8's full inlining, not the CLI's short-run budget (src/parallel/jit-profile.ts).
  useLongRunJit();
  const { filter } = options;
  const limit = options.threshold ?? 0.15;
  // Output paths and the baseline first, so a typo fails in the first second, not after the run.
  const targets = [options.json, options.json && biggerFileName(options.json), options.bmf, options.markdown, options.saveBaseline];
  if (options.markdown === '-') throw new BenchUsageError('--markdown needs a file: the bench prints its table on stdout (in CI: --markdown bench.md, then append it to $GITHUB_STEP_SUMMARY)');
  for (const t of targets) if (t) checkWritable(t);
  const baseline = options.baseline ? await readBaseline(options.baseline) : undefined;

  const machine = machineInfo();
  process.stdout.write(formatMachine(machine));
  const slowdown = process.env.PULLSIM_BENCH_SLOWDOWN;
  if (slowdown) process.stdout.write(`PULLSIM_BENCH_SLOWDOWN=${slowdown}: the fast solver repeats every solve (a test of the gate)\n`);
  const started = performance.now();
  const stealBefore = stealSeconds();
  const runCount = options.runs ?? 1;
  const suites = await load();
  const reports: RunReport[] = [];
  for (let run = 1; run <= runCount; run++) {
    const lap = performance.now();
    reports.push(await runSuites(suites, filter));
    if (runCount > 1) process.stdout.write(`run ${run} of ${runCount}: ${rowsIn(reports[run - 1].rows.length, lap)}\n`);
  }
  const report: RunReport = {
    rows: medianRows(reports.map((r) => r.rows)),
    failures: reports.flatMap((r, i) => r.failures.map((f) => (runCount > 1 ? { ...f, suite: `${f.suite} (run ${i + 1})` } : f))),
    suiteOf: new Map(reports.flatMap((r) => [...r.suiteOf])),
  };
  const { rows, failures } = report;
  if (filter && rows.length === 0 && failures.length === 0) {
    process.stderr.write(`bench: no benchmark matches --filter '${filter}'\n`);
    return 2;
  }
  process.stdout.write(`\n${runCount > 1 ? `each entry's median of ${runCount} runs (by its gate figure):\n` : ''}${formatBenchTable(rows)}`);
  process.stdout.write(`\n${rowsIn(rows.length, started)}\n`);
  for (const f of failures) printFailure(f);

  const wrote: string[] = [];
  if (options.json) {
    const files = actionBenchmarkFiles(rows);
    const bigger = biggerFileName(options.json);
    await writeOutput(options.json, `${JSON.stringify(files.smaller, null, 2)}\n`);
    await writeOutput(bigger, `${JSON.stringify(files.bigger, null, 2)}\n`);
    wrote.push(`${options.json} (customSmallerIsBetter)`, `${bigger} (customBiggerIsBetter)`);
  }
  if (options.bmf) {
    await writeOutput(options.bmf, `${JSON.stringify(bencherMetricFormat(rows), null, 2)}\n`);
    wrote.push(`${options.bmf} (Bencher Metric Format)`);
  }
  const machineText = describeMachine(machine);
  if (options.saveBaseline) {
    // An existing baseline is updated entry by entry, so a filtered run refreshes only its entries.
    const previous = await readBaseline(options.saveBaseline).catch(() => undefined);
    await writeOutput(options.saveBaseline, `${JSON.stringify(makeBaseline(rows, machineText, previous), null, 2)}\n`);
    wrote.push(`${options.saveBaseline} (baseline)`);
  }
  for (const w of wrote) process.stderr.write(`wrote ${w}\n`);

  let gateParts: ComparisonParts | undefined;
  if (baseline && options.baseline) {
    const picked = pickRecord(baseline, machineText);
    if (!picked) {
      process.stdout.write(`\nbaseline ${options.baseline} holds no machine's record: nothing to compare\n`);
    } else {
      const first = compareWithBaseline(rows, picked.record, limit);
      let cmp = first;
      // A regression on a noisy machine is confirmed before it fails the job: the entries that regressed
      // run again (only those), each keeps its best run, and an entry back within its allowance stops.
      const attempts = (options.confirm ?? 2) + 1;
      const runs = new Map<string, number>();
      let best = rows;
      for (let attempt = 2; attempt <= attempts; attempt++) {
        const failing = regressedNames(cmp);
        if (failing.length === 0) break;
        process.stdout.write(`\n${formatRerun(failing, attempt, attempts)}\n`);
        const owners = suites.filter((s) => failing.some((n) => report.suiteOf.get(n) === s.name));
        const again = await runSuites(owners, undefined, failing);
        failures.push(...again.failures.map((f) => ({ ...f, suite: `${f.suite} (attempt ${attempt})` })));
        for (const f of again.failures) printFailure(f);
        process.stdout.write(formatBenchTable(again.rows));
        for (const r of again.rows) runs.set(r.name, attempt);
        best = mergeBest(best, again.rows);
        cmp = compareWithBaseline(best, picked.record, limit);
      }
      gateParts = comparisonParts(withRuns(cmp, first, runs), limit, options.baseline, picked.record.machine, picked.exact ? undefined : machineText);
      process.stdout.write(`\n${renderComparison(gateParts)}`);
    }
  }
  const stealAfter = stealSeconds();
  const ranFor = (performance.now() - started) / 1000;
  const footer: string[] = [rowsIn(rows.length, started)];
  if (stealBefore !== undefined && stealAfter !== undefined) {
    const steal = formatSteal(stealAfter - stealBefore, ranFor, machine.cores);
    process.stdout.write(`${steal}\n`);
    footer.push(steal);
  }
  for (const f of failures) footer.push(`suite '${f.suite}' failed (see the job's log)`);
  if (options.markdown) {
    // Written last: it carries the gate's verdict, so a CI summary shows the outcome, not only the rows.
    await writeOutput(options.markdown, benchMarkdown(rows, machineText, gateParts, footer));
    process.stderr.write(`wrote ${options.markdown} (Markdown)\n`);
  }
  return failures.length > 0 || (gateParts?.regressions ?? 0) > 0 ? 1 : 0;
}

// Run as a script. No top-level await: the CLI's bundle is CommonJS (bin/compiled.js), which has none.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
