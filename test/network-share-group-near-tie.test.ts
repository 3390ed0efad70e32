/**
 * A share group is formed only from flows faster, by more than rounding, than every flow a local solve held
 * on their links. A held flow a hair below the group's rate can share its bottleneck (a tie that rounding
 * split: the local solve holds a flow on a link whose solved flows are up to VALID_EPS faster); left out of
 * the group, it would be taken for a flow limited elsewhere and kept at its rate when a member leaves.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../src/kernel/index.ts';
import { Network, solveMaxMinReference } from '../src/network/index.ts';
import { expectRelative } from './network-reference-harness.ts';

describe('share groups after a local solve', () => {
  it('leave no flow tied with them on their bottleneck out: a departure re-shares it with them', () => {
    // Link b (1 MB/s) carries four flows s (also on uplink u) and two flows h. z and later z2 share the
    // small link w behind u; three flows e on u run at their own links' 20 kB/s.
    const sim = new Simulator();
    const net = new Network(sim);
    const b = net.addLink('b', 1e6, 0);
    const u = net.addLink('u', 1e7, 0);
    const w = net.addLink('w', 1e4, 0);
    const s = [1e6, 1.5e6, 2e6, 2.5e6].map((bytes) => net.startFlow([u, b], bytes, () => {}));
    const h = [0, 1].map(() => net.startFlow([b], 1e8, () => {}));
    const z = net.startFlow([u, w], 1e8, () => {});
    // t=0: one closed solve of 7 flows (too few for a group): all six on b at fl(1e6 / 6).
    sim.run({ until: 0.25 });
    const x = 1e6 / 6;
    for (const f of [...s, ...h]) expect(net.flowRate(f)).toBe(x);
    // The e flows join uncontended; z2's arrival on the full w re-solves locally what it reaches (z, the
    // e and s flows on u, 8 flows or more), the h flows held at x on b: the s flows get (1e6 − 2x) / 4,
    // which rounds one ulp above x. The exact answer is a six-way tie on b.
    const e = [0, 1, 2].map((i) => {
      const own = net.addLink(`e${i}`, 2e4, 0);
      return net.startFlow([u, own], 1e8, () => {});
    });
    sim.run({ until: 0.5 });
    const z2 = net.startFlow([u, w], 1e8, () => {});
    sim.run({ until: 1 });
    expect(net.flowRate(s[0])).toBe((1e6 - (x + x)) / 4);
    expect(net.flowRate(s[0])).toBeGreaterThan(net.flowRate(h[0]));
    // s[0] finishes at 6 s: the five flows left on b share it equally, 200 kB/s each.
    sim.run({ until: 6.5 });
    const live = [...s.slice(1), ...h, z, z2, ...e];
    const paths = [...s.slice(1).map(() => [u, b]), ...h.map(() => [b]), [u, w], [u, w], ...e.map((_, i) => [u, 3 + i])];
    const caps = Array.from({ length: net.linkCount }, (_, l) => net.linkCapacity(l));
    const expected = solveMaxMinReference(caps, paths.map((path) => ({ path, cap: Infinity })));
    expect([...expected.slice(0, 5)]).toEqual([2e5, 2e5, 2e5, 2e5, 2e5]);
    live.forEach((f, i) => expectRelative(net.flowRate(f), expected[i], 1e-12, `rate of flow ${f}`));
    expectRelative(net.linkLoad(b), 1e6, 1e-12, 'load of b');
  });
});
