/**
 * The command line: the only place that touches process.argv, stdout/stderr and exit codes.
 * Exit codes: 0 ok, 1 internal error, 2 usage or scenario error (99 is reserved for failed thresholds).
 */
import yargs from 'yargs';
import { loadScenario, simulateInParallel, sweepScenario } from '../run.ts';
import { ScenarioError, formatIssues } from '../scenario/errors.ts';
import { scenarioJsonSchema } from '../scenario/schema.ts';
import { renderSummary, renderJson, renderCsv, wantsColor, writeOutput, checkWritable, OutputPathError } from '../report/index.ts';
import { EventBudgetError } from '../simulate.ts';
import { renderComparison } from '../report/compare.ts';
import { renderThresholds } from '../report/thresholds.ts';
import type { RunResult } from '../metrics/result.ts';
import { renderHtml } from '../report/html.ts';
import { renderMarkdown } from '../report/markdown.ts';
import { renderSweepHtml } from '../report/sweep-html.ts';
import { renderReplications } from '../report/replications.ts';
import { mergeSweeps, parseShard, parseSweepParameter, renderSweepCsv, renderSweepJson, renderSweepMarkdown, renderSweepSummary, SweepParameterError, type SweepParameter, type SweepResult } from '../report/sweep.ts';
import { readFile } from 'node:fs/promises';
import { VERSION } from '../version.ts';

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;
/** A threshold failed (k6's code). */
export const EXIT_THRESHOLDS = 99;

/** A usage mistake on the command line: printed as one message, exit 2. */
class UsageError extends Error {}

const scenarioOptions = {
  set: {
    type: 'string',
    array: true,
    default: [] as string[],
    describe: 'override a scenario field before validation, e.g. --set cluster.nodes=1000 (repeatable)',
  },
} as const;

/** Options shared by run and compare. */
const runOptions = {
  variant: { type: 'string', array: true, describe: 'run only these variants (repeatable)' },
  json: { type: 'string', describe: 'write the result as JSON to FILE, or - for stdout' },
  csv: { type: 'string', describe: 'write one row per variant as CSV to FILE, or - for stdout' },
  html: { type: 'string', describe: 'write a self-contained HTML report (verdict, assumptions, charts) to FILE' },
  markdown: { type: 'string', describe: 'write the verdict, thresholds and metrics as Markdown to FILE, or - for stdout' },
  replications: { type: 'number', default: 1, describe: 'run each variant R times from derived seeds; metrics become means with sd and 95 % CI' },
  timing: { type: 'boolean', default: false, describe: 'record wall_ms in JSON/CSV (makes output differ run to run)' },
  'max-events': { type: 'number', describe: 'stop a variant after this many kernel events (a runaway guard)' },
  quiet: { alias: 'q', type: 'boolean', default: false, describe: 'print no summary' },
} as const;

/**
 * yargs-parser reads a lone `-` after an option as a positional argument, so `--json -` would lose its
 * value; join such pairs into `--json=-` first.
 */
function joinDashValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--') && !a.includes('=') && argv[i + 1] === '-') {
      out.push(`${a}=-`);
      i++;
    } else out.push(a);
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  let exitCode = EXIT_OK;
  const cli = yargs(joinDashValues(argv))
    .scriptName('pullsim')
    .version(VERSION)
    .usage('$0 <command> [options]\n\nSimulate how container images reach the nodes of a cluster.')
    .command(
      'run <scenario>',
      'simulate every variant of a scenario and print a summary',
      (y) =>
        y
          .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file (YAML or JSON)' })
          .options(scenarioOptions)
          .options(runOptions)
          .example('$0 run scenarios/seed-500-nodes.yaml', 'run the seed scenario')
          .example('$0 run scenarios/seed-500-nodes.yaml --set cluster.nodes=5000 --json -', 'bigger cluster, JSON on stdout'),
      async (args) => {
        exitCode = await runCommand(args, 'run');
      },
    )
    .command(
      'compare <scenario>',
      'run every variant with common random numbers and compare them side by side',
      (y) =>
        y
          .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file (YAML or JSON)' })
          .options(scenarioOptions)
          .options(runOptions)
          .example('$0 compare scenarios/seed-500-nodes.yaml', 'which variant wins, and by how much'),
      async (args) => {
        exitCode = await runCommand(args, 'compare');
      },
    )
    .command(
      'sweep <scenario>',
      'run the scenario over a grid of parameter values and find where one variant starts beating another',
      (y) =>
        y
          .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file (YAML or JSON)' })
          .option('param', {
            alias: 'p',
            type: 'string',
            array: true,
            demandOption: 'Name at least one --param, e.g. --param cluster.nodes=100,500,1000',
            describe: 'a scenario field and its values: NAME=V1,V2,… or NAME=FROM..TO:xFACTOR / :+STEP (repeatable; cartesian product)',
          })
          .options(scenarioOptions)
          .option('variant', runOptions.variant)
          .option('replications', runOptions.replications)
          .option('json', runOptions.json)
          .option('csv', { type: 'string', describe: 'write the tidy table (parameter_<name> columns, one row per point × variant) to FILE, or - for stdout' })
          .option('html', { type: 'string', describe: 'write the crossovers and metric-vs-parameter charts (CI bands) as HTML to FILE' })
          .option('markdown', { type: 'string', describe: 'write the crossovers and the grid as Markdown to FILE, or - for stdout' })
          .option('shard', { type: 'string', describe: 'run one slice: i/n (1-based), or n with i from JOB_COMPLETION_INDEX; join slices with pullsim merge' })
          .option('max-events', runOptions['max-events'])
          .option('quiet', runOptions.quiet)
          .example('$0 sweep scenarios/seed-500-nodes.yaml --param cluster.nodes=100..1600:x2 --param releases.delta=100KB,10MB', 'where does each strategy start to win?')
          .example('$0 sweep FILE --param … --shard 2/4 --json part-2.json', 'one CI matrix job of four'),
      async (args) => {
        exitCode = await sweepCommand(args);
      },
    )
    .command(
      'merge <parts..>',
      'join the JSON of sweep shards (--shard i/n) into the whole sweep',
      (y) =>
        y
          .positional('parts', { type: 'string', array: true, demandOption: true, describe: 'sweep JSON files written with --shard … --json' })
          .option('json', { type: 'string', default: '-', describe: 'write the merged sweep JSON to FILE, or - for stdout' })
          .option('csv', { type: 'string', describe: 'write the tidy table to FILE, or - for stdout' })
          .option('html', { type: 'string', describe: 'write the sweep report to FILE' })
          .example('$0 merge part-*.json --json sweep.json --html sweep.html', 'after a matrix of shards'),
      async (args) => {
        exitCode = await mergeCommand(args.parts, args.json, args.csv, args.html);
      },
    )
    .command(
      'report <result>',
      'turn a result JSON (run, compare or sweep --json) into an HTML or Markdown report',
      (y) =>
        y
          .positional('result', { type: 'string', demandOption: true, describe: 'a result file written by run/compare --json' })
          .option('html', { type: 'string', describe: 'write the HTML report to FILE, or - for stdout (default: RESULT with .html)' })
          .option('markdown', { type: 'string', describe: 'write the report as Markdown to FILE, or - for stdout' })
          .example('$0 report result.json --html report.html', 'render a saved result')
          .example('$0 report result.json --markdown - >> "$GITHUB_STEP_SUMMARY"', 'a CI job summary'),
      async (args) => {
        exitCode = await reportCommand(args.result, args.html, args.markdown);
      },
    )
    .command(
      'validate <scenario>',
      'check a scenario file and print every problem found',
      (y) => y.positional('scenario', { type: 'string', demandOption: true }).options(scenarioOptions),
      async (args) => {
        const scenario = await loadScenario(args.scenario, args.set);
        const n = scenario.variants.length;
        process.stdout.write(`${args.scenario}: ok (${n} variant${n === 1 ? '' : 's'}: ${scenario.variants.map((v) => v.name).join(', ')})\n`);
      },
    )
    .command(
      'schema',
      'print the JSON Schema of scenario files (for editor autocompletion)',
      (y) => y.option('out', { type: 'string', default: '-', describe: 'write to FILE instead of stdout' }),
      async (args) => {
        if (args.out !== '-') checkWritable(args.out);
        await writeOutput(args.out, `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
      },
    )
    .command(
      'bench',
      'run the performance benchmarks in bench/ (tinybench), print a table, write CI formats, gate on a baseline',
      (y) =>
        y
          .option('filter', { type: 'string', describe: 'run only the entries whose name contains TEXT' })
          .option('json', { type: 'string', describe: 'github-action-benchmark entries: FILE (smaller is better) and FILE.bigger.json (bigger is better)' })
          .option('bmf', { type: 'string', describe: 'write the results in Bencher Metric Format to FILE' })
          .option('baseline', { type: 'string', describe: 'compare with a baseline (e.g. bench/baseline.json); exit 1 on a regression' })
          .option('threshold', { type: 'string', default: '15%', describe: 'allowed regression against --baseline' })
          .option('save-baseline', { type: 'string', describe: 'write or update a baseline from this run' })
          .example('$0 bench --filter kernel', 'only the kernel entries')
          .example('$0 bench --baseline bench/baseline.json --json bench-results.json', 'the CI gate'),
      async (args) => {
        const bench = await import('../../bench/index.ts');
        try {
          exitCode = await bench.runBench({
            filter: args.filter,
            json: args.json,
            bmf: args.bmf,
            baseline: args.baseline,
            threshold: bench.threshold(args.threshold),
            saveBaseline: args['save-baseline'],
          });
        } catch (e) {
          if (e instanceof bench.BenchUsageError) throw new UsageError(e.message);
          throw e;
        }
      },
    )
    .demandCommand(1, 'Name a command: pullsim compare <scenario> (see --help).')
    .strict()
    .recommendCommands()
    .help()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    });
  await cli.parseAsync();
  return exitCode;
}

interface RunArgs {
  scenario: string;
  set: string[];
  variant?: string[];
  json?: string;
  csv?: string;
  html?: string;
  markdown?: string;
  replications: number;
  timing: boolean;
  'max-events'?: number;
  quiet: boolean;
}

async function runCommand(args: RunArgs, mode: 'run' | 'compare'): Promise<number> {
  checkReplications(args.replications);
  const targets = [args.json, args.csv, args.html, args.markdown].filter((t): t is string => t !== undefined);
  if (targets.filter((t) => t === '-').length > 1) throw new UsageError('two outputs want stdout (-); send all but one of them to files.');
  // Output paths first, so a bad path fails in the first second, not after the run (hyperfine habit).
  for (const target of targets) if (target !== '-') checkWritable(target);
  const scenario = await loadScenario(args.scenario, args.set);
  if (args.variant && args.variant.length > 0) {
    const names = scenario.variants.map((v) => v.name);
    for (const want of args.variant) {
      if (!names.includes(want)) throw new UsageError(`no variant "${want}" in ${args.scenario}; it has ${names.map((n) => `"${n}"`).join(', ')}.`);
    }
    scenario.variants = scenario.variants.filter((v) => args.variant!.includes(v.name));
  }
  const progress = process.stderr.isTTY && !args.quiet;
  const result = await simulateInParallel(scenario, {
    timing: args.timing,
    maxEvents: args['max-events'],
    replications: args.replications,
    onVariant: progress
      ? (i, n, name) => process.stderr.write(`\rsimulating ${name} (${i + 1}/${n})…\x1b[K`)
      : undefined,
  });
  if (progress) process.stderr.write('\r\x1b[K');
  const written: [string, string][] = [];
  const emit = async (flag: string, target: string | undefined, render: (r: RunResult) => string) => {
    if (target === undefined) return;
    await writeOutput(target, render(result));
    if (target !== '-') written.push([flag, target]);
  };
  await emit('json', args.json, renderJson);
  await emit('csv', args.csv, renderCsv);
  await emit('markdown', args.markdown, renderMarkdown);
  if (args.html !== undefined) {
    await writeOutput(args.html, await renderHtml(result));
    if (args.html !== '-') written.push(['html', args.html]);
  }
  if (!args.quiet) {
    // Machine output owns stdout when it goes there; the human summary then goes to stderr.
    const stream = targets.includes('-') ? process.stderr : process.stdout;
    const color = wantsColor(stream.isTTY, process.env);
    stream.write(renderSummary(result, { color, markBest: mode === 'compare' }));
    if (result.replications) stream.write(`\n${renderReplications(result)}`);
    if (mode === 'compare') stream.write(`\n${renderComparison(result, color)}`);
    if (result.thresholds) stream.write(`\n${renderThresholds(result.thresholds, color)}`);
    for (const [flag, target] of written) process.stderr.write(`wrote ${flag}: ${target}\n`);
  }
  return result.thresholds?.some((t) => !t.ok) ? EXIT_THRESHOLDS : EXIT_OK;
}

interface SweepArgs {
  scenario: string;
  param: string[];
  set: string[];
  variant?: string[];
  replications: number;
  json?: string;
  csv?: string;
  html?: string;
  markdown?: string;
  shard?: string;
  'max-events'?: number;
  quiet: boolean;
}

async function mergeCommand(files: string[], json: string, csv: string | undefined, html: string | undefined): Promise<number> {
  const targets = [json, csv, html].filter((t): t is string => t !== undefined);
  if (targets.filter((t) => t === '-').length > 1) throw new UsageError('two outputs want stdout (-); send all but one of them to files.');
  for (const t of targets) if (t !== '-') checkWritable(t);
  const parts: SweepResult[] = [];
  for (const f of files) {
    const text = await readResultFile(f);
    try {
      parts.push(JSON.parse(text) as SweepResult);
    } catch {
      throw new UsageError(`${f} is not JSON; pass the files written by pullsim sweep --shard i/n --json FILE.`);
    }
  }
  let merged: SweepResult;
  try {
    merged = mergeSweeps(parts);
  } catch (e) {
    if (e instanceof SweepParameterError || e instanceof TypeError) throw new UsageError(e instanceof TypeError ? 'a file is not a pullsim sweep result' : e.message);
    throw e;
  }
  await writeOutput(json, renderSweepJson(merged));
  if (csv !== undefined) await writeOutput(csv, renderSweepCsv(merged));
  if (html !== undefined) await writeOutput(html, await renderSweepHtml(merged));
  for (const [flag, t] of [['json', json], ['csv', csv], ['html', html]] as const) if (t !== undefined && t !== '-') process.stderr.write(`wrote ${flag}: ${t}\n`);
  return EXIT_OK;
}

async function sweepCommand(args: SweepArgs): Promise<number> {
  checkReplications(args.replications);
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
  const targets = [args.json, args.csv, args.html, args.markdown].filter((t): t is string => t !== undefined);
  if (targets.filter((t) => t === '-').length > 1) throw new UsageError('two outputs want stdout (-); send all but one of them to files.');
  for (const t of targets) if (t !== '-') checkWritable(t);
  if (args.variant && args.variant.length > 0) {
    const names = (await loadScenario(args.scenario, args.set)).variants.map((v) => v.name);
    for (const want of args.variant) {
      if (!names.includes(want)) throw new UsageError(`no variant "${want}" in ${args.scenario}; it has ${names.map((n) => `"${n}"`).join(', ')}.`);
    }
  }
  const progress = process.stderr.isTTY && !args.quiet;
  const sweep = await sweepScenario(args.scenario, args.set, params, {
    variants: args.variant,
    shard,
    replications: args.replications,
    maxEvents: args['max-events'],
    onPoint: progress ? (i, n, p) => process.stderr.write(`\rpoint ${i + 1}/${n} ${Object.entries(p).map(([k, v]) => `${k}=${v}`).join(' ')}…\x1b[K`) : undefined,
  });
  if (progress) process.stderr.write('\r\x1b[K');
  if (args.json !== undefined) await writeOutput(args.json, renderSweepJson(sweep));
  if (args.csv !== undefined) await writeOutput(args.csv, renderSweepCsv(sweep));
  if (args.html !== undefined) await writeOutput(args.html, await renderSweepHtml(sweep));
  if (args.markdown !== undefined) await writeOutput(args.markdown, renderSweepMarkdown(sweep));
  const failed = sweep.points.reduce((n, p) => n + (p.result.thresholds?.filter((t) => !t.ok).length ?? 0), 0);
  if (!args.quiet) {
    const stream = targets.includes('-') ? process.stderr : process.stdout;
    stream.write(renderSweepSummary(sweep));
    if (failed > 0) stream.write(`\nthresholds: ${failed} failed across the sweep (see --json for each point)\n`);
    for (const [flag, t] of [['json', args.json], ['csv', args.csv], ['html', args.html], ['markdown', args.markdown]] as const) if (t !== undefined && t !== '-') process.stderr.write(`wrote ${flag}: ${t}\n`);
  }
  return failed > 0 ? EXIT_THRESHOLDS : EXIT_OK;
}

function checkReplications(r: number): void {
  if (!Number.isInteger(r) || r < 1 || r > 10_000) throw new UsageError(`--replications must be a whole number from 1 to 10000, got ${String(r)}.`);
}

async function reportCommand(file: string, html: string | undefined, markdown: string | undefined): Promise<number> {
  const htmlTarget = html ?? (markdown === undefined ? file.replace(/(\.json)?$/i, '.html') : undefined);
  if (htmlTarget === file || markdown === file) throw new UsageError(`the report would overwrite ${file}; name the output file.`);
  if (htmlTarget === '-' && markdown === '-') throw new UsageError('--html - and --markdown - both want stdout; send one of them to a file.');
  for (const t of [htmlTarget, markdown]) if (t !== undefined) checkWritable(t);
  const text = await readResultFile(file);
  const sweep = asSweep(text);
  if (sweep) {
    if (htmlTarget !== undefined) await writeOutput(htmlTarget, await renderSweepHtml(sweep));
    if (markdown !== undefined) await writeOutput(markdown, renderSweepMarkdown(sweep));
    for (const [flag, t] of [['html', htmlTarget], ['markdown', markdown]] as const) if (t !== undefined && t !== '-') process.stderr.write(`wrote ${flag}: ${t}\n`);
    return EXIT_OK;
  }
  const result = parseResult(file, text);
  if (htmlTarget !== undefined) {
    await writeOutput(htmlTarget, await renderHtml(result));
    if (htmlTarget !== '-') process.stderr.write(`wrote html: ${htmlTarget}\n`);
  }
  if (markdown !== undefined) {
    await writeOutput(markdown, renderMarkdown(result));
    if (markdown !== '-') process.stderr.write(`wrote markdown: ${markdown}\n`);
  }
  return EXIT_OK;
}

/** A sweep JSON (kind: sweep), or undefined for anything else (a run result is checked by parseResult). */
function asSweep(text: string): SweepResult | undefined {
  try {
    const doc = JSON.parse(text) as Partial<SweepResult> | null;
    return doc && doc.kind === 'sweep' && Array.isArray(doc.points) && Array.isArray(doc.parameters) ? (doc as SweepResult) : undefined;
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
    throw new UsageError(`${file} is not JSON; pass a file written by pullsim run/compare --json.`);
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

function fail(message: string, code: number): number {
  process.stderr.write(`${message.endsWith('\n') ? message : `${message}\n`}`);
  return code;
}

export async function cliMain(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (e) {
    if (e instanceof ScenarioError) {
      const n = e.issues.length;
      return fail(`pullsim: ${n} problem${n === 1 ? '' : 's'} in the scenario:\n${formatIssues(e.issues)}`, EXIT_USAGE);
    }
    if (e instanceof UsageError) return fail(`pullsim: ${e.message}\nRun pullsim --help for usage.`, EXIT_USAGE);
    if (e instanceof OutputPathError) return fail(`pullsim: ${e.message}`, EXIT_USAGE);
    if (e instanceof EventBudgetError) return fail(`pullsim: ${e.message}; raise --max-events or shrink the scenario.`, EXIT_USAGE);
    const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
    return fail(`pullsim: internal error (a bug in pullsim, please report it):\n${detail}`, EXIT_INTERNAL);
  }
}

