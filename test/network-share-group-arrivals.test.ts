/**
 * Flows arriving into a share group join its virtual clock instead of re-solving the component
 * (Network.tryJoin, issue 6 goal 4). The answers must be the exact max-min ones: rates after every event,
 * link loads and peaks, and bytes, against the reference solver and against processor sharing's closed form.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LATE, Simulator } from '../src/kernel/index.ts';
import { Network, solveMaxMinReference } from '../src/network/index.ts';
import { expectRelative, ReferenceHarness } from './network-reference-harness.ts';

const RUNS = Number(process.env.PULLSIM_PROPERTY_RUNS ?? 200);

/** Counts the arrivals that joined a group (tryJoin returned true): the tests must exercise that path. */
let joins = 0;
beforeEach(() => {
  joins = 0;
  const proto = Network.prototype as unknown as { tryJoin: (...args: unknown[]) => boolean };
  const original = proto.tryJoin;
  vi.spyOn(proto, 'tryJoin').mockImplementation(function (this: unknown, ...args: unknown[]) {
    const joined = original.apply(this, args);
    if (joined) joins++;
    return joined;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});


describe('arrivals into a share group', () => {
  it('processor sharing with arrivals: every finish time equals the closed form, each arrival joins', () => {
    // One 1 MB/s bottleneck, fast private links: all active flows get 1e6 / n B/s.
    const sim = new Simulator();
    const net = new Network(sim);
    const C = 1e6;
    const trunk = net.addLink('trunk', C, 0);
    const N0 = 10;
    const arrivals = [0.5, 1.25, 2, 3.5, 3.75, 6, 6.5];
    const specs = [
      ...Array.from({ length: N0 }, (_, i) => ({ at: 0, bytes: 1e5 * (i + 1) })),
      ...arrivals.map((at, i) => ({ at, bytes: 2.5e5 + 1e4 * i })),
    ];
    const finishedAt: number[] = new Array(specs.length).fill(NaN);
    specs.forEach((s, i) =>
      sim.call(s.at, () => {
        net.startFlow([trunk, net.addLink(`c${i}`, 1e9, 0)], s.bytes, () => (finishedAt[i] = sim.now));
      }),
    );
    sim.run();

    // Closed form, event by event: between events every active flow receives C/n bytes per second.
    const left = specs.map((s) => s.bytes);
    const expected: number[] = new Array(specs.length).fill(NaN);
    const active = new Set<number>();
    let t = 0;
    let next = 0;
    while (next < specs.length || active.size > 0) {
      while (next < specs.length && specs[next].at <= t) active.add(next++);
      const share = C / active.size;
      let first = Infinity;
      for (const i of active) first = Math.min(first, left[i] / share);
      const dt = Math.min(first, next < specs.length ? specs[next].at - t : Infinity);
      for (const i of active) left[i] -= share * dt;
      t += dt;
      for (const i of [...active]) {
        if (left[i] <= 1e-6) {
          expected[i] = t;
          active.delete(i);
        }
      }
    }
    specs.forEach((_, i) => expectRelative(finishedAt[i], expected[i], 1e-9, `finish of flow ${i}`));
    expectRelative(net.linkBytes(trunk), specs.reduce((a, s) => a + s.bytes, 0), 1e-12, 'trunk bytes');
    expectRelative(net.linkPeak(trunk), C, 1e-12, 'trunk peak');
    // Every later arrival found the group of the first ten and joined it.
    expect(joins).toBe(arrivals.length);
  });

  it('a join that lowers the rate keeps the peak of the faster past on every link', () => {
    // Ten flows share the trunk (0.1 MB/s each) over ten private links; an eleventh arrives at 1 s and
    // lowers everyone to 1/11 MB/s. The private links' peak stays 0.1 MB/s, the trunk's 1 MB/s.
    const sim = new Simulator();
    const net = new Network(sim);
    const trunk = net.addLink('trunk', 1e6, 0);
    const access = Array.from({ length: 11 }, (_, i) => net.addLink(`c${i}`, 1e9, 0));
    // Sizes differ by a few bytes: ten flows that would all end at one instant form no group (network.ts).
    for (let i = 0; i < 10; i++) net.startFlow([trunk, access[i]], 1e6 + i, () => {});
    sim.call(1, () => net.startFlow([trunk, access[10]], 1e6, () => {}));
    sim.run({ until: 1.5 });
    expect(joins).toBe(1);
    expectRelative(net.linkLoad(access[0]), 1e6 / 11, 1e-12, 'access 0 load after the join');
    expectRelative(net.linkPeak(access[0]), 1e5, 1e-12, 'access 0 peak');
    expectRelative(net.linkPeak(access[10]), 1e6 / 11, 1e-12, 'access 10 peak');
    expectRelative(net.linkPeak(trunk), 1e6, 1e-12, 'trunk peak');
    sim.run();
    expectRelative(net.linkPeak(access[10]), 1e6, 1e-12, 'access 10 peak once it is alone');
  });

  it('joiners that bring in a link with faster traffic re-share it when that link comes to bind', () => {
    // A long flow h runs alone on link L (1 MB/s) and its own 0.3 MB/s link. From 0.1 s ten flows of
    // 1e5 B share a 1 MB/s trunk (a group). At 0.6 s three flows arrive on [trunk, L] and join it (1/13
    // MB/s each). When the ten leave together, L binds the three: max-min gives them and h 0.25 MB/s
    // each, not 7e5/3 for the three next to h's 0.3 MB/s.
    const sim = new Simulator();
    const net = new Network(sim);
    const trunk = net.addLink('trunk', 1e6, 0);
    const L = net.addLink('L', 1e6, 0);
    const M = net.addLink('M', 3e5, 0);
    // The harness also checks every flow against the reference whenever anything changes.
    const harness = new ReferenceHarness(sim, net);
    const flows = harness.live;
    const start = (path: number[], bytes: number): void => harness.start(path, bytes, Infinity, null);
    start([L, M], 1e9);
    sim.call(0.1, () => {
      for (let i = 0; i < 10; i++) start([trunk, net.addLink(`own${i}`, 1e9, 0)], 1e5 + i);
    });
    sim.call(0.6, () => {
      for (let i = 0; i < 3; i++) start([trunk, L], 1e6);
    });
    const seen: number[] = [];
    const check = (): void => {
      const caps = Array.from({ length: net.linkCount }, (_, l) => net.linkCapacity(l));
      const expected = solveMaxMinReference(caps, [...flows.values()]);
      [...flows.keys()].forEach((id, i) => expectRelative(net.flowRate(id), expected[i], 1e-9, `t=${sim.now} rate of flow ${id}`));
      seen.push(flows.size);
    };
    sim.call(0.85, () => sim.call(0, check, LATE));
    // The ten finish at 0.6 + 5e4 B / (1e6/13 B/s) = 1.25 s (within 0.2 ms of each other); look right after.
    sim.call(1.3, () => sim.call(0, check, LATE));
    sim.run({ until: 1.4 });
    expect(joins).toBe(3);
    expect(seen).toEqual([14, 4]);
    const h = [...flows.keys()][0];
    expectRelative(net.flowRate(h), 2.5e5, 1e-12, 'h on L once L binds');
  });

  it('an arrival onto a link whose load sums a hair above capacity is re-solved, not joined at a rate ≤ 0', () => {
    // 9 flows share server S1 (1e9 B/s): their rates sum to 1000000000.0000002, so S1's spare capacity is
    // −2.4e-7. A group of 8 flows runs on server S2; both servers sit behind one huge aggregate link, the
    // only link the arrival shares with the group. It must get 1e9 / 10 on S1 (and S1's flows too).
    const sim = new Simulator();
    const net = new Network(sim);
    const aggregate = net.addLink('aggregate', 1e18, 0);
    const s1 = net.addLink('S1', 1e9, 0);
    const s2 = net.addLink('S2', 1e9, 0);
    const harness = new ReferenceHarness(sim, net);
    const flows = harness.live;
    const start = (path: number[]): void => harness.start(path, 1e12, Infinity, null);
    // One component at t = 0: its top rate (S2's 1.25e8) forms the group, S1's flows stay out at 1.11e8.
    for (let i = 0; i < 9; i++) start([s1, aggregate, net.addLink(`a${i}`, 1e10, 0)]);
    for (let i = 0; i < 8; i++) start([s2, aggregate, net.addLink(`b${i}`, 1e10, 0)]);
    let s1Load = 0;
    sim.call(1, () => {
      s1Load = net.linkLoad(s1);
      start([s1, aggregate, net.addLink('late', 1e10, 0)]);
    });
    sim.run({ until: 1.5 });
    expect(s1Load).toBeGreaterThan(1e9);
    expect(joins).toBe(0);
    const caps = Array.from({ length: net.linkCount }, (_, l) => net.linkCapacity(l));
    const expected = solveMaxMinReference(caps, [...flows.values()]);
    [...flows.keys()].forEach((id, i) => expectRelative(net.flowRate(id), expected[i], 1e-9, `rate of flow ${id}`));
    expectRelative(expected[17], 1e9 / 10, 1e-12, 'the late flow');
  });
});

/**
 * Rack-like topologies: a few trunks (an origin's NIC, zone links) and a small pool of shared access links
 * (rack downlinks, node NICs), so arrivals land on links the group already holds, on idle links and on
 * links with other traffic; some flows are capped, a few are aborted, a trunk may change capacity.
 */
const magnitude = (lo: number, hi: number): fc.Arbitrary<number> =>
  fc.double({ min: lo, max: hi, noNaN: true }).map((e) => 10 ** e);

const rackLike = fc.record({ trunks: fc.integer({ min: 1, max: 3 }), pool: fc.integer({ min: 1, max: 8 }) }).chain(({ trunks, pool }) =>
  fc.record({
    trunkCapacity: fc.array(magnitude(6, 9), { minLength: trunks, maxLength: trunks }),
    accessCapacity: fc.array(fc.oneof({ weight: 6, arbitrary: magnitude(8, 10) }, { weight: 1, arbitrary: magnitude(5, 7) }), {
      minLength: pool,
      maxLength: pool,
    }),
    initial: fc.integer({ min: 8, max: 16 }),
    flows: fc.array(
      fc.record({
        gap: fc.oneof(fc.constant(0), magnitude(-5, -1)),
        trunks: fc.subarray(Array.from({ length: trunks }, (_, l) => l), { minLength: 1 }),
        access: fc.subarray(Array.from({ length: pool }, (_, l) => l), { maxLength: Math.min(2, pool) }),
        ownLink: fc.boolean(),
        bytes: fc.oneof(fc.constant(1e8), magnitude(6, 9)),
        cap: fc.oneof(
          { weight: 12, arbitrary: fc.constant(Infinity) },
          { weight: 1, arbitrary: magnitude(4, 8) },
          { weight: 1, arbitrary: fc.constant(2e5) },
        ),
        abortAfter: fc.option(magnitude(-3, 0.5), { freq: 10 }),
      }),
      { minLength: 20, maxLength: 70 },
    ),
    capacityChange: fc.option(fc.record({ at: fc.double({ min: 0, max: 5, noNaN: true }), trunk: fc.nat(), capacity: magnitude(6, 9) }), { freq: 4 }),
  }),
);

describe('arrivals into share groups match the reference solver', () => {
  it('rates after every event, link loads, peaks and bytes equal the reference on rack-like topologies', () => {
    let runsWithJoins = 0;
    fc.assert(
      fc.property(rackLike, ({ trunkCapacity, accessCapacity, initial, flows, capacityChange }) => {
        const sim = new Simulator();
        const net = new Network(sim);
        const trunks = trunkCapacity.map((c, i) => net.addLink(`trunk${i}`, c, 0));
        const access = accessCapacity.map((c, i) => net.addLink(`access${i}`, c, 0));
        const h = new ReferenceHarness(sim, net);
        let start = 0;
        flows.forEach((f, k) => {
          if (k >= initial) start += f.gap; // the first `initial` flows start together: a group forms
          sim.call(start, () => {
            const path = [...f.trunks.map((t) => trunks[t]), ...f.access.map((a) => access[a])];
            if (f.ownLink) path.push(net.addLink(`own${k}`, 1e9, 0));
            h.start(path, f.bytes, f.cap, f.abortAfter);
          });
        });
        if (capacityChange) h.setCapacityAt(capacityChange.at, trunks[capacityChange.trunk % trunks.length], capacityChange.capacity);
        const joinsBefore = joins;
        sim.run();
        if (joins > joinsBefore) runsWithJoins++;
        const linkBytes = h.carriedWhenIdle();
        // The network samples loads at its solves, the reference at every event: the same instants.
        for (let l = 0; l < net.linkCount; l++) expectRelative(net.linkPeak(l) + 1, (h.peak[l] ?? 0) + 1, 1e-9, `peak of link ${l}`);
        const scale = flows.reduce((sum, f) => sum + f.bytes * (f.trunks.length + f.access.length + 1), 0);
        expect(Math.abs(linkBytes - h.expectedBytes)).toBeLessThanOrEqual(1e-9 * scale);
      }),
      { numRuns: RUNS },
    );
    // The property is about joins: a good share of the generated runs must have exercised them. The
    // generator gives 56–57 % (three times 1,000 runs), so at 200 runs a bar of one half failed about one
    // run in 30 by chance (93 of 200 once); 40 % is 4.7 standard deviations below the mean.
    expect(runsWithJoins).toBeGreaterThan(RUNS * 0.4);
  });
});
