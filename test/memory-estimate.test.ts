/**
 * The memory estimate's arithmetic (src/parallel/memory-estimate.ts) and the guard built on it: a run costs
 * its working set plus per-node state kept for the run plus its release windows (the live ones and the
 * garbage the collector keeps, GC_WINDOWS_PER_LIVE per live one; P2P swarms live for the seeder idle time),
 * P2P windows add per node-blob and per piece, a batch is the process plus one heap per worker plus the
 * largest runs side by side plus the previous run's garbage on each thread, and the CLI refuses past 75 % of
 * the machine unless --force. (The coefficients' fit to measured peak RSS is in the README, from bench/memory-calibration.ts.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/run.ts';
import { estimateBatch, estimateRun, GC_WINDOWS_PER_LIVE, liveWindows, MEMORY_MODEL as M } from '../src/parallel/memory-estimate.ts';
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
  it('prices a client-server run per node: state kept for the run plus its release windows', async () => {
    const s = await loadScenario(file);
    // Releases at 0 and 2h, 2 images each: 4 pulls per node; it holds 2 × 4 layers + 4 new ones. Two
    // windows of 2 pulls in flight each (both fit under the collector's 4 per live window).
    const perNode = M.node + 2 * M.nodeImage + 12 * M.nodeLayer + 4 * M.pull + 2 * (2 * M.pullWindow);
    expect(estimateRun(s.variants[0].run)).toEqual({ bytes: M.run + 1000 * perNode, nodes: 1000, pulls: 4000, swarmPieces: 0, windows: 2 });
  });

  it('counts at most GC_WINDOWS_PER_LIVE windows of a long client-server run', async () => {
    const s = await loadScenario(file, ['duration=24h']);
    const run = s.variants[0].run;
    // 12 releases of 2 pulls: every pull and layer is kept, but only 4 windows' working sets count.
    expect(GC_WINDOWS_PER_LIVE).toBe(4);
    const perNode = M.node + 2 * M.nodeImage + (8 + 24) * M.nodeLayer + 24 * M.pull + 4 * (2 * M.pullWindow);
    const e = estimateRun(run);
    expect(e.windows).toBe(4);
    expect(e.bytes).toBeCloseTo(M.run + 1000 * perNode, 3);
  });

  it('adds, for P2P, each blob a node joins a swarm for and each of its pieces (4 MiB for Kraken)', async () => {
    const s = await loadScenario(file);
    const base = estimateRun(s.variants[0].run).bytes;
    const k = M.p2p.kraken;
    // Warm: two windows of 2 new 10 MiB layers, 3 pieces each; the 4 blobs' holders once their swarms drop.
    expect(estimateRun(s.variants[1].run).bytes).toBeCloseTo(base + 1000 * (4 * k.nodeBlob + 12 * k.nodePiece + 4 * M.nodeBlobHeld), 3);
    // Cold: the first window also pulls both images (one more pull each) and joins the 8 layers of 20 MiB
    // (5 pieces each).
    const cold = estimateRun(s.variants[2].run);
    expect(cold.swarmPieces).toBe(1000 * (8 * 5 + 4 * 3));
    const coldExtra = 2 * M.pull + 2 * M.pullWindow + 8 * k.nodeBlob + 40 * k.nodePiece + 8 * M.nodeBlobHeld;
    expect(cold.bytes).toBeCloseTo(estimateRun(s.variants[1].run).bytes + 1000 * coldExtra, 3);
    // Every piece of the blob counts (its bitfield entries and its transfers): 1 KiB pieces of a 10 MiB
    // layer are 10,240 each.
    const tiny = { ...s.variants[1].run, distribution: { ...s.variants[1].run.distribution } } as typeof s.variants[1]['run'];
    if (tiny.distribution.kind !== 'p2p') throw new Error('fixture: kraken is p2p');
    tiny.distribution.settings = { ...tiny.distribution.settings, piecePolicy: { kind: 'fixed', bytes: 1024 } };
    expect(estimateRun(tiny).swarmPieces).toBe(1000 * 4 * 10240);
  });

  it('keeps P2P swarms live for the seeder idle time: Kraken one release window, Dragonfly four', async () => {
    const s = await loadScenario(file, ['duration=24h', 'variants.1.distribution.preset=dragonfly']);
    const kraken = s.variants[2].run;
    const dragonfly = s.variants[1].run;
    // 12 releases 2 h apart: Kraken drops a swarm 5 min after its rollout, Dragonfly after 6 h, so the
    // swarms of releases k−3 … k are live at release k (floor(6 h / 2 h) + 1).
    expect(liveWindows(kraken, 12)).toBe(1);
    expect(liveWindows(dragonfly, 12)).toBe(4);
    expect(liveWindows(s.variants[0].run, 12)).toBe(1);
    expect(estimateRun(kraken).windows).toBe(4);
    expect(estimateRun(dragonfly).windows).toBe(12);
    // A seeder idle time past the whole run keeps every release live: never more windows than releases.
    const keep = { ...kraken, distribution: { ...kraken.distribution } } as typeof kraken;
    if (keep.distribution.kind !== 'p2p') throw new Error('fixture: kraken is p2p');
    keep.distribution.settings = { ...keep.distribution.settings, seederIdleS: 48 * 3600 };
    expect(liveWindows(keep, 12)).toBe(12);
    expect(estimateRun(keep).windows).toBe(12);
    // Dragonfly's 12 windows of 2 new 10 MiB layers (Dragonfly pieces: 4 MiB at this size, 3 each).
    const d = M.p2p.dragonfly;
    const perNode =
      M.node + 2 * M.nodeImage + (8 + 24) * M.nodeLayer + 24 * M.pull + 12 * (2 * M.pullWindow + 2 * d.nodeBlob + 6 * d.nodePiece) + 24 * M.nodeBlobHeld;
    expect(estimateRun(dragonfly).bytes).toBeCloseTo(M.run + 1000 * perNode, 3);
  });

  it('holds one run per thread at a time: process + workers + the largest runs side by side + outputs', async () => {
    const s = await loadScenario(file);
    const runs = s.variants.map((v) => estimateRun(v.run).bytes).sort((a, b) => b - a);
    // One thread runs all three: the largest, plus what the second largest left for the collector.
    expect(estimateBatch([s], { jobs: 1 }).bytes).toBeCloseTo(M.process + runs[0] + (runs[1] - M.run) + 3 * M.output, 3);
    // Two threads: the two largest side by side, and the third run after one of them.
    expect(estimateBatch([s], { jobs: 2 }).bytes).toBeCloseTo(M.process + 2 * M.worker + runs[0] + runs[1] + (runs[2] - M.run) + 3 * M.output, 3);
    // Replications repeat each run: with 4 threads the four largest are the cold swarm's four replications,
    // and the next four (the warm swarm's) follow them on the same threads.
    const r = estimateBatch([s], { jobs: 4, replications: 4 });
    expect(r.runs).toBe(12);
    expect(r.bytes).toBeCloseTo(M.process + 4 * M.worker + 4 * runs[0] + 4 * (runs[1] - M.run) + 12 * M.output, 3);
    // More threads than runs start no idle workers, and no thread runs twice.
    const wide = estimateBatch([s], { jobs: 16 });
    expect(wide.threads).toBe(3);
    expect(wide.bytes).toBeCloseTo(M.process + 3 * M.worker + runs[0] + runs[1] + runs[2] + 3 * M.output, 3);
  });

  it('refuses past 75 % of the machine with the sizes in the message, and runs anyway with --force', async () => {
    const s = await loadScenario(file);
    const need = estimateBatch([s], { jobs: 1 }).bytes;
    expect(() => checkMemory([s], { jobs: 1, machineBytes: need / 0.75 + 1 })).not.toThrow();
    let error: unknown;
    try {
      checkMemory([s], { jobs: 1, machineBytes: 0.1e9 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MemoryEstimateError);
    expect((error as Error).message).toMatch(/^this scenario needs ~0\.\d\d GB \(machine has 0\.10 GB\); pass --force to run anyway/);
    expect(checkMemory([s], { jobs: 1, machineBytes: 0.1e9, force: true }).bytes).toBe(need);
  });
});
