/**
 * The compiled bundle's entry (bin/compiled.js). In its CommonJS bundle a dynamic import of a bundled
 * module is a lazy initialiser, so what sits behind one runs only when it is reached: a worker thread
 * (startWorker) runs the simulator's modules and not the CLI's, and the CLI loads each command's own
 * modules when that command runs (src/cli/main.ts).
 */
export { setWorkerEntry } from '../parallel/worker-url.ts';
export { onStartupDone } from '../startup-done.ts';

export async function cliMain(argv: string[]): Promise<number> {
  const cli = await import('./main.ts');
  return cli.cliMain(argv);
}

/** The worker thread's side of the pool (src/parallel/worker.ts). */
export async function startWorker(): Promise<void> {
  await import('../parallel/worker.ts');
}
