/**
 * Covered links (Network.declareCovered): a link whose covers' capacities sum to at most its own cannot
 * fill with the flows that cross a cover, so those flows are left out of its sharing. The answers must
 * stay the exact max-min ones — every flow's rate and every link's load after each change, and the bytes
 * — against the reference solver, which sees every link of every path; also while flows that cross no
 * cover make the link share again (limitAgain), when a cover's capacity grows past the link's (the cover
 * is dropped), and for flows still waiting out their latency when that happens.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Simulator } from '../src/kernel/index.ts';
import { Network, solveMaxMinReference } from '../src/network/index.ts';
import { expectRelative, ReferenceHarness } from './network-reference-harness.ts';

const RUNS = Number(process.env.PULLSIM_PROPERTY_RUNS ?? 150);

/** Calls of limitAgain (a covered link sharing again) and addShadow (a flow left out of a link's sharing). */
let limits = 0;
let shadows = 0;
beforeEach(() => {
  limits = 0;
  shadows = 0;
  const proto = Network.prototype as unknown as { limitAgain: (...args: unknown[]) => void; addShadow: (...args: unknown[]) => void };
  const limitAgain = proto.limitAgain;
  vi.spyOn(proto, 'limitAgain').mockImplementation(function (this: unknown, ...args: unknown[]) {
    limits++;
    limitAgain.apply(this, args);
  });
  const addShadow = proto.addShadow;
  vi.spyOn(proto, 'addShadow').mockImplementation(function (this: unknown, ...args: unknown[]) {
    shadows++;
    addShadow.apply(this, args);
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

const magnitude = (lo: number, hi: number): fc.Arbitrary<number> => fc.double({ min: lo, max: hi, noNaN: true }).map((e) => 10 ** e);

/**
 * A P2P-like cluster: hosts with an up-limit and a down-limit link in front of their NICs, racks of
 * hosts behind an uplink and a downlink, and a registry. Pieces go host → host through both limits;
 * registry pulls reach a host's NIC without its down-limit (they cross no cover of it).
 */
const cluster = fc.record({ hosts: fc.integer({ min: 2, max: 7 }), racks: fc.integer({ min: 1, max: 3 }) }).chain(({ hosts, racks }) =>
  fc.record({
    hosts: fc.constant(hosts),
    rackOf: fc.array(fc.nat(racks - 1), { minLength: hosts, maxLength: hosts }),
    upLimit: fc.array(magnitude(5, 7), { minLength: hosts, maxLength: hosts }),
    downLimit: fc.array(magnitude(5, 7), { minLength: hosts, maxLength: hosts }),
    /** NIC ÷ limit: below 1 the NIC cannot be covered. */
    nicFactor: fc.array(fc.double({ min: 0.5, max: 4, noNaN: true }), { minLength: hosts, maxLength: hosts }),
    /** Rack link ÷ the sum of its hosts' limits: below 1 it cannot be covered. */
    rackFactor: fc.array(fc.double({ min: 0.3, max: 3, noNaN: true }), { minLength: 2 * racks, maxLength: 2 * racks }),
    registryCapacity: magnitude(6, 8),
    flows: fc.array(
      fc.record({
        gap: fc.oneof(fc.constant(0), magnitude(-4, -0.5)),
        from: fc.nat(hosts - 1),
        to: fc.nat(hosts - 1),
        bytes: fc.oneof(fc.constant(1e6), magnitude(4, 7)),
        cap: fc.oneof({ weight: 8, arbitrary: fc.constant(Infinity) }, { weight: 1, arbitrary: magnitude(4, 7) }),
        abortAfter: fc.option(magnitude(-3, 0.5), { freq: 8 }),
      }),
      { minLength: 10, maxLength: 50 },
    ),
    registryShare: fc.double({ min: 0, max: 0.4, noNaN: true }),
    growLimit: fc.option(fc.record({ at: fc.double({ min: 0, max: 3, noNaN: true }), host: fc.nat(hosts - 1), factor: magnitude(0.3, 1.5) }), { freq: 3 }),
  }),
);

describe('covered links', () => {
  it('leave the flows through a cover out of their sharing, with the exact max-min answers throughout', () => {
    let declaredRuns = 0;
    let shadowRuns = 0;
    fc.assert(
      fc.property(cluster, (c) => {
        const sim = new Simulator();
        const net = new Network(sim);
        const up = c.upLimit.map((b, h) => net.addLink(`h${h}:up-limit`, b, 0));
        const down = c.downLimit.map((b, h) => net.addLink(`h${h}:down-limit`, b, 0));
        const nicUp = c.upLimit.map((b, h) => net.addLink(`h${h}:nic-up`, b * c.nicFactor[h], 0));
        const nicDown = c.downLimit.map((b, h) => net.addLink(`h${h}:nic-down`, b * c.nicFactor[h], 0));
        const racks = c.rackFactor.length / 2;
        const rackUp: number[] = [];
        const rackDown: number[] = [];
        for (let r = 0; r < racks; r++) {
          const members = c.rackOf.flatMap((rr, h) => (rr === r ? [h] : []));
          const sumUp = members.reduce((a, h) => a + c.upLimit[h], 0) || 1e6;
          const sumDown = members.reduce((a, h) => a + c.downLimit[h], 0) || 1e6;
          rackUp.push(net.addLink(`rack${r}:up`, sumUp * c.rackFactor[2 * r], 0));
          rackDown.push(net.addLink(`rack${r}:down`, sumDown * c.rackFactor[2 * r + 1], 0));
        }
        const registry = net.addLink('registry', c.registryCapacity, 0);
        // Covers whose capacities fit in the link (nicFactor, rackFactor ≥ 1) and ones that do not, so the
        // bound of the covers in use decides.
        for (let h = 0; h < c.hosts; h++) {
          expect(net.declareCovered(nicUp[h], [up[h]])).toBe(true);
          expect(net.declareCovered(nicDown[h], [down[h]])).toBe(true);
        }
        for (let r = 0; r < racks; r++) {
          const members = c.rackOf.flatMap((rr, h) => (rr === r ? [h] : []));
          if (members.length === 0) continue;
          expect(net.declareCovered(rackUp[r], members.map((h) => up[h]))).toBe(true);
          expect(net.declareCovered(rackDown[r], members.map((h) => down[h]))).toBe(true);
        }
        declaredRuns++;

        const harness = new ReferenceHarness(sim, net);
        let t = 0;
        c.flows.forEach((f, i) => {
          t += f.gap;
          const d = f.to;
          const rd = rackDown[c.rackOf[d]];
          const isRegistry = i / c.flows.length < c.registryShare;
          const path = isRegistry
            ? [registry, rd, nicDown[d]]
            : f.from === d
              ? [up[f.from], nicUp[f.from], nicDown[d], down[d]]
              : c.rackOf[f.from] === c.rackOf[d]
                ? [up[f.from], nicUp[f.from], nicDown[d], down[d]]
                : [up[f.from], nicUp[f.from], rackUp[c.rackOf[f.from]], rd, nicDown[d], down[d]];
          sim.call(t, () => harness.start(path, f.bytes, f.cap, f.abortAfter));
        });
        if (c.growLimit) {
          const g = c.growLimit;
          // A cover that grows past its NIC: the NIC shares again if flows use that cover.
          harness.setCapacityAt(g.at, up[g.host], c.upLimit[g.host] * c.nicFactor[g.host] * (1 + g.factor));
        }
        const shadowsBefore = shadows;
        sim.run();
        if (shadows > shadowsBefore) shadowRuns++;
        expect(net.conservationProblem()).toBeUndefined();
        expectRelative(harness.carriedWhenIdle(), harness.expectedBytes, 1e-9, 'bytes carried by all links');
      }),
      { numRuns: RUNS, seed: 20261201 },
    );
    // The runs did exercise flows left out and links sharing again.
    expect(declaredRuns).toBe(RUNS);
    expect(shadowRuns).toBeGreaterThan(RUNS / 3);
    expect(limits).toBeGreaterThan(0);
  });

  it('a flow still waiting out its latency when its covered link shares again joins it with the right rate', () => {
    // Host link `limit` (1 MB/s) covers `nic` (4 MB/s). Piece p starts at 0 with 10 ms of latency; at
    // 5 ms a registry flow r (no cover) reaches the NIC, so the NIC shares again while p is still latent.
    // Max-min: r alone on the NIC gets 4 MB/s until p joins; then p 1 MB/s (its limit), r 3 MB/s.
    const sim = new Simulator();
    const net = new Network(sim);
    const limit = net.addLink('limit', 1e6, 0.01);
    const nic = net.addLink('nic', 4e6, 0);
    const registry = net.addLink('registry', 1e9, 0);
    expect(net.declareCovered(nic, [limit])).toBe(true);
    const p = net.startFlow([limit, nic], 1e7, () => {});
    let r = -1;
    sim.call(0.005, () => (r = net.startFlow([registry, nic], 1e8, () => {})));
    sim.run({ until: 0.007 });
    expect(limits).toBe(1);
    expect(net.flowRate(p)).toBe(0);
    expect(net.flowRate(r)).toBe(4e6);
    sim.run({ until: 0.02 });
    expect(net.flowRate(p)).toBe(1e6);
    expect(net.flowRate(r)).toBe(3e6);
    expect(net.linkLoad(nic)).toBe(4e6);
    const caps = [1e6, 4e6, 1e9];
    expect([...solveMaxMinReference(caps, [{ path: [limit, nic], cap: Infinity }, { path: [registry, nic], cap: Infinity }])]).toEqual([1e6, 3e6]);
  });

  it('are declared once, not on covers, and before any flow crossed the link', () => {
    const sim = new Simulator();
    const net = new Network(sim);
    const a = net.addLink('a', 1e6, 0);
    const b = net.addLink('b', 2e6, 0);
    const nic = net.addLink('nic', 2.5e6, 0);
    const used = net.addLink('used', 1e9, 0);
    expect(net.declareCovered(nic, [a, a])).toBe(false); // a cover listed twice
    expect(net.declareCovered(nic, [a, b])).toBe(true); // 3 MB/s of covers on 2.5 MB/s: the bound in use decides
    expect(net.declareCovered(nic, [b])).toBe(false); // declared once
    expect(net.declareCovered(a, [b])).toBe(false); // a cover is not covered itself
    expect(net.declareCovered(b, [nic])).toBe(false); // nor is a covered link a cover
    net.startFlow([used], 1, () => {});
    expect(net.declareCovered(used, [a])).toBe(false);
    expect(net.declareCovered(b, [])).toBe(false);
  });

  it('share again while the limits in use outgrow the link, and leave flows out while they fit', () => {
    // Covers a (1 MB/s) and b (2 MB/s) of a 2.5 MB/s NIC. A flow through a alone: bound 1 MB/s, left out.
    // A second through b: bound 3 MB/s > 2.5, so the NIC shares: max-min gives the two 1 MB/s (a's limit)
    // and 1.5 MB/s (the NIC's rest), not 1 and 2. Once both are done, a flow through b alone is left out.
    const sim = new Simulator();
    const net = new Network(sim);
    const a = net.addLink('a', 1e6, 0);
    const b = net.addLink('b', 2e6, 0);
    const nic = net.addLink('nic', 2.5e6, 0);
    expect(net.declareCovered(nic, [a, b])).toBe(true);
    const fa = net.startFlow([a, nic], 1e6, () => {});
    expect(shadows).toBe(1);
    const fb = net.startFlow([b, nic], 1e6, () => {});
    expect(limits).toBe(1);
    sim.run({ until: 0.5 });
    expect(net.flowRate(fa)).toBe(1e6);
    expect(net.flowRate(fb)).toBe(1.5e6);
    expect(net.linkLoad(nic)).toBe(2.5e6);
    sim.run();
    const fc2 = net.startFlow([b, nic], 1e6, () => {});
    expect(shadows).toBe(2);
    sim.run({ until: sim.now + 0.1 });
    expect(net.flowRate(fc2)).toBe(2e6);
    sim.run();
    expect(net.conservationProblem()).toBeUndefined();
    expect(net.linkBytes(nic)).toBe(3e6);
  });

  it('leave flows out when the covers in use can just fill the link, and share once they can overfill it', () => {
    // Covers a and b (1 MB/s each) of a 1 MB/s NIC: one in use can at most fill it (bound = capacity), so
    // its flow is left out; both in use could carry 2 MB/s, so the NIC shares: 0.5 MB/s each.
    const sim = new Simulator();
    const net = new Network(sim);
    const a = net.addLink('a', 1e6, 0);
    const b = net.addLink('b', 1e6, 0);
    const nic = net.addLink('nic', 1e6, 0);
    expect(net.declareCovered(nic, [a, b])).toBe(true);
    const fa = net.startFlow([a, nic], 1e6, () => {});
    expect(shadows).toBe(1);
    expect(limits).toBe(0);
    sim.run({ until: 0.5 });
    expect(net.flowRate(fa)).toBe(1e6);
    expect(net.linkLoad(nic)).toBe(1e6);
    const fb = net.startFlow([b, nic], 1e6, () => {});
    expect(limits).toBe(1);
    sim.run({ until: 0.6 });
    expect(net.flowRate(fa)).toBe(0.5e6);
    expect(net.flowRate(fb)).toBe(0.5e6);
    sim.run();
    // fa: 0.5 MB by 0.5 s, then 0.5 MB/s for 1 s; fb then alone at 1 MB/s for its last 0.5 MB.
    expect(sim.now).toBe(2);
    expect(net.conservationProblem()).toBeUndefined();
    expect(net.linkBytes(nic)).toBe(2e6);
  });
});
