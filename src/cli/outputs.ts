/**
 * The export flags every decision command takes (`--json`, `--csv`, `--markdown`, `--html`; `-` is
 * stdout). Paths are checked when the command starts, before any simulation, so a bad path fails in the
 * first second (hyperfine opens its export files first for the same reason); files are written
 * atomically after the run.
 */
import { checkWritable, writeOutput } from '../report/index.ts';
import { StopError } from '../parallel/stop.ts';
import { UsageError } from './usage.ts';

export interface OutputSpec<T> {
  flag: 'json' | 'csv' | 'markdown' | 'html';
  target: string | undefined;
  render: (value: T) => string | Promise<string>;
}

export class Outputs<T> {
  private readonly specs: OutputSpec<T>[];

  constructor(specs: OutputSpec<T>[]) {
    this.specs = specs.filter((s) => s.target !== undefined);
    const toStdout = this.specs.filter((s) => s.target === '-');
    if (toStdout.length > 1) {
      throw new UsageError(`${toStdout.map((s) => `--${s.flag} -`).join(' and ')} both want stdout; send all but one of them to files.`);
    }
    for (const s of this.specs) checkWritable(s.target!);
  }

  /**
   * Whether an export holds the runs' time series: the JSON (a run's, or every point's in a sweep) and the
   * HTML report (its charts; a sweep's page embeds its JSON). The terminal summary, CSV and Markdown never
   * read them, so without these the runs skip recording them.
   */
  get holdsSeries(): boolean {
    return this.specs.some((s) => s.flag === 'json' || s.flag === 'html');
  }

  /** Machine output owns stdout when one of them goes there; the human summary then goes to stderr. */
  get usesStdout(): boolean {
    return this.specs.some((s) => s.target === '-');
  }

  /**
   * Writes every output; returns "wrote FLAG: PATH" lines for the files (not stdout). When `signal` is
   * aborted (Ctrl-C) it stops between files: each file is whole or untouched, and the error says which.
   */
  async write(value: T, signal?: AbortSignal): Promise<string[]> {
    const wrote: string[] = [];
    for (const [i, s] of this.specs.entries()) {
      if (signal?.aborted) {
        const stop = signal.reason;
        if (stop instanceof StopError) {
          stop.written = wrote.map((w) => w.replace(/^wrote /, ''));
          stop.skipped = this.specs.slice(i).map((x) => `${x.flag}: ${x.target}`);
        }
        throw stop;
      }
      await writeOutput(s.target!, await s.render(value));
      if (s.target !== '-') wrote.push(`wrote ${s.flag}: ${s.target}`);
    }
    return wrote;
  }
}
