/**
 * Hosts with an up-limit and a down-limit link in front of their NICs, racks behind an uplink and a
 * downlink, and a registry; flows host → host through both limits, and registry pulls past them. Caps are
 * continuous, so near ties (caps, limits and fill levels a hair apart) come up: the network's answers must
 * stay the exact max-min ones — every flow's rate and every link's load after each change, and the bytes —
 * against the reference solver.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulator } from '../src/kernel/index.ts';
import { Network } from '../src/network/index.ts';
import { expectRelative, ReferenceHarness } from './network-reference-harness.ts';

const RUNS = Number(process.env.PULLSIM_PROPERTY_RUNS ?? 150);

const magnitude = (lo: number, hi: number): fc.Arbitrary<number> => fc.double({ min: lo, max: hi, noNaN: true }).map((e) => 10 ** e);

const cluster = fc.record({ hosts: fc.integer({ min: 2, max: 7 }), racks: fc.integer({ min: 1, max: 3 }) }).chain(({ hosts, racks }) =>
  fc.record({
    hosts: fc.constant(hosts),
    rackOf: fc.array(fc.nat(racks - 1), { minLength: hosts, maxLength: hosts }),
    upLimit: fc.array(magnitude(5, 7), { minLength: hosts, maxLength: hosts }),
    downLimit: fc.array(magnitude(5, 7), { minLength: hosts, maxLength: hosts }),
    /** NIC ÷ limit. */
    nicFactor: fc.array(fc.double({ min: 0.5, max: 4, noNaN: true }), { minLength: hosts, maxLength: hosts }),
    /** Rack link ÷ the sum of its hosts' limits. */
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

describe('hosts behind up and down limits', () => {
  it('get the exact max-min rates and loads after every change, and every byte is carried', () => {
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

        const harness = new ReferenceHarness(sim, net);
        let t = 0;
        c.flows.forEach((f, i) => {
          t += f.gap;
          const d = f.to;
          const rd = rackDown[c.rackOf[d]];
          const isRegistry = i / c.flows.length < c.registryShare;
          const path = isRegistry
            ? [registry, rd, nicDown[d]]
            : f.from === d || c.rackOf[f.from] === c.rackOf[d]
              ? [up[f.from], nicUp[f.from], nicDown[d], down[d]]
              : [up[f.from], nicUp[f.from], rackUp[c.rackOf[f.from]], rd, nicDown[d], down[d]];
          sim.call(t, () => harness.start(path, f.bytes, f.cap, f.abortAfter));
        });
        if (c.growLimit) {
          const g = c.growLimit;
          harness.setCapacityAt(g.at, up[g.host], c.upLimit[g.host] * c.nicFactor[g.host] * (1 + g.factor));
        }
        sim.run();
        expect(net.conservationProblem()).toBeUndefined();
        expectRelative(harness.carriedWhenIdle(), harness.expectedBytes, 1e-9, 'bytes carried by all links');
      }),
      { numRuns: RUNS, seed: 20261201 },
    );
  });
});
