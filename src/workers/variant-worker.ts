/**
 * A worker thread of the job pool (pool.ts): runs each job it is sent and posts the result back.
 */
import { parentPort } from 'node:worker_threads';
import { EventBudgetError } from '../simulate.ts';
import { runJob, type Job, type JobReply } from './pool.ts';

const port = parentPort;
if (!port) throw new Error('internal: variant-worker.ts must run in a worker thread');

port.on('message', ({ id, job }: { id: number; job: Job }) => {
  let reply: JobReply;
  try {
    reply = { id, ok: true, result: runJob(job) };
  } catch (e) {
    reply =
      e instanceof EventBudgetError
        ? { id, ok: false, budgetEvents: e.events, message: e.message }
        : { id, ok: false, message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined };
  }
  port.postMessage(reply);
});
