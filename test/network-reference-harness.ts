/**
 * Drives a Network with flows that start, finish, abort and see capacity changes, and checks it against
 * the reference solver at the end of every timestamp something changed: every flow's rate, every link's
 * load (and the peak the reference sees), the count of flows in progress; it also tallies the bytes the
 * links should have carried. Shared by the property tests of share groups (fan-outs, arrivals).
 */
import { expect } from 'vitest';
import { LATE, type Simulator } from '../src/kernel/index.ts';
import { solveMaxMinReference, type Network, type ReferenceFlow } from '../src/network/index.ts';

export function expectRelative(actual: number, expected: number, rel: number, what: string): void {
  if (!(Math.abs(actual - expected) <= rel * Math.abs(expected) || actual === expected)) {
    throw new Error(`${what}: expected ${expected} within ${rel} relative, got ${actual}`);
  }
}

export class ReferenceHarness {
  /** Flows in progress, by id, as the reference solver takes them. */
  readonly live = new Map<number, ReferenceFlow>();
  /** Per link, the highest load the reference gave at a check. */
  readonly peak: number[] = [];
  /** Σ over finished or aborted flows of bytes delivered × links crossed. */
  expectedBytes = 0;
  private checkPending = false;

  constructor(
    private readonly sim: Simulator,
    private readonly net: Network,
  ) {}

  /** Starts a flow now; with `abortAfter`, aborts it that many seconds later if it is still running. */
  start(path: number[], bytes: number, cap: number, abortAfter: number | null): void {
    const { sim, net } = this;
    let running = true;
    const id = net.startFlow(
      path,
      bytes,
      (done) => {
        expect(running).toBe(true);
        running = false;
        this.live.delete(done);
        this.expectedBytes += bytes * path.length;
        this.checkLater();
      },
      cap,
    );
    this.live.set(id, { path, cap });
    this.checkLater();
    if (abortAfter !== null) {
      sim.call(abortAfter, () => {
        if (!running) return;
        running = false;
        this.live.delete(id);
        this.expectedBytes += net.abortFlow(id) * path.length;
        this.checkLater();
      });
    }
  }

  /** Sets the link's capacity at time `at`. */
  setCapacityAt(at: number, link: number, capacity: number): void {
    this.sim.call(at, () => {
      this.net.setLinkCapacity(link, capacity);
      this.checkLater();
    });
  }

  /** Total bytes the links carried once every flow is over, with each link idle again. */
  carriedWhenIdle(): number {
    const net = this.net;
    expect(net.activeFlows).toBe(0);
    let bytes = 0;
    for (let l = 0; l < net.linkCount; l++) {
      bytes += net.linkBytes(l);
      expect(net.linkLoad(l)).toBe(0);
    }
    return bytes;
  }

  private checkLater(): void {
    if (this.checkPending) return;
    this.checkPending = true;
    this.sim.call(0, () => this.check(), LATE);
  }

  private check(): void {
    const { sim, net } = this;
    this.checkPending = false;
    const specs = [...this.live.values()];
    const caps = Array.from({ length: net.linkCount }, (_, l) => net.linkCapacity(l));
    const expected = solveMaxMinReference(caps, specs);
    [...this.live.keys()].forEach((id, i) => expectRelative(net.flowRate(id), expected[i], 1e-9, `t=${sim.now} rate of flow ${id}`));
    const load = new Float64Array(net.linkCount);
    specs.forEach((f, i) => f.path.forEach((l) => (load[l] += expected[i])));
    for (let l = 0; l < net.linkCount; l++) {
      expectRelative(net.linkLoad(l) + 1, load[l] + 1, 1e-9, `t=${sim.now} load of link ${l}`);
      this.peak[l] = Math.max(this.peak[l] ?? 0, load[l]);
    }
    expect(net.activeFlows).toBe(this.live.size);
  }
}

/** One timestamp's changes in the batch property tests: aborts, a capacity change, arrivals. */
export interface FlowBatch<A> {
  /** Each aborts the k-th flow still live (k modulo their count). */
  aborts: readonly number[];
  capacityChange: { link: number; capacity: number } | null;
  arrivals: readonly A[];
}

/**
 * Applies a batch now, in that order: aborts (taken out of `live`), the capacity change, then each arrival
 * through `start`, which starts the flow and returns its id with the flow as the reference solver takes it.
 */
export function applyBatch<A>(net: Network, live: Map<number, ReferenceFlow>, batch: FlowBatch<A>, start: (a: A) => [number, ReferenceFlow]): void {
  const ids = [...live.keys()];
  for (const k of batch.aborts) {
    if (ids.length === 0) break;
    const [id] = ids.splice(k % ids.length, 1);
    net.abortFlow(id);
    live.delete(id);
  }
  if (batch.capacityChange) net.setLinkCapacity(batch.capacityChange.link, batch.capacityChange.capacity);
  for (const a of batch.arrivals) {
    const [id, flow] = start(a);
    live.set(id, flow);
  }
}

/**
 * Drives a batch property test on `net`: links l0… with `capacities`, then each batch `dt` after the last,
 * applied through applyBatch with `start` (which gets the batch's index and passes `onDone` to the flows it
 * starts); `check(live)` runs `checkAfter` seconds after each batch, after that instant's re-share (LATE),
 * and the simulation runs `tail` seconds past the last batch. Returns the link ids.
 */
export function runBatches<A>(
  sim: Simulator,
  net: Network,
  capacities: readonly number[],
  batches: readonly (FlowBatch<A> & { dt: number })[],
  start: (a: A, onDone: (id: number) => void, batchIndex: number) => [number, ReferenceFlow],
  check: (live: Map<number, ReferenceFlow>, links: readonly number[]) => void,
  checkAfter = 0,
  tail = 0,
): void {
  const links = capacities.map((c, l) => net.addLink(`l${l}`, c, 0));
  const live = new Map<number, ReferenceFlow>();
  const onDone = (id: number): void => {
    live.delete(id);
  };
  let t = 0;
  for (const [b, batch] of batches.entries()) {
    t += batch.dt;
    sim.call(t - sim.now, () => {
      applyBatch(net, live, batch, (a) => start(a, onDone, b));
      sim.call(checkAfter, () => check(live, links), LATE);
    });
    sim.run({ until: t });
  }
  sim.run({ until: t + tail });
}
