import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulator } from '../src/kernel/index.ts';
import { Network } from '../src/network/index.ts';

fc.configureGlobal({ seed: Number(process.env.PULLSIM_FUZZ_SEED ?? 20261201) });

describe('network conservation (checked at the end of every run)', () => {
  it('holds for random flows on shared links, some aborted midway', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ a: fc.nat({ max: 3 }), b: fc.nat({ max: 3 }), size: fc.integer({ min: 1, max: 5e7 }), at: fc.double({ min: 0, max: 2, noNaN: true }), abortAfter: fc.option(fc.double({ min: 0.001, max: 1, noNaN: true })) }), { minLength: 1, maxLength: 40 }),
        (specs) => {
          const sim = new Simulator();
          const net = new Network(sim);
          const links = [1e8, 2e8, 5e7, 1.25e8].map((c, i) => net.addLink(`l${i}`, c, 0.001 * i));
          for (const s of specs) {
            sim.call(s.at, () => {
              let done = false;
              const id = net.startFlow(s.a === s.b ? [links[s.a]] : [links[s.a], links[s.b]], s.size, () => (done = true));
              if (s.abortAfter !== null) sim.call(s.abortAfter, () => { if (!done) net.abortFlow(id); });
            });
          }
          sim.run();
          expect(net.activeFlows).toBe(0);
          expect(net.conservationProblem()).toBeUndefined();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('names the link when its carried bytes and its flows disagree', () => {
    const sim = new Simulator();
    const net = new Network(sim);
    const l = net.addLink('registry:egress', 1e8, 0);
    net.startFlow([l], 1e6, () => {});
    sim.run();
    // Tamper with the per-flow count as a bookkeeping bug would.
    (net as unknown as { delivered: Float64Array }).delivered[l] -= 1000;
    expect(net.conservationProblem()).toBe('link registry:egress carried 1000000 bytes but its flows delivered 999000');
  });
});
