import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';

/**
 * One cold node whose NIC (and rack link, oversubscription 1) is 60 MB/s, as fast as one Docker Hub
 * connection: any two flows in flight share it. Two 50 MB layers, eStargz.
 */
function slowNic(background: 'at-mount' | 'after-start') {
  return RunConfig.parse({
    duration: '1h',
    cluster: { nodes: 1, egress: 'public-ip', cache: 'cold', nic: '480 Mbit/s', rackOversubscription: 1 },
    images: { count: 1, size: '100 MB', layers: 2, multiArch: false, lazy: { format: 'estargz', background } },
    releases: { every: '2h', delta: '50 MB' },
    distribution: { kind: 'hosted', preset: 'dockerhub', rtt: '20ms', perConnection: '60 MB/s' },
  });
}

const ONE_WAY = 0.01 + 0.00005 + 0.00005;
const BPS = 60e6;
const get = (bytes: number, extraRtts: number) => ONE_WAY * (2 + 2 * extraRtts) + bytes / BPS;
const METADATA_S = get(150, 2) + get(1500, 2) + get(0, 0) + get(2000, 0) + get(6000, 3);
const LAYER = 50e6;
const TOC = Math.ceil(16 * 1024 + 0.001 * LAYER);
const NEED = Math.ceil(0.064 * LAYER);
// The two TOC GETs start together and split the NIC: both land after 2 × TOC bytes at 60 MB/s.
const MOUNT_S = METADATA_S + ONE_WAY * 4 + (2 * TOC) / BPS;

describe('lazy pulling: the background fetch competes with the start reads', () => {
  it('after-start: the start reads have the NIC to themselves, then the rest streams in', () => {
    const m = simulateRun(slowNic('after-start'));
    const readyS = MOUNT_S + 2 * get(NEED, 1);
    expect(m.node_ready_s.max).toBeCloseTo(readyS, 9);
    // Both layer rests start together at ready and share the NIC.
    expect(m.simulated_s).toBeCloseTo(readyS + ONE_WAY * 4 + (2 * (LAYER - NEED)) / BPS, 9);
    expect(m.layer_bytes).toBe(2 * LAYER);
  });

  it('at-mount (default): max-min sharing with two background flows slows the start reads down', () => {
    const atMount = simulateRun(slowNic('at-mount'));
    const afterStart = simulateRun(slowNic('after-start'));
    expect(atMount.node_ready_s.max).toBeGreaterThan(afterStart.node_ready_s.max + 0.1);
    // Every layer byte crosses the 60 MB/s NIC after the mount; overlapping the round trips, at-mount
    // keeps the NIC busier and lands the last byte earlier.
    expect(atMount.simulated_s).toBeGreaterThanOrEqual(MOUNT_S + (2 * LAYER) / BPS - 1e-9);
    expect(atMount.simulated_s).toBeLessThan(afterStart.simulated_s);
    expect(atMount.layer_bytes).toBe(2 * LAYER);
  });
});
