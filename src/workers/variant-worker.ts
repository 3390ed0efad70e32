/**
 * A worker thread of the job pool (pool.ts): takes job indices from the shared counter, runs each job and
 * posts its result back, then says it is done.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EventBudgetError } from '../simulate.ts';
import { runJob, takeJob, type JobReply, type WorkerInput } from './pool.ts';

const port = parentPort;
if (!port) throw new Error('internal: variant-worker.ts must run in a worker thread');
const { jobs, next } = workerData as WorkerInput;
const counter = new Int32Array(next);

for (let id = takeJob(counter); id < jobs.length; id = takeJob(counter)) {
  port.postMessage({ started: id });
  let reply: JobReply;
  try {
    reply = { id, ok: true, result: runJob(jobs[id]) };
  } catch (e) {
    reply =
      e instanceof EventBudgetError
        ? { id, ok: false, budgetEvents: e.events, message: e.message }
        : { id, ok: false, message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined };
  }
  port.postMessage(reply);
  if (!reply.ok) break;
}
port.postMessage({ done: true });
