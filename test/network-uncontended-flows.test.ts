/**
 * Flows that never meet a full link run at their demand (their cap, or their slowest link) and join or
 * leave without moving anyone else (Network's uncontended fast paths); the moment a link fills, max-min
 * sharing takes over. Every number here is worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../src/kernel/index.ts';
import { Network } from '../src/network/index.ts';

function setup() {
  const sim = new Simulator();
  const net = new Network(sim);
  const finishedAt = new Map<number, number>();
  return { sim, net, finishedAt, done: (id: number) => finishedAt.set(id, sim.now) };
}

describe('uncontended flows', () => {
  it('capped flows on a link with room run at their caps; a fourth that fills it is shared max-min', () => {
    const { sim, net, finishedAt, done } = setup();
    const link = net.addLink('shared', 100, 0);
    // Caps 10, 20, 30 arrive at t = 0, 1, 2: Σ = 60 < 100, each at its cap.
    const a = net.startFlow([link], 1000, done, 10);
    sim.run({ until: 1 });
    const b = net.startFlow([link], 1000, done, 20);
    sim.run({ until: 2 });
    const c = net.startFlow([link], 1000, done, 30);
    sim.run({ until: 3 });
    expect([net.flowRate(a), net.flowRate(b), net.flowRate(c)]).toEqual([10, 20, 30]);
    expect(net.linkLoad(link)).toBe(60);
    // At t = 3 a flow capped at 50 arrives: 10 + 20 + 30 + 50 > 100. Water-filling: 100/4 = 25 freezes
    // a (10) and b (20); 70 left for two, 35 each, freezes c at its cap 30; d gets the 40 that is left.
    const d = net.startFlow([link], 400, done, 50);
    sim.run({ until: 3 });
    expect([net.flowRate(a), net.flowRate(b), net.flowRate(c), net.flowRate(d)]).toEqual([10, 20, 30, 40]);
    expect(net.linkLoad(link)).toBe(100);
    expect(net.linkPeak(link)).toBe(100);
    // d's 400 bytes at 40 B/s: done at t = 13, and the link has room again: the others keep their caps.
    sim.run({ until: 13 });
    expect(finishedAt.get(d)).toBe(13);
    expect(net.linkLoad(link)).toBe(60);
    sim.run();
    // a: 1000 B at 10 B/s from 0; b at 20 B/s from 1; c at 30 B/s from 2.
    expect([finishedAt.get(a), finishedAt.get(b)]).toEqual([100, 51]);
    expect(finishedAt.get(c)).toBeCloseTo(2 + 1000 / 30, 12);
    expect(net.linkBytes(link)).toBeCloseTo(3400, 9);
    expect(net.linkLoad(link)).toBe(0);
  });

  it("an uncapped flow alone on its access link runs at that link's capacity, next to others on a roomy backbone", () => {
    const { sim, net, finishedAt, done } = setup();
    const backbone = net.addLink('backbone', 1000, 0);
    const nics = [net.addLink('nic0', 100, 0), net.addLink('nic1', 300, 0)];
    const f0 = net.startFlow([nics[0], backbone], 500, done);
    const f1 = net.startFlow([nics[1], backbone], 600, done);
    sim.run({ until: 0 });
    expect([net.flowRate(f0), net.flowRate(f1)]).toEqual([100, 300]);
    expect(net.linkLoad(backbone)).toBe(400);
    sim.run();
    expect([finishedAt.get(f0), finishedAt.get(f1)]).toEqual([5, 2]);
    expect(net.linkPeak(backbone)).toBe(400);
    expect(net.linkBytes(backbone)).toBe(1100);
  });

  it('a link only counts loads that existed: arrivals solved together never leave a transient peak', () => {
    const { sim, net } = setup();
    const backbone = net.addLink('backbone', 100, 0);
    const nic = net.addLink('nic', 80, 0);
    const other = net.addLink('other-nic', 80, 0);
    // Both arrive at t = 0. Alone, the first would run at 80 on its NIC; with the second, the backbone
    // is full and they share it 50/50, so the NIC never carried more than 50.
    net.startFlow([nic, backbone], 1000, () => {});
    net.startFlow([other, backbone], 1000, () => {});
    sim.run({ until: 1 });
    expect(net.linkLoad(nic)).toBe(50);
    expect(net.linkPeak(nic)).toBe(50);
    expect(net.linkPeak(backbone)).toBe(100);
  });
});
