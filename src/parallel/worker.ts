/**
 * The worker thread's side of the pool: receive a task, run it, post the output (or the failure) back
 * with the task's id. Loaded through worker-entry.js, which registers the TypeScript loader first.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { describeFailure, executeTask, type SimTask, type TaskOptions } from './task.ts';

export interface TaskMessage {
  id: number;
  task: SimTask;
}

export type ResultMessage = { id: number; ok: true; output: ReturnType<typeof executeTask> } | { id: number; ok: false; failure: ReturnType<typeof describeFailure> };

const port = parentPort;
if (!port) throw new Error('internal: src/parallel/worker.ts must run in a worker thread');
const options = workerData as TaskOptions;
port.on('message', (msg: TaskMessage) => {
  let reply: ResultMessage;
  try {
    reply = { id: msg.id, ok: true, output: executeTask(msg.task, options) };
  } catch (e) {
    reply = { id: msg.id, ok: false, failure: describeFailure(e) };
  }
  port.postMessage(reply);
});
