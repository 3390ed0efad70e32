/**
 * The local-fair-share piece transport (LocalFairShareTransport) re-rates only the flows whose rate a
 * start or end can move, and skips reading a flow's other end when its rate already tells the answer.
 * Against the plain rule — after every change, each flow at either endpoint gets min(upBps/uploads,
 * downBps/downloads) — on random scripts of starts and aborts: the same pieces land at the same instants
 * in the same order (bit for bit, ties included).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NORMAL, Simulator } from '../src/kernel/index.ts';
import type { P2PHosts } from '../src/distribution/p2p-hosts.ts';
import { LocalFairShareTransport, type PieceSink, type PieceTransport } from '../src/distribution/p2p-transport.ts';

const RUNS = Number(process.env.PULLSIM_PROPERTY_RUNS ?? 200);

/** The rule written plainly: every flow at both endpoints recomputed from the list lengths. */
class PlainTransport implements PieceTransport {
  private readonly joinType: number;
  private readonly finishType: number;
  private readonly flows: { u: number; d: number; remaining: number; settled: number; rate: number; handle: number; sink: PieceSink; sharing: boolean }[] = [];
  private readonly ups: number[][];
  private readonly downs: number[][];

  constructor(
    private readonly sim: Simulator,
    private readonly hosts: P2PHosts,
  ) {
    this.joinType = sim.register((f) => this.join(f));
    this.finishType = sim.register((f) => this.finish(f));
    this.ups = Array.from({ length: hosts.count }, () => []);
    this.downs = Array.from({ length: hosts.count }, () => []);
  }

  start(u: number, d: number, bytes: number, sink: PieceSink, oneWayS: number): number {
    const f = this.flows.length;
    this.flows.push({ u, d, remaining: bytes, settled: 0, rate: 0, handle: 0, sink, sharing: false });
    this.flows[f].handle = this.sim.schedule(oneWayS, this.joinType, f, NORMAL);
    return f;
  }

  abort(f: number): boolean {
    const x = this.flows[f];
    this.sim.cancel(x.handle);
    if (x.sharing) this.detach(f);
    return true;
  }

  private join(f: number): void {
    const x = this.flows[f];
    if (x.remaining === 0) return x.sink.landed();
    x.sharing = true;
    x.settled = this.sim.now;
    this.ups[x.u].push(f);
    this.downs[x.d].push(f);
    this.refreshAll(x.u, x.d);
  }

  private finish(f: number): void {
    this.detach(f);
    this.flows[f].sink.landed();
  }

  private detach(f: number): void {
    const x = this.flows[f];
    x.sharing = false;
    // The optimised lists swap-remove: the order of the remaining flows must match it.
    for (const list of [this.ups[x.u], this.downs[x.d]]) {
      const i = list.indexOf(f);
      const last = list.pop() as number;
      if (i < list.length) list[i] = last;
    }
    this.refreshAll(x.u, x.d);
  }

  private refreshAll(u: number, d: number): void {
    for (const f of [...this.ups[u], ...this.downs[d]]) {
      const x = this.flows[f];
      const r = Math.min(this.hosts.upBps[x.u] / this.ups[x.u].length, this.hosts.downBps[x.d] / this.downs[x.d].length);
      if (r === x.rate) continue;
      const now = this.sim.now;
      x.remaining = Math.max(0, x.remaining - x.rate * (now - x.settled));
      x.settled = now;
      x.rate = r;
      this.sim.cancel(x.handle);
      x.handle = this.sim.schedule(x.remaining / r, this.finishType, f, NORMAL);
    }
  }
}

interface Step {
  at: number;
  u: number;
  d: number;
  bytes: number;
  latency: number;
  /** Abort this many seconds after the start (when it has not landed by then), or never. */
  abortAfter: number | null;
}

/**
 * Runs the script through a transport; returns "flow@time" for every landing, in order, and every event
 * the transport scheduled (its type and time), in order: a re-timing more or fewer changes how ties break.
 */
function play(make: (sim: Simulator, hosts: P2PHosts) => PieceTransport, hosts: P2PHosts, steps: Step[]): { landings: string[]; scheduled: string[] } {
  const sim = new Simulator();
  const scheduled: string[] = [];
  const schedule = sim.schedule.bind(sim);
  sim.schedule = (delay, type, arg, priority) => {
    scheduled.push(`${type}@${sim.now + delay}`);
    return schedule(delay, type, arg, priority);
  };
  const t = make(sim, hosts);
  const out: string[] = [];
  steps.forEach((s, i) => {
    sim.call(s.at, () => {
      let landed = false;
      const h = t.start(s.u, s.d, s.bytes, { landed: () => ((landed = true), out.push(`${i}@${sim.now}`)) }, s.latency);
      if (s.abortAfter !== null)
        sim.call(s.abortAfter, () => {
          if (!landed) t.abort(h);
        });
    });
  });
  sim.run();
  return { landings: out, scheduled };
}

const hostsArb = fc
  .array(fc.constantFrom(100, 200, 300, 1e3), { minLength: 2, maxLength: 6 })
  .chain((up) => fc.tuple(fc.constant(up), fc.array(fc.constantFrom(100, 200, 300, 1e3), { minLength: up.length, maxLength: up.length })));

function scriptArb(hostCount: number): fc.Arbitrary<Step[]> {
  const step = fc
    .record({
      // Few distinct times, sizes and latencies: flows start, join and end together, so ties are common.
      at: fc.constantFrom(0, 0.5, 1, 1.5, 2, 3),
      u: fc.nat(hostCount - 1),
      d: fc.nat(hostCount - 1),
      bytes: fc.constantFrom(0, 100, 250, 600, 1000),
      latency: fc.constantFrom(0, 0.25, 0.5),
      abortAfter: fc.option(fc.constantFrom(0, 0.5, 1, 2.25), { nil: null }),
    })
    .filter((s) => s.u !== s.d);
  return fc.array(step, { minLength: 1, maxLength: 60 });
}

describe('local-fair-share transport', () => {
  it('lands every piece at the instant, and in the order, of the plain per-endpoint rule, with the same re-timings', () => {
    fc.assert(
      fc.property(
        hostsArb.chain(([up, down]) => fc.tuple(fc.constant(up), fc.constant(down), scriptArb(up.length))),
        ([up, down, steps]) => {
          const hosts = { count: up.length, upBps: Float64Array.from(up), downBps: Float64Array.from(down) } as unknown as P2PHosts;
          const fast = play((sim, h) => new LocalFairShareTransport(sim, h), hosts, steps);
          const plain = play((sim, h) => new PlainTransport(sim, h), hosts, steps);
          expect(fast.landings).toEqual(plain.landings);
          expect(fast.scheduled).toEqual(plain.scheduled);
          // Every piece that was not aborted lands.
          expect(fast.landings.length).toBeGreaterThanOrEqual(steps.filter((s) => s.abortAfter === null).length);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
