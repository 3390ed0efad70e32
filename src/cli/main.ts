/**
 * The command line: the only place that touches process.argv, stdout/stderr and exit codes.
 * Exit codes: 0 ok, 1 internal error, 2 usage or scenario error (99 is reserved for failed thresholds).
 */
import yargs from 'yargs';
import { loadScenario, simulate } from '../run.ts';
import { ScenarioError, formatIssues } from '../scenario/errors.ts';
import { scenarioJsonSchema } from '../scenario/schema.ts';
import { renderSummary, renderJson, renderCsv, wantsColor, writeOutput, checkWritable, OutputPathError } from '../report/index.ts';
import { EventBudgetError } from '../simulate.ts';
import { VERSION } from '../version.ts';

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;

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
          .option('variant', { type: 'string', array: true, describe: 'run only these variants (repeatable)' })
          .option('json', { type: 'string', describe: 'write the result as JSON to FILE, or - for stdout' })
          .option('csv', { type: 'string', describe: 'write one row per variant as CSV to FILE, or - for stdout' })
          .option('timing', { type: 'boolean', default: false, describe: 'record wall_ms in JSON/CSV (makes output differ run to run)' })
          .option('max-events', { type: 'number', describe: 'stop a variant after this many kernel events (a runaway guard)' })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print no summary' })
          .example('$0 run scenarios/seed-500-nodes.yaml', 'run the seed scenario')
          .example('$0 run scenarios/seed-500-nodes.yaml --set cluster.nodes=5000 --json -', 'bigger cluster, JSON on stdout'),
      async (args) => {
        exitCode = await runCommand(args);
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
      'run the performance benchmarks in bench/ (tinybench) and print a table',
      (y) => y.option('filter', { type: 'string', describe: 'run only the entries whose name contains TEXT' }),
      async (args) => {
        const { runBench } = await import('../../bench/index.ts');
        exitCode = await runBench({ filter: args.filter });
      },
    )
    .demandCommand(1, 'Name a command: pullsim run <scenario> (see --help).')
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
  timing: boolean;
  'max-events'?: number;
  quiet: boolean;
}

async function runCommand(args: RunArgs): Promise<number> {
  if (args.json === '-' && args.csv === '-') throw new UsageError('--json - and --csv - both want stdout; send one of them to a file.');
  // Output paths first, so a bad path fails in the first second, not after the run (hyperfine habit).
  for (const target of [args.json, args.csv]) if (target !== undefined && target !== '-') checkWritable(target);
  const scenario = await loadScenario(args.scenario, args.set);
  if (args.variant && args.variant.length > 0) {
    const names = scenario.variants.map((v) => v.name);
    for (const want of args.variant) {
      if (!names.includes(want)) throw new UsageError(`no variant "${want}" in ${args.scenario}; it has ${names.map((n) => `"${n}"`).join(', ')}.`);
    }
    scenario.variants = scenario.variants.filter((v) => args.variant!.includes(v.name));
  }
  const progress = process.stderr.isTTY && !args.quiet;
  const result = simulate(scenario, {
    timing: args.timing,
    maxEvents: args['max-events'],
    onVariant: progress
      ? (i, n, name) => process.stderr.write(`\rsimulating ${name} (${i + 1}/${n})…\x1b[K`)
      : undefined,
  });
  if (progress) process.stderr.write('\r\x1b[K');
  if (args.json !== undefined) await writeOutput(args.json, renderJson(result));
  if (args.csv !== undefined) await writeOutput(args.csv, renderCsv(result));
  if (!args.quiet) {
    // Machine output owns stdout when it goes there; the human summary then goes to stderr.
    const toStderr = args.json === '-' || args.csv === '-';
    const stream = toStderr ? process.stderr : process.stdout;
    stream.write(renderSummary(result, { color: wantsColor(stream.isTTY, process.env) }));
    for (const [flag, target] of [['json', args.json], ['csv', args.csv]] as const) {
      if (target !== undefined && target !== '-') process.stderr.write(`wrote ${flag}: ${target}\n`);
    }
  }
  return EXIT_OK;
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

