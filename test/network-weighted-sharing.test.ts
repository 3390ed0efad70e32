/**
 * Weighted max-min (SimGrid's LMM penalties, used by the cm02 and lv08 models): the fast solver against the
 * reference progressive filling, closed forms, and the network's use of path latency as the penalty.
 * (test/network-vs-simgrid.test.ts checks the same against SimGrid itself where it is installed.)
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Simulator } from '../src/kernel/index.ts';
import { MaxMinSolver, Network, solveMaxMin, solveMaxMinReference, type ReferenceFlow } from '../src/network/index.ts';
import { NetworkModel } from '../src/scenario/schema.ts';
import { expectRelative, runBatches } from './network-reference-harness.ts';
import type { ShareGroup } from '../src/network/share-group.ts';

const magnitude = (lo: number, hi: number): fc.Arbitrary<number> => fc.double({ min: lo, max: hi, noNaN: true }).map((e) => 10 ** e);

describe('weighted max-min sharing', () => {
  it('the fast solver equals the reference on random problems with penalties (relative 1e-9)', () => {
    const problem = fc.integer({ min: 1, max: 10 }).chain((links) =>
      fc.record({
        capacities: fc.array(magnitude(3, 11), { minLength: links, maxLength: links }),
        flows: fc.array(
          fc.record({
            path: fc.shuffledSubarray(
              Array.from({ length: links }, (_, l) => l),
              { minLength: 1 },
            ),
            cap: fc.oneof(fc.constant(Infinity), magnitude(2, 11)),
            penalty: magnitude(-4, 1),
          }),
          { minLength: 1, maxLength: 40 },
        ),
      }),
    );
    fc.assert(
      fc.property(problem, ({ capacities, flows }) => {
        const fast = solveMaxMin(capacities, flows);
        const ref = solveMaxMinReference(capacities, flows);
        for (let f = 0; f < flows.length; f++) {
          if (!(Math.abs(fast[f] - ref[f]) <= 1e-9 * ref[f])) throw new Error(`flow ${f}: ${fast[f]} vs reference ${ref[f]}: ${JSON.stringify({ capacities, flows })}`);
        }
      }),
      { numRuns: 300, seed: 6 },
    );
  });

  it('one link, penalties 0.1, 0.2 and 1: shares in proportion 10 : 5 : 1', () => {
    const flows: ReferenceFlow[] = [0.1, 0.2, 1].map((penalty) => ({ path: [0], cap: Infinity, penalty }));
    for (const rates of [solveMaxMin([16e6], flows), solveMaxMinReference([16e6], flows)]) {
      expect(rates[0]).toBeCloseTo(10e6, 3);
      expect(rates[1]).toBeCloseTo(5e6, 3);
      expect(rates[2]).toBeCloseTo(1e6, 3);
    }
  });

  it('a capped flow gives its unused share to the others in proportion to their weights', () => {
    // Link 12 MB/s; penalties 1, 1, 0.5 (weights 1 : 1 : 2); flow 2 capped at 2 MB/s: the others split 10 MB/s.
    const flows: ReferenceFlow[] = [
      { path: [0], cap: Infinity, penalty: 1 },
      { path: [0], cap: Infinity, penalty: 1 },
      { path: [0], cap: 2e6, penalty: 0.5 },
    ];
    for (const rates of [solveMaxMin([12e6], flows), solveMaxMinReference([12e6], flows)]) {
      expect(rates[2]).toBe(2e6);
      expect(rates[0]).toBeCloseTo(5e6, 3);
      expect(rates[1]).toBeCloseTo(5e6, 3);
    }
  });

  it('the network weights by path latency: two flows of 10 ms and 30 ms on a 4 MB/s link get 3 MB/s and 1 MB/s', () => {
    const sim = new Simulator();
    const net = new Network(sim, { latencyWeighted: true });
    const shared = net.addLink('shared', 4e6, 0);
    const near = net.addLink('near', 1e12, 0.01);
    const far = net.addLink('far', 1e12, 0.03);
    const done: number[] = [];
    // Both 3 MB; the near one joins at 10 ms, the far one at 30 ms.
    const a = net.startFlow([shared, near], 3e6, () => (done[0] = sim.now));
    const b = net.startFlow([shared, far], 3e6, () => (done[1] = sim.now));
    sim.run({ until: 0.05 });
    expect(net.flowRate(a)).toBeCloseTo(3e6, 3);
    expect(net.flowRate(b)).toBeCloseTo(1e6, 3);
    sim.run();
    // a: 4 MB/s alone 0.01–0.03 s (80 kB), then 3 MB/s: (3e6 − 8e4) / 3e6 s more; b then runs alone at 4 MB/s.
    const aDone = 0.03 + (3e6 - 8e4) / 3e6;
    expect(done[0]).toBeCloseTo(aDone, 9);
    expect(done[1]).toBeCloseTo(aDone + (3e6 - (aDone - 0.03) * 1e6) / 4e6, 9);
  });

  it('weight-S adds weightS / capacity per link; a flow without latency has penalty 1 (SimGrid)', () => {
    const sim = new Simulator();
    const net = new Network(sim, { latencyWeighted: true, weightS: 20537 });
    const shared = net.addLink('shared', 1e6, 0);
    const slow = net.addLink('slow', 1e12, 0.001);
    const a = net.startFlow([shared], 1e9, () => {}); // no latency: penalty 1
    const b = net.startFlow([shared, slow], 1e9, () => {}); // 0.001 + 20537/1e6 + 20537/1e12
    sim.run({ until: 1 });
    const pb = 0.001 + 20537 / 1e6 + 20537 / 1e12;
    const wa = 1;
    const wb = 1 / pb;
    expect(net.flowRate(a)).toBeCloseTo((1e6 * wa) / (wa + wb), 3);
    expect(net.flowRate(b)).toBeCloseTo((1e6 * wb) / (wa + wb), 3);
  });

  it('a fan-out whose clients sit at two RTTs is one share group of both penalties: every finish time equals a reference event loop', () => {
    // Registry NIC 1.25 GB/s shared by 300 clients (125 MB/s links, 1 ms or 2 ms): weighted 2 : 1, so the
    // 1 ms clients run twice as fast; client i fetches 100 MB·(i+1)/300, so every finish re-shares.
    const n = 300;
    const latency = (i: number): number => (i % 2 === 0 ? 0.001 : 0.002);
    const bytes = (i: number): number => (100e6 * (i + 1)) / n;
    const solve = vi.spyOn(MaxMinSolver.prototype, 'solve');
    const proto = Network.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
    const originalDepart = proto.departGroup;
    // Per group: the penalties of the members that finished through it (departGroup: O(log) re-shares).
    const departed = new Map<unknown, Set<number>>();
    const departGroup = vi.spyOn(proto, 'departGroup').mockImplementation(function (this: unknown, ...args: unknown[]) {
      const self = this as { flowGroup: unknown[]; graph: { flowPenalty?: Float64Array } };
      const f = args[0] as number;
      const grp = self.flowGroup[f];
      if (!departed.has(grp)) departed.set(grp, new Set());
      departed.get(grp)?.add(self.graph.flowPenalty?.[f] ?? 1);
      return originalDepart.apply(this, args);
    });
    const sim = new Simulator();
    const net = new Network(sim, { latencyWeighted: true });
    const nic = net.addLink('registry', 1.25e9, 0);
    const done = new Array<number>(n).fill(NaN);
    for (let i = 0; i < n; i++) {
      const own = net.addLink(`client${i}`, 1.25e8, latency(i));
      net.startFlow([nic, own], bytes(i), () => (done[i] = sim.now));
    }
    sim.run();
    const solves = solve.mock.calls.length;
    const finishedInGroups = departGroup.mock.calls.length;
    for (const spy of [solve, departGroup]) spy.mockRestore();

    // The reference: flows join after their latency, rates by the weighted reference solver between events.
    const ref = new Array<number>(n).fill(NaN);
    const left = Array.from({ length: n }, (_, i) => bytes(i));
    let t = 0;
    for (;;) {
      const live = Array.from({ length: n }, (_, i) => i).filter((i) => latency(i) <= t && Number.isNaN(ref[i]));
      const joins = Array.from({ length: n }, (_, i) => latency(i)).filter((j) => j > t);
      if (live.length === 0 && joins.length === 0) break;
      // Links 0 (the NIC) and 1 + i (client i's).
      const caps = [1.25e9, ...Array.from({ length: n }, () => 1.25e8)];
      const rates = solveMaxMinReference(caps, live.map((i) => ({ path: [0, 1 + i], cap: Infinity, penalty: latency(i) })));
      let dt = Math.min(...joins.map((j) => j - t));
      live.forEach((i, k) => (dt = Math.min(dt, left[i] / rates[k])));
      live.forEach((i, k) => (left[i] -= rates[k] * dt));
      t += dt;
      for (const i of live) if (left[i] <= 1e-9 * bytes(i)) ref[i] = t;
    }
    for (let i = 0; i < n; i++) expectRelative(done[i], ref[i], 1e-9, `client ${i}`);
    // One group of both penalties carried the fan-out: nearly every finish through it, a handful of solves.
    expect([...departed.values()].some((penalties) => penalties.size === 2)).toBe(true);
    expect(finishedInGroups).toBeGreaterThan(0.9 * n);
    expect(solves).toBeLessThan(n / 10);
  });

  it('scenario models: cm02 and lv08 weight by latency (LV08 with weight-S 20537), maxmin does not; rttUnfairness overrides', () => {
    expect(NetworkModel.parse({ model: 'maxmin' })).toMatchObject({ latencyWeighted: false });
    expect(NetworkModel.parse({ model: 'cm02' })).toMatchObject({ latencyWeighted: true, weightS: 0 });
    expect(NetworkModel.parse({ model: 'lv08' })).toMatchObject({ latencyWeighted: true, weightS: 20537, windowRateFactor: 0.97 });
    expect(NetworkModel.parse({ model: 'lv08', rttUnfairness: false })).toMatchObject({ latencyWeighted: false });
    expect(NetworkModel.parse({ model: 'maxmin', rttUnfairness: true, weightS: 100 })).toMatchObject({ latencyWeighted: true, weightS: 100 });
  });

  it('Network rates (local solves, share groups and the switch to weights included) after every batch of arrivals, departures and capacity changes equal the weighted reference', () => {
    const solve = vi.spyOn(MaxMinSolver.prototype, 'solve');
    const proto = Network.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
    const originalForm = proto.formGroup;
    let weightedGroups = 0;
    let mixedGroups = 0;
    const formGroup = vi.spyOn(proto, 'formGroup').mockImplementation(function (this: unknown, ...args: unknown[]) {
      const grp = originalForm.apply(this, args) as ShareGroup | undefined;
      const pen = (this as { graph: { flowPenalty?: Float64Array } }).graph.flowPenalty;
      if (grp !== undefined && pen !== undefined) {
        weightedGroups++;
        const penalties = new Set(Array.from({ length: grp.size }, (_, i) => pen[grp.member(i)]));
        if (penalties.size > 1) mixedGroups++;
      }
      return grp;
    });
    const dissolve = vi.spyOn(proto, 'dissolve');
    const original = proto.weighWith;
    let switchedWithGroups = 0;
    const weighWith = vi.spyOn(proto, 'weighWith').mockImplementation(function (this: unknown, ...args: unknown[]) {
      const before = dissolve.mock.calls.length;
      const out = original.apply(this, args);
      if (dissolve.mock.calls.length > before) switchedWithGroups++;
      return out;
    });
    const flow = (links: number) =>
      fc.record({
        // Short paths over many links: sparse components, where local solves hold flows.
        path: fc.shuffledSubarray(
          Array.from({ length: links }, (_, l) => l),
          { minLength: 1, maxLength: Math.min(3, links) },
        ),
        bytes: magnitude(3, 10),
        cap: fc.oneof(fc.constant(Infinity), magnitude(2, 11)),
        // Its own path latency (a private link): 0 gives penalty 1, as in SimGrid.
        latency: fc.constantFrom(0, 1e-4, 5e-4, 1e-3),
      });
    const scenario = fc.integer({ min: 1, max: 40 }).chain((links) =>
      fc.record({
        capacities: fc.array(magnitude(3, 11), { minLength: links, maxLength: links }),
        // The first batches' flows have no latency (penalty 1 for all: the network runs unweighted, share
        // groups form); a later flow with latency turns weights on with the groups alive.
        uniform: fc.nat({ max: 6 }),
        batches: fc.array(
          fc.record({
            dt: fc.double({ min: 5e-3, max: 100, noNaN: true }),
            arrivals: fc.array(flow(links), { minLength: 1, maxLength: 25 }),
            aborts: fc.array(fc.nat(), { maxLength: 3 }),
            capacityChange: fc.option(fc.record({ link: fc.nat({ max: links - 1 }), capacity: magnitude(3, 11) })),
          }),
          { minLength: 1, maxLength: 12 },
        ),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ capacities, uniform, batches }) => {
        const sim = new Simulator();
        const net = new Network(sim, { latencyWeighted: true });
        runBatches(
          sim,
          net,
          capacities,
          batches,
          (arrival, onDone, b) => {
            const a = b < uniform ? { ...arrival, latency: 0 } : arrival;
            const own = net.addLink(`own${net.linkCount}`, 1e15, a.latency);
            // The reference's penalty is the path latency (1 without): the private link's never binds.
            return [net.startFlow([...a.path, own], a.bytes, onDone, a.cap), { path: a.path, cap: a.cap, penalty: a.latency > 0 ? a.latency : 1 }];
          },
          (live, links) => {
            const flows = [...live.values()];
            const expected = solveMaxMinReference(links.map((l) => net.linkCapacity(l)), flows);
            [...live.keys()].forEach((id, i) => {
              const actual = net.flowRate(id);
              if (!(Math.abs(actual - expected[i]) <= 1e-9 * expected[i] || actual === expected[i]))
                throw new Error(`flow ${id}: rate ${actual}, reference ${expected[i]} at t=${sim.now}: ${JSON.stringify(flows)}`);
            });
          },
          // Once every arrival has paid its latency (≤ 1 ms) and joined, after that instant's re-share.
          2e-3,
          1e-2,
        );
      }),
      { numRuns: 1000, seed: 9 },
    );
    // The batches reach open solves (slower flows held at their rates), not only whole components, form
    // share groups while penalties are uniform, and switch to weights with groups alive.
    expect(solve.mock.calls.filter((call) => call[6] === true).length).toBeGreaterThan(20);
    expect(formGroup.mock.results.filter((r) => r.value !== undefined).length).toBeGreaterThan(20);
    expect(weighWith.mock.calls.length).toBeGreaterThan(100);
    expect(switchedWithGroups).toBeGreaterThan(5);
    // And groups of one penalty among flows of others, once weights are on.
    expect(weightedGroups).toBeGreaterThan(20);
    // Some of them of members with different penalties (one level, rates level ÷ penalty: share-group.ts).
    expect(mixedGroups).toBeGreaterThan(100);
    for (const spy of [solve, formGroup, weighWith, dissolve]) spy.mockRestore();
  });
});
