/**
 * Open and local solves: a change can only move rates at or above its floor (a departing flow's rate, a
 * lower bound on an arrival's), and a flow whose bottleneck the change leaves alone keeps its rate, so
 * the network re-solves only the flows the change moves and holds the others at their rates
 * (local-solve.ts). Worked by hand: a link L1 (6 B/s) carries a, b, c at 2 B/s each; c also crosses L2
 * (100 B/s) with d and e, which share the 98 B/s c leaves them: 49 each.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Simulator } from '../src/kernel/index.ts';
import { MaxMinSolver, Network, solveMaxMinReference } from '../src/network/index.ts';
import { MAX_ROUNDS } from '../src/network/local-solve.ts';

afterEach(() => vi.restoreAllMocks());

function twoLinks() {
  const sim = new Simulator();
  const net = new Network(sim);
  const finishedAt = new Map<number, number>();
  const done = (id: number) => finishedAt.set(id, sim.now);
  const l1 = net.addLink('L1', 6, 0);
  const l2 = net.addLink('L2', 100, 0);
  const a = net.startFlow([l1], 20, done);
  const b = net.startFlow([l1], 20, done);
  const c = net.startFlow([l1, l2], 20, done);
  const d = net.startFlow([l2], 49, done); // 49 B at 49 B/s: leaves at t = 1
  const e = net.startFlow([l2], 245, done); // 49 B by t = 1, then 196 B at 98 B/s: done at t = 3
  sim.run({ until: 0 });
  return { sim, net, finishedAt, done, l1, l2, a, b, c, d, e };
}

describe('open solves', () => {
  it('a departure re-solves only the flows at or above its rate; the slower ones keep theirs', () => {
    const { sim, net, finishedAt, l2, a, b, c, d, e } = twoLinks();
    expect([a, b, c, d, e].map((f) => net.flowRate(f))).toEqual([2, 2, 2, 49, 49]);
    const solve = vi.spyOn(MaxMinSolver.prototype, 'solve');
    sim.run({ until: 2 });
    expect(finishedAt.get(d)).toBe(1);
    // The solve at t = 1 took e alone (49 B/s and up), with c held at 2 B/s on L2.
    expect(solve).toHaveBeenCalledTimes(1);
    const [, flows, flowCount, , linkCount, , open] = solve.mock.calls[0];
    expect([flows[0], flowCount, linkCount, open]).toEqual([e, 1, 1, true]);
    expect([a, b, c, e].map((f) => net.flowRate(f))).toEqual([2, 2, 2, 98]);
    expect(net.linkLoad(l2)).toBe(100);
    sim.run();
    expect(finishedAt.get(e)).toBe(3);
    expect([a, b, c].map((f) => finishedAt.get(f))).toEqual([10, 10, 10]);
    expect(net.linkBytes(l2)).toBe(20 + 49 + 245);
  });

  it('an arrival re-solves the flows at or above its least possible rate', () => {
    const { sim, net, done, l2, a, c, e } = twoLinks();
    sim.run({ until: 2 });
    const solve = vi.spyOn(MaxMinSolver.prototype, 'solve');
    // f on L2 next to c and e: it gets at least 100/3 B/s, so c (2 B/s) is held, e (98 B/s) re-solved:
    // e and f share the 98 B/s c leaves.
    const f = net.startFlow([l2], 1000, done);
    sim.run({ until: 2 });
    expect(solve).toHaveBeenCalledTimes(1);
    const [, flows, flowCount, , , , open] = solve.mock.calls[0];
    expect([Array.from({ length: flowCount }, (_, i) => flows[i]).sort(), open]).toEqual([[e, f].sort(), true]);
    expect([a, c, e, f].map((x) => net.flowRate(x))).toEqual([2, 2, 49, 49]);
  });

  it('a local solve widens along the chain the change moves, round by round, and stops where it ends', () => {
    const sim = new Simulator();
    const net = new Network(sim);
    const [l0, l1, l2, l3] = [net.addLink('L0', 10, 0), net.addLink('L1', 12, 0), net.addLink('L2', 100, 0), net.addLink('L3', 1, 0)];
    const done = () => {};
    // L0: f0, f1 at 5. L1: f1 (5) and f2, which gets the 7 left. L3 holds f4 at 1. L2: f2 (7), f4 (1) and
    // f3, which gets the 92 left.
    const f0 = net.startFlow([l0], 5, done); // leaves at t = 1
    const f1 = net.startFlow([l0, l1], 1e6, done);
    const f2 = net.startFlow([l1, l2], 1e6, done);
    const f3 = net.startFlow([l2], 1e6, done);
    const f4 = net.startFlow([l2, l3], 1e6, done);
    sim.run({ until: 0 });
    expect([f0, f1, f2, f3, f4].map((f) => net.flowRate(f))).toEqual([5, 5, 7, 92, 1]);
    const solve = vi.spyOn(MaxMinSolver.prototype, 'solve');
    sim.run({ until: 2 });
    // f0 leaves: f1 alone on L0 now fills L1 with f2 (6 each), f2 slows, f3 takes what f2 gives up (93).
    // Round 1 solves f1 (next to the change): L1 binds it below f2, which must give way; round 2 takes f2
    // in: L2 is no longer full, so f3 (held, L2 its bottleneck) joins for round 3. f4 stays held throughout
    // (its bottleneck L3 never changes).
    expect([f1, f2, f3, f4].map((f) => net.flowRate(f))).toEqual([6, 6, 93, 1]);
    const sets = solve.mock.calls.map(([, flows, n]) => Array.from({ length: n }, (_, i) => flows[i]).sort());
    expect(sets).toEqual([[f1], [f1, f2].sort(), [f1, f2, f3].sort()]);
    expect(net.linkLoad(l2)).toBe(100);
  });

  it('a change that reaches further than the local rounds allow falls back to a whole-component solve, exactly', () => {
    const sim = new Simulator();
    const net = new Network(sim);
    // A chain: L0 (10 B/s) carries f0 and f1; link k (12 + 2k B/s) carries f_k and f_k+1. Each pair shares
    // its link equally (5, 5, 8, 8, 10, 10, …); when f0 leaves, every flow down the chain gains 2 B/s, one
    // pair per round, so the local solve runs out of rounds and the network re-solves the component instead.
    const n = 2 * MAX_ROUNDS;
    const caps = [10, ...Array.from({ length: n }, (_, k) => 14 + 2 * k)];
    const links = caps.map((c, k) => net.addLink(`L${k}`, c, 0));
    const paths = [[links[0]], ...Array.from({ length: n }, (_, k) => [links[k], links[k + 1]])];
    const ids = paths.map((p, k) => net.startFlow(p, k === 0 ? 5 : 1e9, () => {}));
    sim.run({ until: 0 });
    expect(ids.slice(0, 4).map((f) => net.flowRate(f))).toEqual([5, 5, 8, 8]);
    const solve = vi.spyOn(MaxMinSolver.prototype, 'solve');
    sim.run({ until: 2 });
    expect(solve).toHaveBeenCalledTimes(MAX_ROUNDS + 1);
    const expected = solveMaxMinReference(caps, paths.slice(1).map((path) => ({ path, cap: Infinity })));
    expect(ids.slice(1).map((f) => net.flowRate(f))).toEqual(Array.from(expected));
    expect(ids.slice(1, 5).map((f) => net.flowRate(f))).toEqual([7, 7, 9, 9]);
  });
});
