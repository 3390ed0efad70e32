/** The kernel's dispatch order, for the reference queues of the kernel tests: time, then priority, then FIFO. */
export interface Keyed {
  time: number;
  priority: number;
  seq: number;
}

/** True if `a` is dispatched before `b`. */
export function before(a: Keyed, b: Keyed): boolean {
  return a.time < b.time || (a.time === b.time && (a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq)));
}
