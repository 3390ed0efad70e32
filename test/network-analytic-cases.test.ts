import { describe, expect, it } from 'vitest';
import { Simulator } from '../src/kernel/index.ts';
import { Network } from '../src/network/index.ts';

/** |actual − expected| ≤ rel × |expected|. */
function expectRelative(actual: number, expected: number, rel = 1e-9): void {
  if (!(Math.abs(actual - expected) <= rel * Math.abs(expected))) {
    throw new Error(`expected ${expected} within ${rel} relative, got ${actual}`);
  }
}

function setup(): { sim: Simulator; net: Network; finishedAt: Map<number, number>; done: (id: number) => void } {
  const sim = new Simulator();
  const net = new Network(sim);
  const finishedAt = new Map<number, number>();
  return { sim, net, finishedAt, done: (id) => finishedAt.set(id, sim.now) };
}

describe('network analytic cases', () => {
  it('N equal flows on one bottleneck all finish together at N·S/B', () => {
    const { sim, net } = setup();
    const B = 1.25e8;
    const S = 3e7;
    const N = 50;
    const link = net.addLink('bottleneck', B, 0);
    const times: number[] = [];
    for (let i = 0; i < N; i++) net.startFlow([link], S, () => times.push(sim.now));
    sim.run();
    expect(times).toHaveLength(N);
    expect(new Set(times).size).toBe(1);
    expectRelative(times[0], (N * S) / B, 1e-12);
    expect(net.activeFlows).toBe(0);
    expectRelative(net.linkBytes(link), N * S, 1e-12);
    expect(net.linkLoad(link)).toBe(0);
    expect(net.linkPeak(link)).toBe(B);
  });

  it('flows whose finish times differ only by rounding complete together, bytes still conserved', () => {
    const { sim, net } = setup();
    const link = net.addLink('l', 3e8, 0);
    const times: number[] = [];
    const sizes = [0, 1, 2, 3, 4].map((k) => 1e8 * (1 + k * 1e-15));
    for (const s of sizes) net.startFlow([link], s, () => times.push(sim.now));
    sim.run();
    expect(times).toHaveLength(5);
    expect(new Set(times).size).toBe(1);
    expectRelative(net.linkBytes(link), sizes.reduce((a, b) => a + b), 1e-15);
  });

  it('one flow on a multi-link path finishes at Σlatency + S/min(capacities)', () => {
    const { sim, net, finishedAt, done } = setup();
    const path = [net.addLink('a', 1e9, 0.001), net.addLink('b', 1e8, 0.002), net.addLink('c', 5e8, 0.0005)];
    const f = net.startFlow(path, 1e8, done);
    sim.run({ until: 0.0035 });
    expect(net.flowRate(f)).toBe(1e8);
    sim.run();
    expectRelative(finishedAt.get(f) ?? NaN, 0.0035 + 1e8 / 1e8, 1e-12);
    for (const l of path) expectRelative(net.linkBytes(l), 1e8, 1e-12);
  });

  it('distinct sizes on a shared backbone finish at the closed form, N = 2,000', () => {
    const { sim, net, finishedAt, done } = setup();
    const N = 2000;
    const C = 10e9 / 8; // registry NIC and shared backbone, 10 Gbit/s
    const clientCap = 1e9 / 8; // each client NIC, 1 Gbit/s
    const latency = 0.001;
    const registry = net.addLink('registry:nic-up', C, 0);
    const backbone = net.addLink('backbone', C, latency);
    const sizes = Array.from({ length: N }, (_, i) => (100e6 * (i + 1)) / N);
    const ids = sizes.map((s, i) => net.startFlow([registry, backbone, net.addLink(`client${i}:nic`, clientCap, 0)], s, done));
    sim.run();

    // t_j = t_{j−1} + (s_j − s_{j−1}) / min(clientCap, C / (N − j + 1)), sizes sorted ascending.
    let t = 0;
    let prev = 0;
    for (let j = 1; j <= N; j++) {
      t += (sizes[j - 1] - prev) / Math.min(clientCap, C / (N - j + 1));
      prev = sizes[j - 1];
      expectRelative(finishedAt.get(ids[j - 1]) ?? NaN, latency + t, 1e-9);
    }
    expect(finishedAt.size).toBe(N);
    expect(net.linkPeak(backbone)).toBeLessThanOrEqual(C * (1 + 1e-12));
  });

  it('a per-flow cap binds and the rest of the link goes to the uncapped flow', () => {
    const { sim, net, finishedAt, done } = setup();
    const link = net.addLink('l', 1e8, 0);
    const capped = net.startFlow([link], 1e7, done, 1e7);
    const free = net.startFlow([link], 1.8e8, done);
    sim.run({ until: 0.5 });
    expect(net.flowRate(capped)).toBe(1e7);
    expect(net.flowRate(free)).toBe(9e7);
    expect(net.linkLoad(link)).toBe(1e8);
    sim.run();
    expectRelative(finishedAt.get(capped) ?? NaN, 1, 1e-12);
    // 9e7 bytes in the first second, the remaining 9e7 at the full 1e8 B/s.
    expectRelative(finishedAt.get(free) ?? NaN, 1.9, 1e-12);
  });

  it('setLinkCapacity mid-flow re-shares from that instant', () => {
    const { sim, net, finishedAt, done } = setup();
    const link = net.addLink('l', 1e5, 0);
    const f = net.startFlow([link], 1e6, done);
    sim.call(5, () => net.setLinkCapacity(link, 2e5));
    sim.run({ until: 5 });
    expectRelative(net.flowRemaining(f), 5e5, 1e-12);
    sim.run();
    // 5e5 bytes in 5 s at 1e5 B/s, then 5e5 bytes at 2e5 B/s.
    expectRelative(finishedAt.get(f) ?? NaN, 7.5, 1e-12);
    expect(net.linkPeak(link)).toBe(2e5);
    expectRelative(net.linkBytes(link), 1e6, 1e-12);
  });

  it('abortFlow returns the bytes delivered and frees the link for the others', () => {
    const { sim, net, finishedAt, done } = setup();
    const link = net.addLink('l', 1e5, 0);
    const a = net.startFlow([link], 1e6, done);
    const b = net.startFlow([link], 1e6, done);
    let delivered = NaN;
    sim.call(4, () => {
      delivered = net.abortFlow(a);
    });
    sim.run();
    expectRelative(delivered, 2e5, 1e-12);
    expect(finishedAt.has(a)).toBe(false);
    // b: 2e5 bytes by t = 4, then 8e5 bytes alone at 1e5 B/s.
    expectRelative(finishedAt.get(b) ?? NaN, 12, 1e-12);
    expectRelative(net.linkBytes(link), 1.2e6, 1e-12);
    expect(() => net.abortFlow(a)).toThrow(/unknown flow/);
  });

  it('a zero-byte flow completes right after its latency', () => {
    const sim = new Simulator();
    const net = new Network(sim, { latencyFactor: 2 });
    const link = net.addLink('l', 1e6, 0.25);
    let at = NaN;
    net.startFlow([link], 0, () => (at = sim.now));
    sim.run();
    expect(at).toBe(0.5);
    expect(net.linkBytes(link)).toBe(0);
  });

  it('a flow aborted during its latency delivered nothing and never joins', () => {
    const { sim, net, done, finishedAt } = setup();
    const link = net.addLink('l', 1e6, 1);
    const f = net.startFlow([link], 1e6, done);
    sim.run({ until: 0.5 });
    expect(net.flowRate(f)).toBe(0);
    expect(net.flowRemaining(f)).toBe(1e6);
    expect(net.abortFlow(f)).toBe(0);
    sim.run();
    expect(finishedAt.size).toBe(0);
    expect(net.linkPeak(link)).toBe(0);
    expect(net.activeFlows).toBe(0);
  });
  it('startDelayS starts a flow exactly as a startFlow call that much later would, with one event', () => {
    const finishes = (delayed: boolean): { at: number[]; events: number } => {
      const sim = new Simulator();
      const net = new Network(sim, { latencyFactor: 13.01 });
      const link = net.addLink('l', 1e6, 0.0007);
      const at: number[] = [];
      for (const [d, bytes] of [[0.3, 5e5], [0.1, 2e5], [0, 1e5], [0.3, 0]] as const) {
        const done = (): void => {
          at.push(sim.now);
        };
        if (delayed) net.startFlow([link], bytes, done, Infinity, d);
        else if (d > 0) sim.call(d, () => net.startFlow([link], bytes, done));
        else net.startFlow([link], bytes, done);
      }
      return { at, events: sim.run().events };
    };
    const twoStep = finishes(false);
    const oneStep = finishes(true);
    expect(oneStep.at).toEqual(twoStep.at);
    expect(oneStep.events).toBe(twoStep.events - 3);

    const sim = new Simulator();
    const net = new Network(sim);
    const link = net.addLink('l', 1e6, 0);
    const f = net.startFlow([link], 1e6, () => {
      throw new Error('an aborted flow must not complete');
    }, Infinity, 2);
    sim.run({ until: 1 });
    expect(net.flowRate(f)).toBe(0);
    expect(net.flowRemaining(f)).toBe(1e6);
    expect(net.activeFlows).toBe(1);
    expect(net.abortFlow(f)).toBe(0);
    sim.run();
    expect(net.linkBytes(link)).toBe(0);
    expect(() => net.startFlow([link], 1, () => {}, Infinity, -1)).toThrow(/start delay/);
  });
});
