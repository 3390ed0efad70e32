/**
 * The decision commands behind `run`, `compare`, `sweep`, `merge` and `report`: parse what yargs left,
 * check every output path, run on the worker pool with a progress bar on a terminal, print the summary,
 * write the exports. Exit codes: 0, 2 (UsageError, thrown), 99 when a threshold failed.
 */
import { readFile } from 'node:fs/promises';
import { loadScenario, simulateParallel, sweepScenario } from '../run.ts';
import type { RunResult } from '../metrics/result.ts';
import { renderCsv, renderJson, renderSummary, wantsColor } from '../report/index.ts';
import { renderThroughput } from '../report/summary.ts';
import { defaultJobs } from '../parallel/pool.ts';
import { renderComparison } from '../report/compare.ts';
import { formatActual, renderThresholds } from '../report/thresholds.ts';
import { renderHtml } from '../report/html.ts';
import { renderMarkdown } from '../report/markdown.ts';
import { renderReplications } from '../report/replications.ts';
import { renderSweepHtml } from '../report/sweep-html.ts';
import {
  mergeSweeps,
  parseShard,
  parseSweepParameter,
  renderSweepCsv,
  renderSweepJson,
  renderSweepMarkdown,
  renderSweepSummary,
  SweepParameterError,
  type SweepParameter,
  type SweepResult,
} from '../report/sweep.ts';
import { forDisplay, singleLine } from '../report/untrusted.ts';
import { Outputs, type OutputSpec } from './outputs.ts';
import { progressBar } from './progress.ts';
import { UsageError } from './usage.ts';
import { EXIT_OK, EXIT_THRESHOLDS } from './exit.ts';
import { checkMaxEvents, guarded, parseMaxWall, type Guard } from './guards.ts';
import { checkMemory, runHeapMb } from './memory-check.ts';


interface ExportArgs {
  json?: string;
  csv?: string;
  html?: string;
  markdown?: string;
}

export interface RunArgs extends ExportArgs {
  scenario: string;
  set: string[];
  variant?: string[];
  replications?: number;
  jobs?: number;
  timing: boolean;
  'max-events'?: number;
  'max-wall'?: string;
  force?: boolean;
  progress?: boolean;
  quiet: boolean;
}

export interface SweepArgs extends ExportArgs {
  scenario: string;
  param: string[];
  set: string[];
  variant?: string[];
  replications?: number;
  jobs?: number;
  shard?: string;
  'max-events'?: number;
  'max-wall'?: string;
  force?: boolean;
  progress?: boolean;
  quiet: boolean;
}

const runExports = (a: ExportArgs): OutputSpec<RunResult>[] => [
  { flag: 'json', target: a.json, render: renderJson },
  { flag: 'csv', target: a.csv, render: renderCsv },
  { flag: 'markdown', target: a.markdown, render: renderMarkdown },
  { flag: 'html', target: a.html, render: renderHtml },
];

const sweepExports = (a: ExportArgs): OutputSpec<SweepResult>[] => [
  { flag: 'json', target: a.json, render: renderSweepJson },
  { flag: 'csv', target: a.csv, render: renderSweepCsv },
  { flag: 'markdown', target: a.markdown, render: renderSweepMarkdown },
  { flag: 'html', target: a.html, render: renderSweepHtml },
];

export function runCommand(args: RunArgs, mode: 'run' | 'compare'): Promise<number> {
  checkReplications(args.replications);
  checkJobs(args.jobs);
  checkMaxEvents(args['max-events']);
  return guarded(parseMaxWall(args['max-wall']), (guard) => runGuarded(args, mode, guard));
}

async function runGuarded(args: RunArgs, mode: 'run' | 'compare', guard: Guard): Promise<number> {
  const outputs = new Outputs(runExports(args));
  const scenario = await loadScenario(args.scenario, args.set);
  if (args.variant && args.variant.length > 0) {
    checkVariants(args.scenario, scenario.variants.map((v) => v.name), args.variant);
    scenario.variants = scenario.variants.filter((v) => args.variant!.includes(v.name));
  }
  const estimate = checkMemory([scenario], { jobs: args.jobs, replications: args.replications, force: args.force });
  const bar = progressBar(process.stderr, `simulating ${scenario.name}`, args.progress === true ? 'lines' : (args.progress ?? !args.quiet));
  let result: RunResult;
  const t0 = performance.now();
  try {
    result = await simulateParallel(scenario, {
      series: outputs.holdsSeries,
      timing: args.timing,
      maxEvents: args['max-events'],
      replications: args.replications,
      jobs: args.jobs,
      onProgress: (done, total) => bar.update(done, total),
      signal: guard.signal,
      heapMb: runHeapMb(estimate),
    });
  } finally {
    bar.end();
  }
  guard.simulationDone();
  const wrote = await outputs.write(result, guard.signal);
  // The terminal gets names with control and bidi characters shown, never interpreted (untrusted.ts).
  const shown = forDisplay(result, singleLine);
  if (!args.quiet) {
    const stream = outputs.usesStdout ? process.stderr : process.stdout;
    const color = wantsColor(stream.isTTY, process.env);
    stream.write(renderSummary(shown, { color, markBest: mode === 'compare' }));
    if (shown.replications) stream.write(`\n${renderReplications(shown)}`);
    if (mode === 'compare') stream.write(`\n${renderComparison(shown, color)}`);
    if (shown.thresholds) stream.write(`\n${renderThresholds(shown.thresholds, color)}`);
    stream.write(`\n${throughputLine([result], performance.now() - t0, args.jobs)}`);
    for (const line of wrote) process.stderr.write(`${line}\n`);
  }
  const failed = (shown.thresholds ?? []).filter((t) => !t.ok);
  // Like k6's closing error line: on stderr even with --quiet, so a CI log says why the exit code is 99.
  for (const t of failed) process.stderr.write(`pullsim: threshold failed: ${t.variant}: ${t.metric} ${t.expression} (actual ${formatActual(t.metric, t.actual)})\n`);
  return failed.length > 0 ? EXIT_THRESHOLDS : EXIT_OK;
}

export function sweepCommand(args: SweepArgs): Promise<number> {
  checkReplications(args.replications);
  checkJobs(args.jobs);
  checkMaxEvents(args['max-events']);
  return guarded(parseMaxWall(args['max-wall']), (guard) => sweepGuarded(args, guard));
}

async function sweepGuarded(args: SweepArgs, guard: Guard): Promise<number> {
  let params: SweepParameter[];
  let shard: { index: number; count: number } | undefined;
  try {
    params = args.param.map(parseSweepParameter);
    shard = args.shard === undefined ? undefined : parseShard(args.shard, process.env);
  } catch (e) {
    if (e instanceof SweepParameterError) throw new UsageError(e.message);
    throw e;
  }
  const dup = params.find((p, i) => params.findIndex((q) => q.name === p.name) !== i);
  if (dup) throw new UsageError(`--param ${dup.name} is given twice; list all its values in one --param.`);
  const outputs = new Outputs(sweepExports(args));
  if (args.variant && args.variant.length > 0) {
    checkVariants(args.scenario, (await loadScenario(args.scenario, args.set)).variants.map((v) => v.name), args.variant);
  }
  const bar = progressBar(process.stderr, shard ? `sweep shard ${shard.index}/${shard.count}` : 'sweep', args.progress === true ? 'lines' : (args.progress ?? !args.quiet));
  let sweep: SweepResult;
  const t0 = performance.now();
  try {
    sweep = await sweepScenario(args.scenario, args.set, params, {
      series: outputs.holdsSeries,
      variants: args.variant,
      shard,
      replications: args.replications,
      jobs: args.jobs,
      maxEvents: args['max-events'],
      onProgress: (done, total) => bar.update(done, total),
      signal: guard.signal,
      beforeRuns: (scenarios) => ({ heapMb: runHeapMb(checkMemory(scenarios, { jobs: args.jobs, replications: args.replications, force: args.force })) }),
    });
  } finally {
    bar.end();
  }
  guard.simulationDone();
  const wrote = await outputs.write(sweep, guard.signal);
  const shown = forDisplay(sweep, singleLine);
  const failed = shown.points.flatMap((p) => (p.result.thresholds ?? []).filter((t) => !t.ok).map((t) => ({ p, t })));
  if (!args.quiet) {
    const stream = outputs.usesStdout ? process.stderr : process.stdout;
    stream.write(renderSweepSummary(shown));
    stream.write(`\n${throughputLine(sweep.points.map((p) => p.result), performance.now() - t0, args.jobs)}`);
    for (const line of wrote) process.stderr.write(`${line}\n`);
  }
  for (const { p, t } of failed.slice(0, 10)) {
    const at = Object.entries(p.parameters).map(([k, v]) => `${k}=${v}`).join(', ');
    process.stderr.write(`pullsim: threshold failed at ${at}: ${t.variant}: ${t.metric} ${t.expression} (actual ${formatActual(t.metric, t.actual)})\n`);
  }
  if (failed.length > 10) process.stderr.write(`pullsim: … ${failed.length - 10} more failed thresholds (see --json for each point)\n`);
  return failed.length > 0 ? EXIT_THRESHOLDS : EXIT_OK;
}

export async function mergeCommand(files: string[], args: ExportArgs): Promise<number> {
  const outputs = new Outputs(sweepExports(args));
  const parts: SweepResult[] = [];
  for (const f of files) {
    const doc = asSweep(await readResultFile(f));
    if (!doc) throw new UsageError(`${f} is not a pullsim sweep result; pass the files written by pullsim sweep --shard i/n --json FILE.`);
    parts.push(doc);
  }
  let merged: SweepResult;
  try {
    merged = mergeSweeps(parts);
  } catch (e) {
    if (e instanceof SweepParameterError) throw new UsageError(e.message);
    throw e;
  }
  // Ctrl-C while writing: the file in progress finishes (atomically), no further one starts.
  const wrote = await guarded(undefined, (guard) => outputs.write(merged, guard.signal));
  for (const line of wrote) process.stderr.write(`${line}\n`);
  return EXIT_OK;
}

/** `pullsim report RESULT.json`: any export of a saved run, compare or sweep result. */
export async function reportCommand(file: string, args: ExportArgs): Promise<number> {
  const given = [args.json, args.csv, args.html, args.markdown].some((t) => t !== undefined);
  const html = args.html ?? (given ? undefined : file.replace(/(\.json)?$/i, '.html'));
  const exports = { ...args, html };
  for (const t of [exports.json, exports.csv, exports.html, exports.markdown]) {
    if (t === file) throw new UsageError(`the report would overwrite ${file}; name the output file.`);
  }
  const text = await readResultFile(file);
  const sweep = asSweep(text);
  const wrote = await guarded(undefined, (guard) =>
    sweep ? new Outputs(sweepExports(exports)).write(sweep, guard.signal) : new Outputs(runExports(exports)).write(parseResult(file, text), guard.signal),
  );
  for (const line of wrote) process.stderr.write(`${line}\n`);
  return EXIT_OK;
}

function checkVariants(file: string, names: string[], wanted: string[]): void {
  for (const want of wanted) {
    if (!names.includes(want)) throw new UsageError(singleLine(`no variant "${want}" in ${file}; it has ${names.map((n) => `"${n}"`).join(", ")}.`));
  }
}

function checkReplications(r: number | undefined): void {
  if (r === undefined) return;
  if (!Number.isInteger(r) || r < 1 || r > 10_000) throw new UsageError(`--replications must be a whole number from 1 to 10000, got ${String(r)}.`);
}

function checkJobs(j: number | undefined): void {
  if (j === undefined) return;
  if (!Number.isInteger(j) || j < 1 || j > 1024) throw new UsageError(`--jobs must be a whole number from 1 to 1024, got ${String(j)}; 1 runs everything in one thread.`);
}

/** A sweep JSON (kind: sweep), or undefined for anything else (a run result is checked by parseResult). */
function asSweep(text: string): SweepResult | undefined {
  try {
    const doc = JSON.parse(text) as Partial<SweepResult> | null;
    const ok = doc && doc.kind === 'sweep' && Array.isArray(doc.points) && Array.isArray(doc.parameters) && typeof doc.scenario?.name === 'string';
    return ok ? (doc as SweepResult) : undefined;
  } catch {
    return undefined;
  }
}

async function readResultFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}${code === 'ENOENT' ? ': it does not exist' : code ? ` (${code})` : ''}.`);
  }
}

/** A result file is trusted only as far as its shape: the fields every report reads must be there. */
function parseResult(file: string, text: string): RunResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not JSON; pass a file written by pullsim run/compare/sweep --json.`);
  }
  const r = doc as Partial<RunResult> | null;
  const ok =
    r !== null &&
    typeof r === 'object' &&
    r.schemaVersion === 1 &&
    typeof r.scenario?.name === 'string' &&
    Array.isArray(r.variants) &&
    r.variants.every((v) => typeof v?.name === 'string' && typeof v.metrics === 'object' && v.metrics !== null);
  if (!ok) throw new UsageError(`${file} is not a pullsim result (schemaVersion 1 with scenario and variants); write one with --json.`);
  return r as RunResult;
}

/** Every run's kernel events (replications counted one by one) over the simulation phase's wall time. */
function throughputLine(results: readonly RunResult[], wallMs: number, jobs: number | undefined): string {
  let events = 0;
  let runs = 0;
  for (const r of results) {
    for (const v of r.variants) {
      const each = v.runs?.map((x) => x.metrics) ?? [v.metrics];
      for (const m of each) events += m.events;
      runs += each.length;
    }
  }
  return renderThroughput(events, wallMs / 1000, runs, Math.max(1, Math.min(jobs ?? defaultJobs(), runs)));
}
