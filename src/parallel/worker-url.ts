/**
 * The worker thread's script: the tsx entry by default; bin/pullsim.js points it at the compiled bundle's
 * worker instead. A module of its own, without imports, so setting it loads nothing else.
 */
let workerUrl = new URL('./worker-entry.js', import.meta.url);

/** Used by bin/pullsim.js when the CLI runs from the compiled bundle (bin/compiled.js). */
export function setWorkerEntry(url: URL): void {
  workerUrl = url;
}

export function workerEntry(): URL {
  return workerUrl;
}
