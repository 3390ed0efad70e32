import { describe, expect, it } from 'vitest';
import { Simulator } from '../src/kernel/index.ts';
import { Network, type NetworkOptions } from '../src/network/index.ts';

/** Time one flow of `bytes` takes over one idle link, under the given model knobs. */
function transferTime(options: NetworkOptions, capacity: number, latency: number, bytes: number): number {
  const sim = new Simulator();
  const net = new Network(sim, options);
  const link = net.addLink('link', capacity, latency);
  let at = NaN;
  net.startFlow([link], bytes, () => (at = sim.now));
  sim.run();
  return at;
}

describe('SimGrid flow-model cases (FACTS.md V3)', () => {
  it('LV08: 100 kB over a 1 Mbit/s, 10 ms link takes 0.996079 s', () => {
    const t = transferTime({ latencyFactor: 13.01, bandwidthFactor: 0.97 / 1.05 }, 125000, 0.01, 1e5);
    expect(t).toBeCloseTo(0.996079, 6);
    expect(t).toBeCloseTo(0.01 * 13.01 + 1e5 / ((125000 * 0.97) / 1.05), 12);
  });

  describe('CM02 TCP window bound (gamma = 4,194,304 B), 1e10 B over an idle 1e10 B/s link', () => {
    const cm02 = { tcpWindowBytes: 4194304 };
    it('latency 0: no window bound, 1 s', () => {
      expect(transferTime(cm02, 1e10, 0, 1e10)).toBe(1);
    });
    it('latency 1e-5 s: the window allows more than the link, 1.00001 s', () => {
      expect(transferTime(cm02, 1e10, 1e-5, 1e10)).toBeCloseTo(1.00001, 12);
    });
    it('latency 1 ms: window-bound at gamma / 2 ms, about 4.77 s', () => {
      const t = transferTime(cm02, 1e10, 0.001, 1e10);
      expect(t).toBeCloseTo(0.001 + 1e10 / (4194304 / 0.002), 9);
      expect(t).toBeCloseTo(4.77, 2);
    });
    it('latency 100 ms: 0.1 + 476.837… s', () => {
      const t = transferTime(cm02, 1e10, 0.1, 1e10);
      expect(t - 0.1).toBeCloseTo(476.837158203125, 6);
    });
    it('the window bound uses the raw path latency, not the latency factor (SimGrid lat_current_)', () => {
      const t = transferTime({ ...cm02, latencyFactor: 13.01 }, 1e10, 0.001, 1e10);
      expect(t).toBeCloseTo(0.001 * 13.01 + 1e10 / (4194304 / 0.002), 9);
    });
  });
});
