import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';

const DAY = 86400;

/** 60 nodes in 3 zones pull a 1 MB delta of one image every 2 h from ECR, for a day. */
function run(distribution: Record<string, unknown>) {
  return simulateRun(
    RunConfig.parse({
      duration: '24h',
      cluster: { nodes: 60, zones: 3, egress: 'nat', natGateways: 'per-zone' },
      images: { count: 1, size: '100 MB', layers: 4, multiArch: false },
      releases: { every: '2h', delta: '1 MB' },
      distribution: { kind: 'hosted', preset: 'ecr', ...distribution },
    }),
  );
}

describe('ECR through NAT gateways vs VPC endpoints (FACTS.md §4)', () => {
  const nat = run({});
  const gateway = run({ endpoints: 's3-gateway' });
  const iface = run({ endpoints: 'interface' });
  const layer = 60 * 12 * 1e6;

  it('through NAT: every byte at $0.045/GB, plus 3 gateways × 24 h × $0.045', () => {
    expect(nat.layer_bytes).toBe(layer);
    expect(nat.cost_usd.nat_processing).toBeCloseTo((nat.ingress_bytes / 1e9) * 0.045, 12);
    expect(nat.cost_usd.nat_hours).toBeCloseTo(3 * 24 * 0.045, 12);
    expect(nat.cost_usd.vpc_endpoint_hours).toBeUndefined();
  });

  it('an S3 gateway endpoint takes the layer blobs (ECR redirects them to S3) off the NAT bill for free', () => {
    expect(gateway.cost_usd.nat_processing).toBeCloseTo(((gateway.ingress_bytes - layer - 60 * 12 * 6000) / 1e9) * 0.045, 12);
    expect(gateway.internet_bytes).toBe(gateway.metadata_bytes - 60 * 12 * 6000);
  });

  it('interface endpoints: no NAT at all; $0.01/GB of API bytes + 2 endpoints × 3 zones × 24 h × $0.01', () => {
    expect(iface.cost_usd.nat_processing).toBeUndefined();
    expect(iface.cost_usd.nat_hours).toBeUndefined();
    expect(iface.internet_bytes).toBe(0);
    // The API bytes are the metadata less the config blobs (6 KB each, redirected to S3 like layers).
    const apiBytes = iface.metadata_bytes - 60 * 12 * 6000;
    expect(iface.cost_usd.vpc_endpoint_processing).toBeCloseTo((apiBytes / 1e9) * 0.01, 12);
    expect(iface.cost_usd.vpc_endpoint_hours).toBeCloseTo(2 * 3 * 24 * 0.01, 12);
    expect(iface.cost_usd_per_day).toBeCloseTo((iface.cost_usd.total * DAY) / 86400, 12);
  });

  it('cross-region: the longer RTT and $0.02/GB inter-region on every byte', () => {
    const far = run({ location: 'cross-region' });
    expect(far.cost_usd.cross_region).toBeCloseTo((far.ingress_bytes / 1e9) * 0.02, 12);
    expect(far.rollout_s.max).toBeGreaterThan(nat.rollout_s.max * 10);
  });

  it('from outside the cloud: the registry owner pays internet egress by tier (all inside the free 100 GB here)', () => {
    const out = run({ location: 'internet' });
    expect(out.cost_usd.internet_egress).toBe(0);
    const big = simulateRun(
      RunConfig.parse({
        duration: '24h',
        cluster: { nodes: 1000, zones: 1, egress: 'public-ip' },
        images: { count: 1, size: '600 MB', layers: 1, multiArch: false },
        releases: { every: '24h', delta: '500 MB' },
        distribution: { kind: 'hosted', preset: 'ecr', location: 'internet' },
      }),
    );
    // 500 GB in a day = 15.2 TB a month: 9,900 GB at $0.09 and the rest at $0.085, scaled to one day.
    const perMonth = (big.ingress_bytes * 730 * 3600) / DAY / 1e9;
    const month = 9900 * 0.09 + (perMonth - 10000) * 0.085;
    expect(big.cost_usd.internet_egress).toBeCloseTo((month * DAY) / (730 * 3600), 9);
  });

  it('endpoints and locations are refused where they do not apply', () => {
    const bad = (d: Record<string, unknown>) =>
      RunConfig.safeParse({ cluster: { nodes: 1 }, releases: { every: '1h', delta: '1 MB' }, distribution: { kind: 'hosted', ...d } }).success;
    expect(bad({ preset: 'dockerhub', endpoints: 'interface' })).toBe(false);
    expect(bad({ preset: 'quay', location: 'cross-region' })).toBe(false);
    expect(bad({ preset: 'ecr', location: 'cross-region', endpoints: 'interface' })).toBe(false);
    expect(bad({ preset: 'ecr', location: 'cross-region' })).toBe(true);
  });
});
