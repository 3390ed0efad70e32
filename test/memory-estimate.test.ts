/**
 * The memory estimate's arithmetic (src/parallel/memory-estimate.ts) and the guard built on it: a run costs
 * its working set plus per-node state, P2P adds per node-blob and per piece, a batch is the process plus one
 * heap per worker plus the largest runs side by side, and the CLI refuses past 75 % of the machine unless
 * --force. (The coefficients' fit to measured peak RSS is in the README, from bench/memory-calibration.ts.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/run.ts';
import { estimateBatch, estimateRun, MEMORY_MODEL as M } from '../src/parallel/memory-estimate.ts';
import { checkMemory, MemoryEstimateError } from '../src/cli/memory-check.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-mem-'));
const file = path.join(dir, 'm.yaml');
writeFileSync(
  file,
  [
    'version: 1',
    'name: m',
    'duration: 4h',
    'cluster: { nodes: 1000 }',
    'images: { count: 2, size: 80 MiB, layers: 4 }',
    'releases: { every: 2h, delta: 10 MiB }',
    'variants:',
    '  - name: ecr',
    '    distribution: { kind: hosted, preset: ecr }',
    '  - name: kraken',
    '    distribution: { kind: p2p, preset: kraken }',
    '  - name: kraken-cold',
    '    cluster: { nodes: 1000, cache: cold }',
    '    distribution: { kind: p2p, preset: kraken }',
    '',
  ].join('\n'),
);

describe('the memory estimate', () => {
  it('prices a client-server run per node: image and layer state plus one record per pull', async () => {
    const s = await loadScenario(file);
    // Releases at 0 and 2h, 2 images each: 4 pulls per node; it holds 2 × 4 layers + 4 new ones.
    const perNode = M.node + 2 * M.nodeImage + 12 * M.nodeLayer + 4 * M.pull;
    expect(estimateRun(s.variants[0].run)).toEqual({ bytes: M.run + 1000 * perNode, nodes: 1000, pulls: 4000, swarmPieces: 0 });
  });

  it('adds, for P2P, each blob a node joins a swarm for and each of its pieces (4 MiB for Kraken)', async () => {
    const s = await loadScenario(file);
    const base = estimateRun(s.variants[0].run).bytes;
    const k = M.p2p.kraken;
    // Warm: the 4 new 10 MiB layers, 3 pieces each.
    expect(estimateRun(s.variants[1].run).bytes).toBeCloseTo(base + 1000 * (4 * k.nodeBlob + 12 * k.nodePiece), 3);
    // Cold: the 8 layers of 20 MiB (5 pieces each) as well, and one more pull per image.
    const cold = estimateRun(s.variants[2].run);
    expect(cold.swarmPieces).toBe(1000 * (8 * 5 + 4 * 3));
    expect(cold.bytes).toBeCloseTo(base + 1000 * (2 * M.pull + 12 * k.nodeBlob + 52 * k.nodePiece), 3);
    // Pieces count up to two per connection: 1 KiB pieces of a 10 MiB layer count as 2 × 10, not 10,240.
    const tiny = { ...s.variants[1].run, distribution: { ...s.variants[1].run.distribution } } as typeof s.variants[1]['run'];
    if (tiny.distribution.kind !== 'p2p') throw new Error('fixture: kraken is p2p');
    tiny.distribution.settings = { ...tiny.distribution.settings, piecePolicy: { kind: 'fixed', bytes: 1024 } };
    expect(estimateRun(tiny).swarmPieces).toBe(1000 * 4 * 20);
  });

  it('holds one run per thread at a time: process + workers + the largest runs side by side + outputs', async () => {
    const s = await loadScenario(file);
    const runs = s.variants.map((v) => estimateRun(v.run).bytes).sort((a, b) => b - a);
    expect(estimateBatch([s], { jobs: 1 }).bytes).toBeCloseTo(M.process + runs[0] + 3 * M.output, 3);
    expect(estimateBatch([s], { jobs: 2 }).bytes).toBeCloseTo(M.process + 2 * M.worker + runs[0] + runs[1] + 3 * M.output, 3);
    // Replications repeat each run: with 4 threads the four largest are the cold swarm's four replications.
    const r = estimateBatch([s], { jobs: 4, replications: 4 });
    expect(r.runs).toBe(12);
    expect(r.bytes).toBeCloseTo(M.process + 4 * M.worker + 4 * runs[0] + 12 * M.output, 3);
    // More threads than runs start no idle workers.
    expect(estimateBatch([s], { jobs: 16 }).threads).toBe(3);
  });

  it('refuses past 75 % of the machine with the sizes in the message, and runs anyway with --force', async () => {
    const s = await loadScenario(file);
    const need = estimateBatch([s], { jobs: 1 }).bytes;
    expect(() => checkMemory([s], { jobs: 1, machineBytes: need / 0.75 + 1 })).not.toThrow();
    let error: unknown;
    try {
      checkMemory([s], { jobs: 1, machineBytes: 0.3e9 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MemoryEstimateError);
    expect((error as Error).message).toMatch(/^this scenario needs ~0\.\d\d GB \(machine has 0\.30 GB\); pass --force to run anyway/);
    expect(checkMemory([s], { jobs: 1, machineBytes: 0.3e9, force: true }).bytes).toBe(need);
  });
});
