/**
 * Benchmark runner: `node --import tsx bench/index.ts [--filter TEXT]`.
 *
 * Runs every suite (a suite is an async function returning BenchRow[]), prints one table and the machine
 * it ran on. `--filter TEXT` runs the suites whose name contains TEXT, and from the others only the rows
 * whose name contains TEXT (the kernel suite also gets the filter, to skip sizes nobody asked for).
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { e2eBench } from './e2e.bench.ts';
import { fanoutBench } from './fanout.bench.ts';
import { kernelBench } from './kernel.bench.ts';
import { p2pBench } from './p2p.bench.ts';
import { solverBench } from './solver.bench.ts';
import type { BenchRow, BenchSuite } from './types.ts';

export interface NamedSuite {
  name: string;
  run: BenchSuite;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
}

/** Every suite, in the order the table prints them. */
export async function loadSuites(): Promise<NamedSuite[]> {
  return [
    { name: 'kernel', run: kernelBench },
    { name: 'solver', run: solverBench },
    { name: 'p2p', run: p2pBench },
    { name: 'fanout', run: fanoutBench },
    { name: 'e2e', run: e2eBench },
  ];
}

export interface RunReport {
  rows: BenchRow[];
  failures: { suite: string; error: unknown }[];
}

/** Runs the suites in order; a failing suite is reported and does not stop the others. */
export async function runSuites(suites: NamedSuite[], filter?: string): Promise<RunReport> {
  const rows: BenchRow[] = [];
  const failures: RunReport['failures'] = [];
  for (const suite of suites) {
    const whole = !filter || suite.name.includes(filter);
    try {
      const got = await suite.run(whole ? {} : { filter });
      checkRows(suite.name, got);
      rows.push(...(whole ? got : got.filter((r) => r.name.includes(filter!))));
    } catch (error) {
      failures.push({ suite: suite.name, error });
    }
  }
  return { rows, failures };
}

class SuiteShapeError extends Error {}

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
  return {
    cpu: cpus[0]?.model.trim() || 'unknown CPU',
    cores: cpus.length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** Formats a value with about four significant digits and thousands separators for big numbers. */
export function formatBenchValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e4) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(3);
  return value.toPrecision(4);
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

export function formatMachine(m: MachineInfo): string {
  return `machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.platform}\n`;
}

function parseArgs(argv: string[]): { filter?: string } {
  let filter: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--filter') {
      filter = argv[++i];
      if (filter === undefined) throw new UsageError('--filter needs a value, e.g. --filter kernel');
    } else if (a.startsWith('--filter=')) {
      filter = a.slice('--filter='.length);
    } else {
      throw new UsageError(`unknown argument '${a}'. Usage: node --import tsx bench/index.ts [--filter TEXT]`);
    }
  }
  return { filter };
}

class UsageError extends Error {}

async function main(): Promise<number> {
  let filter: string | undefined;
  try {
    ({ filter } = parseArgs(process.argv.slice(2)));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bench: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  return runBench({ filter });
}

/** Runs the suites and prints the table; returns the exit code (0 ok, 1 a suite failed, 2 nothing matched). */
export async function runBench({ filter }: { filter?: string }): Promise<number> {
  const machine = machineInfo();
  process.stdout.write(formatMachine(machine));
  const started = performance.now();
  const { rows, failures } = await runSuites(await loadSuites(), filter);
  if (filter && rows.length === 0 && failures.length === 0) {
    process.stderr.write(`bench: no benchmark matches --filter '${filter}'\n`);
    return 2;
  }
  process.stdout.write('\n' + formatBenchTable(rows));
  process.stdout.write(`\n${rows.length} row${rows.length === 1 ? '' : 's'} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  for (const f of failures) {
    // A crash inside a suite is a bug there, so its stack helps; a shape mismatch explains itself.
    const e = f.error;
    const text = e instanceof SuiteShapeError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
    process.stderr.write(`bench: suite '${f.suite}' failed: ${text}\n`);
  }
  return failures.length > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
