/**
 * pullsim's network against SimGrid 3.32 itself (bench/simgrid.ts runs bench/simgrid/flows.cpp, built
 * against Debian's libsimgrid-dev): the same links and flows, each flow's finish time compared.
 *
 * Under `cm02` and `lv08` pullsim shares as SimGrid does, each flow weighted by 1 / its path latency
 * (RTT unfairness, plus weight-S / bandwidth per link in LV08), so random problems with any latencies
 * agree. pullsim's `maxmin` shares equally, which no SimGrid model does where latencies differ: its random
 * problems give every flow the same path latency (a private padding link per flow makes up the rest).
 *
 * Skipped where SimGrid is not installed, unless PULLSIM_REQUIRE_SIMGRID=1 (CI sets it and installs it).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fanoutClosedForm, fanoutProblem, maxRelativeDifference, runPullsim, runSimgrid, simgridRunner, type FlowModel, type FlowProblem } from '../bench/simgrid.ts';

const runner = simgridRunner();
const missing = 'unavailable' in runner ? runner.unavailable : undefined;
const required = process.env.PULLSIM_REQUIRE_SIMGRID === '1';

if (missing !== undefined && required) {
  it('SimGrid is available (PULLSIM_REQUIRE_SIMGRID=1)', () => {
    throw new Error(missing);
  });
}

/**
 * A random problem: up to 8 links (1 MB/s to 5 GB/s, latency 0 or up to L/4), up to 12 flows starting at 0
 * to 3 s over 1–3 of them. `equalLatency`: each flow also crosses a private 1 PB/s link with the rest of L,
 * so every flow's path latency is L.
 */
const problems = (equalLatency: boolean): fc.Arbitrary<FlowProblem> =>
  fc
    .record({
      L: fc.constantFrom(0, 0.001, 0.02, 0.1),
      links: fc.array(
        fc.record({ unit: fc.constantFrom(1e6, 3e7, 1.25e8, 1.25e9), mult: fc.integer({ min: 1, max: 4 }), lat: fc.constantFrom(0, 0.25, 0.1, 0.05) }),
        { minLength: 1, maxLength: 8 },
      ),
      flows: fc.array(
        fc.record({
          // Whole 1/64 s: SimGrid rounds dates to its timing precision (1e-9 s), so a start of 5e-324 s is 0 there.
          start: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 192 }).map((k) => k / 64)),
          base: fc.constantFrom(1e3, 1e5, 1e6, 5e7),
          scale: fc.double({ min: 0.5, max: 1.5, noNaN: true }),
          path: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
        }),
        { minLength: 1, maxLength: 12 },
      ),
    })
    .map(({ L, links, flows }): FlowProblem => {
      const ls = links.map((l) => ({ bps: l.unit * l.mult, latencyS: l.lat * L }));
      const fs = flows.map((f) => {
        const path = [...new Set(f.path.map((i) => i % links.length))];
        const latency = path.reduce((s, l) => s + ls[l].latencyS, 0);
        if (equalLatency && L > 0) {
          ls.push({ bps: 1e15, latencyS: L - latency });
          path.push(ls.length - 1);
        }
        return { startS: f.start, bytes: Math.floor(f.base * f.scale), path };
      });
      return { links: ls, flows: fs };
    });

describe.skipIf(missing !== undefined)(`pullsim's network against SimGrid${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it("the issue's registry fan-out, N = 2,000 distinct sizes: the same finish times as SimGrid (lazy and full updates) and the closed form", () => {
    const n = 2_000;
    const problem = fanoutProblem(n);
    const ours = runPullsim(problem, 'maxmin').times;
    const closed = fanoutClosedForm(n);
    for (const update of ['lazy', 'full'] as const) {
      const theirs = runSimgrid(problem, 'maxmin', update).times;
      expect(maxRelativeDifference(ours, theirs)).toBeLessThan(1e-12);
      expect(maxRelativeDifference(theirs, closed)).toBeLessThan(1e-12);
    }
    expect(maxRelativeDifference(ours, closed)).toBeLessThan(1e-12);
  });

  const cases: [FlowModel, boolean, string][] = [
    ['maxmin', true, 'equal path latencies'],
    ['cm02', false, 'any latencies'],
    ['lv08', false, 'any latencies'],
  ];
  for (const [model, equalLatency, what] of cases) {
    it(`${model}: random links, flows and start times with ${what} finish when SimGrid says (relative 1e-12)`, () => {
      fc.assert(
        fc.property(problems(equalLatency), (p) => {
          const d = maxRelativeDifference(runPullsim(p, model).times, runSimgrid(p, model).times);
          expect(d).toBeLessThan(1e-12);
        }),
        { numRuns: 40, seed: 20261203 },
      );
    });
  }

  for (const model of ['cm02', 'lv08'] as const) {
    it(`${model}: the fan-out at N = 2,000 with clients at two RTTs (1 ms, 2 ms; one share group of both penalties) finishes when SimGrid says`, () => {
      const p = fanoutProblem(2_000, (i) => (i % 2 === 0 ? 0.001 : 0.002));
      expect(maxRelativeDifference(runPullsim(p, model).times, runSimgrid(p, model).times)).toBeLessThan(1e-12);
    });
  }

  it('cm02: a fan-out at one latency (share groups), then flows with other latencies (weights on), finish when SimGrid says', () => {
    const base = fanoutProblem(200);
    const links = [...base.links, { bps: 1e12, latencyS: 0.02 }, { bps: 1e12, latencyS: 0.005 }];
    const late = [
      { startS: 0.5, bytes: 30e6, path: [0, 1, links.length - 2] },
      { startS: 0.75, bytes: 10e6, path: [0, 1, links.length - 1] },
    ];
    const p: FlowProblem = { links, flows: [...base.flows, ...late] };
    expect(maxRelativeDifference(runPullsim(p, 'cm02').times, runSimgrid(p, 'cm02').times)).toBeLessThan(1e-12);
  });

  it("lv08: a window-bound flow runs at SimGrid's 0.97 × window / (2 × latency), not at the full window rate", () => {
    // One 100 MB flow, 20 ms of path latency over a 10 GB/s link: the 4 MiB window allows 104.9 MB/s.
    const p: FlowProblem = { links: [{ bps: 1e10, latencyS: 0.02 }], flows: [{ startS: 0, bytes: 100e6, path: [0] }] };
    const expected = 13.01 * 0.02 + 100e6 / ((0.97 * 4194304) / 0.04);
    expect(runPullsim(p, 'lv08').times[0]).toBeCloseTo(expected, 12);
    expect(runSimgrid(p, 'lv08').times[0]).toBeCloseTo(expected, 12);
  });

  it("SimGrid's full update and pullsim agree on the 8-flow case where SimGrid's default lazy update finishes a flow early", () => {
    const L = 0.1;
    const q = L / 4;
    const links = [2.5e9, 2.5e9, 1e6, 5e9, 3.75e8, 2e6].map((bps, i) => ({ bps, latencyS: i < 2 ? 0 : q }));
    const flows: [number, number, number[]][] = [
      [2.6694104420131453, 93882, [2, 1, 5]],
      [0.5, 1070, [5, 3, 1]],
      [0, 1120, [3, 1, 2]],
      [1, 148565, [1, 3, 5]],
      [1.5210147847185396, 33064318, [5, 3]],
      [1.878874426073178, 51743, [2, 3, 5]],
      [0, 618719, [0]],
      [0, 955, [1, 3, 5]],
    ];
    const p: FlowProblem = {
      links: [...links, ...flows.map(([, , path]) => ({ bps: 1e15, latencyS: L - path.reduce((s, l) => s + links[l].latencyS, 0) }))],
      flows: flows.map(([startS, bytes, path], j) => ({ startS, bytes, path: [...path, links.length + j] })),
    };
    const ours = runPullsim(p, 'maxmin').times;
    expect(maxRelativeDifference(ours, runSimgrid(p, 'maxmin', 'full').times)).toBeLessThan(1e-12);
    // The 955-byte flow: 0.1 s of latency, then alone on the 2 MB/s link (the others have not arrived).
    expect(ours[7]).toBeCloseTo(0.1 + 955 / 2e6, 12);
  });

  it('RTT unfairness: cm02, as SimGrid, weights each flow by 1 / its path latency; maxmin shares equally', () => {
    // Link 0: 1 MB/s, no latency; link 1: 2 MB/s, 100 ms. Flow B (1 MB over both) starts at 0 and has
    // 0.1 MB left at t = 1, when flow A (1 MB over link 0, zero latency) arrives.
    const p: FlowProblem = {
      links: [
        { bps: 1e6, latencyS: 0 },
        { bps: 2e6, latencyS: 0.1 },
      ],
      flows: [
        { startS: 1, bytes: 1e6, path: [0] },
        { startS: 0, bytes: 1e6, path: [0, 1] },
      ],
    };
    // maxmin: equal halves of link 0, so B needs 0.1 MB / 0.5 MB/s = 0.2 s.
    const equal = runPullsim(p, 'maxmin').times;
    expect(equal[1]).toBeCloseTo(1.2, 12);
    expect(equal[0]).toBeCloseTo(2.1, 12);
    // cm02: B's penalty is its latency, 0.1 s, A's is 1 (a flow with no latency keeps SimGrid's initial
    // penalty), so B gets 10/11 of the link: 0.1 MB / (10/11 MB/s) = 0.11 s. A is done at 2.1 s either way.
    // (No window bound here: B's is 4 MiB / 0.2 s, above both links.)
    for (const answer of [runPullsim(p, 'cm02').times, runSimgrid(p, 'cm02').times, runSimgrid(p, 'maxmin').times]) {
      expect(answer[1]).toBeCloseTo(1.11, 12);
      expect(answer[0]).toBeCloseTo(2.1, 12);
    }
  });
});
