import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Simulator } from '../src/kernel/index.ts';
import { MaxMinSolver, Network, solveMaxMin, solveMaxMinReference } from '../src/network/index.ts';
import { runBatches } from './network-reference-harness.ts';

const RUNS = Number(process.env.PULLSIM_PROPERTY_RUNS ?? 200);

/** Magnitudes spread over many orders: 10^lo .. 10^hi. */
const magnitude = (lo: number, hi: number): fc.Arbitrary<number> =>
  fc.double({ min: lo, max: hi, noNaN: true }).map((e) => 10 ** e);

/** Link capacities in B/s from 1 kB/s to 100 GB/s, occasionally a link that is down (0). */
const capacity = fc.oneof({ weight: 12, arbitrary: magnitude(3, 11) }, { weight: 1, arbitrary: fc.constant(0) });
const flowCap = fc.oneof(fc.constant(Infinity), magnitude(2, 11));

interface FlowSpec {
  path: number[];
  bytes: number;
  cap: number;
}

const flowSpec = (links: number, withEmptyPaths: boolean): fc.Arbitrary<FlowSpec> =>
  fc.record({
    path: fc.shuffledSubarray(
      Array.from({ length: links }, (_, l) => l),
      { minLength: withEmptyPaths ? 0 : 1 },
    ),
    bytes: magnitude(3, 10),
    cap: flowCap,
  });

interface Batch {
  dt: number;
  arrivals: FlowSpec[];
  aborts: number[];
  capacityChange: { link: number; capacity: number } | null;
}

const scenario = fc.integer({ min: 1, max: 12 }).chain((links) =>
  fc.record({
    capacities: fc.array(capacity, { minLength: links, maxLength: links }),
    bandwidthFactor: fc.constantFrom(1, 0.97 / 1.05),
    batches: fc.array(
      fc.record({
        dt: fc.double({ min: 1e-3, max: 100, noNaN: true }),
        arrivals: fc.array(flowSpec(links, true), { minLength: 1, maxLength: 6 }),
        aborts: fc.array(fc.nat(), { maxLength: 3 }),
        capacityChange: fc.option(fc.record({ link: fc.nat({ max: links - 1 }), capacity })),
      }) satisfies fc.Arbitrary<Batch>,
      { minLength: 1, maxLength: 12 },
    ),
  }),
);

function expectRatesMatch(actual: ArrayLike<number>, expected: ArrayLike<number>, context: () => string): void {
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= 1e-9 * Math.abs(expected[i]) || actual[i] === expected[i])) {
      throw new Error(`flow ${i}: rate ${actual[i]}, reference ${expected[i]}\n${context()}`);
    }
  }
}

describe('fast max-min solver matches the reference', () => {
  it('Network rates after every batch of arrivals, departures and capacity changes equal the reference', () => {
    const solve = vi.spyOn(MaxMinSolver.prototype, 'solve');
    fc.assert(
      fc.property(scenario, ({ capacities, bandwidthFactor, batches }) => {
        const sim = new Simulator();
        const net = new Network(sim, { bandwidthFactor });
        runBatches(
          sim,
          net,
          capacities,
          batches,
          (a, onDone) => [net.startFlow(a.path, a.bytes, onDone, a.cap), { path: a.path, cap: a.cap }],
          // After each timestamp's re-share (LATE, requested by the batch's first change).
          (live, links) => {
            const flows = [...live.values()];
            const effective = links.map((l) => net.linkCapacity(l) * bandwidthFactor);
            const expected = solveMaxMinReference(effective, flows);
            const actual = [...live.keys()].map((id) => net.flowRate(id));
            expectRatesMatch(actual, expected, () => JSON.stringify({ t: sim.now, effective, flows }));
            expect(net.activeFlows).toBe(live.size);
          },
        );
      }),
      { numRuns: RUNS },
    );
    // The batches reach open solves (slower flows held at their rates), not only whole components.
    expect(solve.mock.calls.filter((call) => call[6] === true).length).toBeGreaterThan(RUNS / 10);
    solve.mockRestore();
  });

  it('solveMaxMin equals solveMaxMinReference on random standalone problems', () => {
    const problem = fc.integer({ min: 1, max: 12 }).chain((links) =>
      fc.record({
        capacities: fc.array(capacity, { minLength: links, maxLength: links }),
        flows: fc.array(flowSpec(links, true), { maxLength: 60 }),
      }),
    );
    fc.assert(
      fc.property(problem, ({ capacities, flows }) => {
        expectRatesMatch(solveMaxMin(capacities, flows), solveMaxMinReference(capacities, flows), () =>
          JSON.stringify({ capacities, flows }),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('the reference allocation is max-min fair: every flow is at its cap or has a full link where it is largest', () => {
    const problem = fc.integer({ min: 1, max: 8 }).chain((links) =>
      fc.record({
        capacities: fc.array(magnitude(3, 11), { minLength: links, maxLength: links }),
        flows: fc.array(flowSpec(links, false), { minLength: 1, maxLength: 30 }),
      }),
    );
    fc.assert(
      fc.property(problem, ({ capacities, flows }) => {
        const rate = solveMaxMinReference(capacities, flows);
        const load = new Float64Array(capacities.length);
        flows.forEach((f, i) => f.path.forEach((l) => (load[l] += rate[i])));
        capacities.forEach((c, l) => expect(load[l]).toBeLessThanOrEqual(c * (1 + 1e-9)));
        flows.forEach((f, i) => {
          const atCap = rate[i] >= f.cap * (1 - 1e-9);
          const bottleneck = f.path.some(
            (l) =>
              load[l] >= capacities[l] * (1 - 1e-9) &&
              flows.every((g, j) => !g.path.includes(l) || rate[j] <= rate[i] * (1 + 1e-9)),
          );
          expect(atCap || bottleneck).toBe(true);
        });
      }),
      { numRuns: RUNS },
    );
  });
});

describe('network conserves bytes', () => {
  const run = fc.integer({ min: 1, max: 12 }).chain((links) =>
    fc.record({
      links: fc.array(
        fc.record({ capacity: magnitude(3, 11), latency: fc.oneof(fc.constant(0), magnitude(-5, -1)) }),
        { minLength: links, maxLength: links },
      ),
      tcpWindowBytes: fc.constantFrom(null, 4194304),
      flows: fc.array(
        fc.record({ start: fc.double({ min: 0, max: 10, noNaN: true }), abortAfter: fc.option(fc.double({ min: 0, max: 5, noNaN: true })), spec: flowSpec(links, true) }),
        { minLength: 1, maxLength: 40 },
      ),
    }),
  );

  it('every completed flow delivered exactly its bytes; Σ link bytes = Σ flow bytes × path length', () => {
    fc.assert(
      fc.property(run, ({ links, tcpWindowBytes, flows }) => {
        const sim = new Simulator();
        const net = new Network(sim, { tcpWindowBytes, latencyFactor: 13.01, bandwidthFactor: 0.97 / 1.05 });
        const ids = links.map((l, i) => net.addLink(`l${i}`, l.capacity, l.latency));
        let expectedLinkBytes = 0;
        let completed = 0;
        let aborted = 0;
        for (const { start, abortAfter, spec } of flows) {
          sim.call(start, () => {
            let running = true;
            const id = net.startFlow(spec.path, spec.bytes, (done) => {
              expect(done).toBe(id);
              expect(running).toBe(true);
              expect(net.flowRemaining(done)).toBe(0);
              running = false;
              completed++;
              expectedLinkBytes += spec.bytes * spec.path.length;
            }, spec.cap);
            if (abortAfter !== null) {
              sim.call(abortAfter, () => {
                if (!running) return;
                running = false;
                aborted++;
                const delivered = net.abortFlow(id);
                expect(delivered).toBeGreaterThanOrEqual(0);
                expect(delivered).toBeLessThanOrEqual(spec.bytes);
                expectedLinkBytes += delivered * spec.path.length;
              });
            }
          });
        }
        sim.run();
        expect(completed + aborted).toBe(flows.length);
        expect(net.activeFlows).toBe(0);
        let linkBytes = 0;
        for (const l of ids) {
          linkBytes += net.linkBytes(l);
          expect(net.linkLoad(l)).toBe(0);
          expect(net.linkPeak(l)).toBeLessThanOrEqual(net.linkCapacity(l) * net.bandwidthFactor * (1 + 1e-9));
        }
        // Rounding scale: a delivered count is exact to within an ulp of its flow's size.
        const scale = flows.reduce((sum, f) => sum + f.spec.bytes * f.spec.path.length, 0);
        expect(Math.abs(linkBytes - expectedLinkBytes)).toBeLessThanOrEqual(1e-9 * scale);
      }),
      { numRuns: RUNS },
    );
  });
});
