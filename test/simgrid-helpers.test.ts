/**
 * The SimGrid bridge's own pieces (bench/simgrid.ts), which need no SimGrid: the problem text flows.cpp
 * reads, the answer comparison, the fan-out problem, and what happens where SimGrid is not installed.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fanoutProblem, maxRelativeDifference, problemText } from '../bench/simgrid.ts';

describe('the SimGrid bridge', () => {
  it('writes a problem as flows.cpp reads it, numbers to 17 significant digits', () => {
    const text = problemText({
      links: [
        { bps: 1.25e8, latencyS: 0 },
        { bps: 1e6, latencyS: 0.1 },
      ],
      flows: [{ startS: 0.5, bytes: 1000, path: [1, 0] }],
    });
    expect(text).toBe('links 2\n125000000.00000000 0.0000000000000000\n1000000.0000000000 0.10000000000000001\nflows 1\n0.50000000000000000 1000 2 1 0\n');
  });

  it('refuses bytes SimGrid cannot take (it sends whole bytes)', () => {
    expect(() => problemText({ links: [{ bps: 1, latencyS: 0 }], flows: [{ startS: 0, bytes: 1.5, path: [0] }] })).toThrow(/whole bytes, got 1.5/);
  });

  it('compares answers by the largest relative difference; a time that is not a number makes it NaN', () => {
    expect(maxRelativeDifference([1, 2.2, 0], [1, 2, 0])).toBeCloseTo(0.1, 12);
    expect(maxRelativeDifference([0.5], [0])).toBe(0.5); // absolute where the reference is 0
    expect(maxRelativeDifference([NaN, 1], [1, 2])).toBeNaN();
    expect(maxRelativeDifference([1, 2], [1, NaN])).toBeNaN();
    expect(() => maxRelativeDifference([1], [1, 2])).toThrow(/different lengths/);
  });

  it("builds the issue's fan-out: two 10 Gbit/s links shared, a 1 Gbit/s link per client, client i fetching 100 MB·(i+1)/N", () => {
    const p = fanoutProblem(4);
    expect(p.links.map((l) => l.bps)).toEqual([1.25e9, 1.25e9, 1.25e8, 1.25e8, 1.25e8, 1.25e8]);
    expect(p.flows.map((f) => f.bytes)).toEqual([25e6, 50e6, 75e6, 100e6]);
    expect(p.flows.map((f) => f.path)).toEqual([
      [0, 1, 2],
      [0, 1, 3],
      [0, 1, 4],
      [0, 1, 5],
    ]);
  });

  it('says how to install SimGrid where pkg-config finds none', () => {
    // An empty PATH: no pkg-config, as on a machine without SimGrid.
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '-e', "import('./bench/simgrid.ts').then((m) => process.stdout.write(JSON.stringify(m.simgridRunner())))"],
      { encoding: 'utf8', env: { ...process.env, PATH: '' } },
    );
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ unavailable: 'SimGrid is not installed (pkg-config finds no simgrid; on Debian: apt-get install libsimgrid-dev)' });
  });
});
