import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';
import { SECONDS_PER_MONTH } from '../src/scenario/units.ts';

/** ECR storage ($0.10/GB-month) of one 100 MB image (4 × 25 MB layers) with a 10 MB delta every 2 h for a day. */
function run(retain?: number) {
  return simulateRun(
    RunConfig.parse({
      duration: '24h',
      cluster: { nodes: 1, egress: 'public-ip' },
      images: { count: 1, size: '100 MB', layers: 4, multiArch: false, ...(retain ? { retain } : {}) },
      releases: { every: '2h', delta: '10 MB' },
      distribution: { kind: 'hosted', preset: 'ecr' },
    }),
  );
}

const price = 0.1 / 1e9 / SECONDS_PER_MONTH;
const H = 3600;

describe('registry storage over the versions retained', () => {
  it('keep everything: the base stays a day; each 10 MB delta from its release to the end', () => {
    // Releases at 0, 2, …, 22 h; the initial top layer (25 MB) is never deleted either.
    let byteSeconds = 100e6 * 24 * H;
    for (let k = 0; k < 12; k++) byteSeconds += 10e6 * (24 - 2 * k) * H;
    expect(run().cost_usd.registry_storage).toBeCloseTo(byteSeconds * price, 15);
  });

  it('keep the last 3 versions: a version is deleted when the 4th after it is pushed; shared layers stay', () => {
    // Version k ≥ 1 is pushed at 2(k−1) h with its own 10 MB top layer; pushing version k + 3 (at
    // 2(k+2) h, if k + 3 ≤ 12) deletes it. Version 0, the initial image, goes when version 3 is pushed
    // (4 h), its own 25 MB top layer with it; the three 25 MB base layers are in every version.
    let byteSeconds = 75e6 * 24 * H + 25e6 * 4 * H;
    for (let k = 1; k <= 12; k++) {
      const from = 2 * (k - 1);
      const to = k + 3 <= 12 ? 2 * (k + 2) : 24;
      byteSeconds += 10e6 * (to - from) * H;
    }
    expect(run(3).cost_usd.registry_storage).toBeCloseTo(byteSeconds * price, 15);
  });
});
