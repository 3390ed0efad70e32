import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LATE, Simulator } from '../src/kernel/index.ts';
import { Network } from '../src/network/index.ts';
import { expectRelative, ReferenceHarness } from './network-reference-harness.ts';

const RUNS = Number(process.env.PULLSIM_PROPERTY_RUNS ?? 200);


describe('registry fan-out with distinct sizes (issue 6)', () => {
  it('finishes at the closed form with zero latency, N = 2,000, and accounts every byte', () => {
    const sim = new Simulator();
    const net = new Network(sim);
    const N = 2000;
    const C = 10e9 / 8;
    const client = 1e9 / 8;
    const registry = net.addLink('registry:nic-up', C, 0);
    const backbone = net.addLink('backbone', C, 0);
    const finishedAt = new Float64Array(N).fill(NaN);
    const sizes = Array.from({ length: N }, (_, i) => (100e6 * (i + 1)) / N);
    const nics = sizes.map((_, i) => net.addLink(`client${i}:nic`, client, 0));
    sizes.forEach((s, i) => net.startFlow([registry, backbone, nics[i]], s, () => (finishedAt[i] = sim.now)));
    sim.run({ until: 1 });
    // Mid-run, read through the group's virtual clock: the shared links are full and carried C bytes/s.
    expectRelative(net.linkLoad(backbone), C, 1e-12, 'backbone load');
    expectRelative(net.linkBytes(registry), net.linkBytes(backbone), 1e-12, 'registry vs backbone bytes');
    expectRelative(net.linkBytes(backbone), C * 1, 1e-9, 'backbone bytes after 1 s at capacity');
    sim.run();

    // t_j = t_{j−1} + (s_j − s_{j−1}) / min(client, C / (N − j + 1)), sizes already sorted.
    let t = 0;
    let prev = 0;
    for (let j = 1; j <= N; j++) {
      t += (sizes[j - 1] - prev) / Math.min(client, C / (N - j + 1));
      prev = sizes[j - 1];
      expectRelative(finishedAt[j - 1], t, 1e-9, `finish of flow ${j - 1}`);
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    expectRelative(net.linkBytes(backbone), total, 1e-12, 'backbone bytes');
    for (let i = 0; i < N; i += 97) expectRelative(net.linkBytes(nics[i]), sizes[i], 1e-12, `client ${i} bytes`);
    expect(net.linkPeak(backbone)).toBeLessThanOrEqual(C * (1 + 1e-12));
    expect(net.linkPeak(backbone)).toBeGreaterThanOrEqual(C * (1 - 1e-12));
    // The last client alone gets its whole NIC; the first never more than C/N.
    expectRelative(net.linkPeak(nics[N - 1]), client, 1e-12, 'last client peak');
    expectRelative(net.linkPeak(nics[0]), C / N, 1e-12, 'first client peak');
    expect(net.activeFlows).toBe(0);
  });

  it('aborting one of N equal sharers re-shares the rest from that instant', () => {
    const sim = new Simulator();
    const net = new Network(sim);
    const link = net.addLink('l', 1e6, 0);
    const N = 10;
    const ids: number[] = [];
    const finishedAt = new Map<number, number>();
    for (let i = 0; i < N; i++) ids.push(net.startFlow([link, net.addLink(`c${i}`, 1e9, 0)], 1e6 * (i + 1), (id) => finishedAt.set(id, sim.now)));
    // First finish at N·1e6/1e6 = 10 s; then 9 flows share, flow 1 needs 1e6 more: 9 s later, at 19 s.
    let delivered = -1;
    sim.call(12, () => (delivered = net.abortFlow(ids[5])));
    sim.run({ until: 12 });
    expect(finishedAt.get(ids[0])).toBe(10);
    sim.run();
    // At 12 s flow 5 had 1e6 + 2·1e6/9 bytes. The 8 others then share; flow 1 has 1e6 − 2e6/9 left.
    expectRelative(delivered, 1e6 + 2e6 / 9, 1e-12, 'aborted flow delivered');
    expectRelative(finishedAt.get(ids[1]) ?? NaN, 12 + (8 * (1e6 - 2e6 / 9)) / 1e6, 1e-12, 'flow 1 finish');
    expect(net.activeFlows).toBe(0);
  });

  it('flows held by equal caps on a shared link each finish at size / cap, whatever leaves', () => {
    const sim = new Simulator();
    const net = new Network(sim);
    const trunk = net.addLink('trunk', 1e9, 0);
    const cap = 2e5;
    const N = 40;
    const ids: number[] = [];
    const finishedAt = new Map<number, number>();
    for (let i = 0; i < N; i++) {
      ids.push(net.startFlow([trunk, net.addLink(`c${i}`, 1e8, 0)], 1e5 * (i + 1), (id) => {
        finishedAt.set(id, sim.now);
        // Every flow still running keeps its cap; the trunk carries exactly those.
        sim.call(0, () => {
          for (const other of ids) if (!finishedAt.has(other)) expect(net.flowRate(other)).toBe(cap);
          expectRelative(net.linkLoad(trunk) + 1, (N - finishedAt.size) * cap + 1, 1e-12, 'trunk load');
        }, LATE);
      }, cap));
    }
    sim.run();
    ids.forEach((id, i) => expectRelative(finishedAt.get(id) ?? NaN, (1e5 * (i + 1)) / cap, 1e-12, `flow ${i}`));
    expectRelative(net.linkBytes(trunk), (1e5 * N * (N + 1)) / 2, 1e-12, 'trunk bytes');
    expect(net.linkPeak(trunk)).toBe(N * cap);
  });
});

/**
 * Fan-out-shaped topologies (a few shared trunks, one access link per flow) are where share groups form;
 * rates are compared with the reference after every completion, arrival batch, abort and capacity change.
 */
const magnitude = (lo: number, hi: number): fc.Arbitrary<number> =>
  fc.double({ min: lo, max: hi, noNaN: true }).map((e) => 10 ** e);

const fanOut = fc.integer({ min: 1, max: 3 }).chain((trunks) =>
  fc.record({
    trunkCapacity: fc.array(magnitude(6, 9), { minLength: trunks, maxLength: trunks }),
    flows: fc.array(
      fc.record({
        start: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 5, noNaN: true })),
        trunks: fc.subarray(Array.from({ length: trunks }, (_, l) => l), { minLength: 1 }),
        access: fc.oneof({ weight: 3, arbitrary: magnitude(7, 9) }, { weight: 1, arbitrary: magnitude(4, 6) }),
        bytes: fc.oneof(fc.constant(1e6), magnitude(5, 8)),
        cap: fc.oneof(
          { weight: 4, arbitrary: fc.constant(Infinity) },
          { weight: 1, arbitrary: magnitude(5, 8) },
          { weight: 2, arbitrary: fc.constant(2e5) }, // equal caps: a group held by its cap
        ),
        abortAfter: fc.option(fc.double({ min: 0, max: 5, noNaN: true }), { freq: 6 }),
      }),
      { minLength: 8, maxLength: 60 },
    ),
    capacityChange: fc.option(fc.record({ at: fc.double({ min: 0, max: 5, noNaN: true }), trunk: fc.nat(), capacity: magnitude(6, 9) })),
  }),
);

describe('share groups match the reference solver', () => {
  it('rates equal the reference after every event on fan-out topologies; bytes are conserved', () => {
    fc.assert(
      fc.property(fanOut, ({ trunkCapacity, flows, capacityChange }) => {
        const sim = new Simulator();
        const net = new Network(sim);
        const trunks = trunkCapacity.map((c, i) => net.addLink(`trunk${i}`, c, 0));
        const h = new ReferenceHarness(sim, net);
        for (const f of flows) {
          sim.call(f.start, () => h.start([...f.trunks.map((t) => trunks[t]), net.addLink('access', f.access, 0)], f.bytes, f.cap, f.abortAfter));
        }
        if (capacityChange) h.setCapacityAt(capacityChange.at, trunks[capacityChange.trunk % trunks.length], capacityChange.capacity);
        sim.run();
        const linkBytes = h.carriedWhenIdle();
        for (let l = 0; l < net.linkCount; l++) {
          const highest = Math.max(net.linkCapacity(l), l < trunks.length ? trunkCapacity[l] : 0);
          expect(net.linkPeak(l)).toBeLessThanOrEqual(highest * (1 + 1e-9));
        }
        // Rounding scale: a delivered count is exact to within an ulp of its flow's size.
        const scale = flows.reduce((sum, f) => sum + f.bytes * (f.trunks.length + 1), 0);
        expect(Math.abs(linkBytes - h.expectedBytes)).toBeLessThanOrEqual(1e-9 * scale);
      }),
      { numRuns: RUNS },
    );
  });
});
