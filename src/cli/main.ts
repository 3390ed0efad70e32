/**
 * The command line: the only place that touches process.argv, stdout/stderr and exit codes.
 * Exit codes (exit.ts): 0 ok, 1 internal error, 2 usage or scenario error (or a --max-events/--max-wall
 * budget or the memory estimate exceeded), 99 a threshold failed, 130/143 stopped by SIGINT/SIGTERM.
 */
import yargs from 'yargs';
import { ScenarioError, formatIssues } from '../scenario/errors.ts';
import { revealHidden } from '../report/untrusted.ts';
import { writeOutput, checkWritable, OutputPathError } from '../report/write.ts';
import { InvariantError } from '../metrics/invariants.ts';
import { UsageError } from './usage.ts';
import { mapStack } from './stack.ts';
import { InterruptedError, StopError, WallBudgetError } from '../parallel/stop.ts';
import { singleLine } from '../report/untrusted.ts';
import { VERSION } from '../version.ts';
import { startupDone } from '../startup-done.ts';
// Performance: the commands' modules (the simulator, the reports, zod's scenario schema) are imported
// when their command runs, not here, so `--version`, `--help` and `validate` do not run their top level;
// in the compiled bundle a dynamic import of a bundled module is a lazy initialiser (bin/compiled.js).
const commands = () => import('./decision-commands.ts');

import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE } from './exit.ts';
export { EXIT_INTERNAL, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM, EXIT_THRESHOLDS, EXIT_USAGE } from './exit.ts';

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
  replications: { type: 'number', describe: "run each variant R times from derived seeds (default: the scenario's replications, else 1); metrics become means with sd and 95 % CI" },
  jobs: { alias: 'j', type: 'number', describe: 'worker threads for the runs (default: one per core; 1 = no workers); never changes the result' },
  timing: { type: 'boolean', default: false, describe: 'record wall_ms in JSON/CSV (makes output differ run to run)' },
  'max-events': { type: 'number', describe: 'stop (exit 2, nothing written) when a run passes this many kernel events (a runaway guard)' },
  'max-wall': { type: 'string', describe: 'stop (exit 2, nothing written) when the runs take longer than DURATION of wall time, e.g. 30s, 10m' },
  force: { type: 'boolean', describe: 'run even when the memory estimate exceeds the share of this machine pullsim allows itself' },
  progress: { type: 'boolean', describe: 'progress on stderr: a bar on a terminal, a line a second in a log (default: a bar on a terminal only); --no-progress for none' },
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
        exitCode = await (await commands()).runCommand(args, 'run');
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
        exitCode = await (await commands()).runCommand(args, 'compare');
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
          .option('jobs', runOptions.jobs)
          .option('json', runOptions.json)
          .option('csv', { type: 'string', describe: 'write the tidy table (parameter_<name> columns, one row per point × variant) to FILE, or - for stdout' })
          .option('html', { type: 'string', describe: 'write the crossovers and metric-vs-parameter charts (CI bands) as HTML to FILE' })
          .option('markdown', { type: 'string', describe: 'write the crossovers and the grid as Markdown to FILE, or - for stdout' })
          .option('shard', {
            type: 'string',
            describe: 'run one slice of the points: i/n (1-based); n with i from JOB_COMPLETION_INDEX (0-based); or auto: JOB_COMPLETION_INDEX of JOB_COMPLETION_COUNT. Join the slices with pullsim merge',
          })
          .option('max-events', runOptions['max-events'])
          .option('max-wall', runOptions['max-wall'])
          .option('force', runOptions.force)
          .option('progress', runOptions.progress)
          .option('quiet', runOptions.quiet)
          .example('$0 sweep scenarios/seed-500-nodes.yaml --param cluster.nodes=100..1600:x2 --param releases.delta=100KB,10MB', 'where does each strategy start to win?')
          .example('$0 sweep FILE --param … --shard 2/4 --json part-2.json', 'one CI matrix job of four'),
      async (args) => {
        exitCode = await (await commands()).sweepCommand(args);
      },
    )
    .command(
      'merge <parts..>',
      'join the JSON of sweep shards (--shard i/n) into the whole sweep',
      (y) =>
        y
          .positional('parts', { type: 'string', array: true, demandOption: true, describe: 'sweep JSON files written with --shard … --json' })
          .option('json', { type: 'string', describe: 'write the merged sweep JSON to FILE, or - for stdout (the default when no export is named)' })
          .option('csv', { type: 'string', describe: 'write the tidy table to FILE, or - for stdout' })
          .option('markdown', { type: 'string', describe: 'write the crossovers and the grid as Markdown to FILE, or - for stdout' })
          .option('html', { type: 'string', describe: 'write the sweep report to FILE, or - for stdout' })
          .example('$0 merge part-*.json --json sweep.json --html sweep.html', 'after a matrix of shards'),
      async (args) => {
        const none = [args.json, args.csv, args.markdown, args.html].every((t) => t === undefined);
        exitCode = await (await commands()).mergeCommand(args.parts, { json: none ? '-' : args.json, csv: args.csv, markdown: args.markdown, html: args.html });
      },
    )
    .command(
      'report <result>',
      'turn a result JSON (run, compare or sweep --json) into an HTML, Markdown, CSV or JSON export',
      (y) =>
        y
          .positional('result', { type: 'string', demandOption: true, describe: 'a result file written by run/compare/sweep/merge --json' })
          .option('html', { type: 'string', describe: 'write the HTML report to FILE, or - for stdout (default, when no export is named: RESULT with .html)' })
          .option('markdown', { type: 'string', describe: 'write the report as Markdown to FILE, or - for stdout' })
          .option('csv', { type: 'string', describe: 'write the CSV table to FILE, or - for stdout' })
          .option('json', { type: 'string', describe: 'write the result again, in canonical key order, to FILE or - for stdout' })
          .example('$0 report result.json --html report.html', 'render a saved result')
          .example('$0 report result.json --markdown - >> "$GITHUB_STEP_SUMMARY"', 'a CI job summary'),
      async (args) => {
        exitCode = await (await commands()).reportCommand(args.result, { html: args.html, markdown: args.markdown, csv: args.csv, json: args.json });
      },
    )
    .command(
      'validate <scenario>',
      'check a scenario file and print every problem found',
      (y) => y.positional('scenario', { type: 'string', demandOption: true }).options(scenarioOptions),
      async (args) => {
        const { loadScenario } = await import('../run.ts');
        const scenario = await loadScenario(args.scenario, args.set);
        const n = scenario.variants.length;
        process.stdout.write(`${singleLine(`${args.scenario}: ok (${n} variant${n === 1 ? '' : 's'}: ${scenario.variants.map((v) => v.name).join(', ')})`)}\n`);
      },
    )
    .command(
      'schema',
      'print the JSON Schema of scenario files (for editor autocompletion)',
      (y) => y.option('out', { type: 'string', default: '-', describe: 'write to FILE instead of stdout' }),
      async (args) => {
        if (args.out !== '-') checkWritable(args.out);
        const { scenarioJsonSchema } = await import('../scenario/schema.ts');
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
          .option('markdown', { type: 'string', describe: "write the results and the gate's verdict as Markdown to FILE (a CI job summary)" })
          .option('baseline', { type: 'string', describe: 'compare with a baseline (e.g. bench/baseline.json); exit 1 on a regression' })
          .option('threshold', { type: 'string', default: '15%', describe: 'allowed regression against --baseline' })
          .option('confirm', {
            type: 'string',
            default: '2',
            describe: 'with --baseline: re-run an entry that regressed up to N more times and keep its best run (0: fail on the first)',
          })
          .option('save-baseline', { type: 'string', describe: 'write or update a baseline from this run' })
          .option('runs', {
            type: 'string',
            default: '1',
            describe: 'run the suites N times; each entry reports, writes and is compared as its median run (record baselines with 3 or 5)',
          })
          .example('$0 bench --filter kernel', 'only the kernel entries')
          .example('$0 bench --baseline bench/baseline.json --json bench-results.json', 'the CI gate')
          .example('$0 bench --runs 3 --save-baseline bench/baseline.json', "record this machine's baseline from the median of 3 runs"),
      async (args) => {
        const bench = await import('../../bench/index.ts');
        startupDone();
        try {
          exitCode = await bench.runBench({
            filter: args.filter,
            json: args.json,
            bmf: args.bmf,
            markdown: args.markdown,
            baseline: args.baseline,
            threshold: bench.threshold(args.threshold),
            confirm: bench.confirm(args.confirm),
            runs: bench.runs(args.runs),
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
  skipHelpCache(cli);
  await cli.parseAsync();
  return exitCode;
}

/**
 * Performance: yargs renders a command's whole help text right after starting its handler (its
 * `cacheHelpMessage`, for a help shown later in that command's context), about 20 ms of every start-up.
 * pullsim never shows help once a handler runs (failures there are our own errors), so the render is
 * skipped; `--help` and usage errors render theirs as before (test/cli-help.test.ts).
 */
function skipHelpCache(cli: object): void {
  const internal = (cli as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.();
  const usage = internal?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

/** What a stop left behind: outputs are written only after every run, one whole file at a time. */
function stopOutcome(e: StopError): string {
  if (e.written.length === 0 && e.skipped.length === 0) return 'no output was written';
  const kept = e.written.length > 0 ? `kept the complete ${e.written.join(', ')}` : 'no output was written';
  return e.skipped.length > 0 ? `${kept}; not written: ${e.skipped.join(', ')}` : kept;
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
      return fail(`pullsim: ${n} problem${n === 1 ? '' : 's'} in the scenario:\n${revealHidden(formatIssues(e.issues))}`, EXIT_USAGE);
    }
    if (e instanceof UsageError) return fail(`pullsim: ${e.message}\nRun pullsim --help for usage.`, EXIT_USAGE);
    if (e instanceof OutputPathError) return fail(`pullsim: ${e.message}`, EXIT_USAGE);
    if (e instanceof WallBudgetError) return fail(`pullsim: ${e.message}; ${stopOutcome(e)}. Raise --max-wall or shrink the scenario.`, EXIT_USAGE);
    if (e instanceof InterruptedError) {
      const { signalExitCode } = await import('./guards.ts');
      return fail(`\npullsim: ${e.message}: the runs were stopped; ${stopOutcome(e)}.`, signalExitCode(e.signal));
    }
    // Only a command that simulated throws these, so their modules are loaded by now.
    const [{ EventBudgetError }, { MemoryEstimateError }] = await Promise.all([import('../simulate.ts'), import('./memory-check.ts')]);
    if (e instanceof EventBudgetError) return fail(`pullsim: ${e.message}; no output was written. Raise --max-events or shrink the scenario.`, EXIT_USAGE);
    if (e instanceof MemoryEstimateError) return fail(`pullsim: ${e.message}`, EXIT_USAGE);
    if (e instanceof InvariantError)
      return fail(
        `pullsim: internal error: ${e.message}\nThe run's numbers cannot be trusted, so nothing was written. This is a bug in pullsim: please report it with the scenario, its seed and this message.`,
        EXIT_INTERNAL,
      );
    const detail = e instanceof Error ? mapStack(e.stack ?? e.message) : String(e);
    return fail(`pullsim: internal error (a bug in pullsim, please report it):\n${detail}`, EXIT_INTERNAL);
  }
}

