/**
 * Writing output files. `-` means stdout. Files are written atomically: the content goes to a temporary
 * file in the same directory, is fsynced, then renamed over the target, so a reader (or a crash) never
 * sees half a file and a failed write leaves the previous file as it was.
 *
 * `checkWritable` is for the CLI to call before a long run, so a bad path fails in the first second
 * (hyperfine opens its export files first for the same reason).
 */
import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** A user error about an output path: printed as a message (exit 2 in the CLI), never as a stack trace. */
export class OutputPathError extends Error {
  override readonly name = 'OutputPathError';
  readonly code = 'output-path';
  constructor(
    /** The path as the user gave it. */
    readonly target: string,
    readonly reason: string,
    readonly hint?: string,
  ) {
    super(`cannot write output to '${target}': ${reason}${hint ? `. ${hint}` : ''}`);
  }
}

export const STDOUT_TARGET = '-';

/**
 * Temp files being written right now. Normally each is renamed or removed by its own writeOutput; the CLI
 * calls removePendingTempFiles only when it must exit at once (a second Ctrl-C), so even then none is left.
 */
const pending = new Set<string>();

export function removePendingTempFiles(): void {
  for (const tmp of pending) {
    try {
      unlinkSync(tmp);
    } catch {
      // Already renamed or never created: nothing to clean.
    }
  }
  pending.clear();
}

/** The temporary file `writeOutput` uses for `target`: same directory, so the rename is atomic. */
export function tempPathFor(target: string): string {
  return `${target}.${process.pid}.tmp`;
}

/**
 * Writes `content` to `target` (`-` for stdout). Content may be a string or chunks (a renderer that
 * streams); if producing a chunk throws, the error propagates and the target is left untouched.
 */
export async function writeOutput(target: string, content: string | Iterable<string>): Promise<void> {
  if (target === STDOUT_TARGET) return writeStdout(content);
  const tmp = tempPathFor(target);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  pending.add(tmp);
  try {
    handle = await open(tmp, 'w');
    if (typeof content === 'string') await handle.writeFile(content, 'utf8');
    else for (const chunk of content) await handle.writeFile(chunk, 'utf8');
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, target);
  } catch (error) {
    await handle?.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw toOutputPathError(target, error);
  } finally {
    pending.delete(tmp);
  }
}

/**
 * Fails fast, with an OutputPathError, if `target` cannot be written: its directory must exist and
 * accept a new file, and the target must not be a directory. Creates and removes the temp file to find
 * out, which is the only check that sees read-only mounts, ACLs and full disks alike.
 */
export function checkWritable(target: string): void {
  if (target === STDOUT_TARGET) return;
  if (target === '') throw new OutputPathError(target, 'the path is empty', 'Give a file name, or - for stdout');
  const dir = path.dirname(path.resolve(target));
  const targetStat = statOrUndefined(target);
  if (targetStat?.isDirectory() || /[\\/]$/.test(target)) {
    throw new OutputPathError(target, 'it is a directory', `Give a file name inside it, e.g. ${path.join(target, 'result.json')}`);
  }
  const dirStat = statOrUndefined(dir);
  if (!dirStat) throw new OutputPathError(target, `directory ${dir} does not exist`, `Create it first (mkdir -p ${dir})`);
  if (!dirStat.isDirectory()) throw new OutputPathError(target, `${dir} is not a directory`);
  const tmp = tempPathFor(target);
  try {
    closeSync(openSync(tmp, 'w'));
    unlinkSync(tmp);
  } catch (error) {
    throw toOutputPathError(target, error);
  }
}

function statOrUndefined(p: string) {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/** File-system errors about the path become user errors; anything else (a renderer bug) passes through. */
function toOutputPathError(target: string, error: unknown): unknown {
  if (error instanceof OutputPathError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const dir = path.dirname(path.resolve(target));
  switch (code) {
    case 'ENOENT':
      return new OutputPathError(target, `directory ${dir} does not exist`, `Create it first (mkdir -p ${dir})`);
    case 'EACCES':
    case 'EPERM':
      return new OutputPathError(target, `permission denied in ${dir}`, 'Choose a directory you can write to');
    case 'EROFS':
      return new OutputPathError(target, `${dir} is on a read-only file system`);
    case 'EISDIR':
    case 'ENOTEMPTY':
    case 'EEXIST':
      return new OutputPathError(target, 'it is a directory', 'Give a file name, e.g. result.json');
    case 'ENOTDIR':
      return new OutputPathError(target, 'a parent of the path is not a directory');
    case 'ENOSPC':
    case 'EDQUOT':
      return new OutputPathError(target, 'no space left on the device');
    case 'ENAMETOOLONG':
      return new OutputPathError(target, 'the file name is too long');
    default:
      return error;
  }
}

async function writeStdout(content: string | Iterable<string>): Promise<void> {
  const chunks = typeof content === 'string' ? [content] : content;
  for (const chunk of chunks) {
    await new Promise<void>((resolve, reject) => {
      process.stdout.write(chunk, (err) => (err ? reject(err) : resolve()));
    });
  }
}
