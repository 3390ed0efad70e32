/**
 * The pool starts the longest runs first (src/parallel/work-estimate.ts): a run's expected events are
 * nodes × (pulls × per-pull events of its strategy + layers fetched × 2 + P2P pieces × 3), and the batch
 * is dispatched largest estimate first, ties in task order. Order only: outputs are the serial run's
 * (parallel-pool-matches-serial.test.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/run.ts';
import { estimateWork, largestFirst, WORK_MODEL as W } from '../src/parallel/work-estimate.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-work-'));
const file = path.join(dir, 'w.yaml');
writeFileSync(
  file,
  [
    'version: 1',
    'name: w',
    'duration: 4h',
    'cluster: { nodes: 100 }',
    'images: { count: 2, size: 80 MiB, layers: 4 }',
    'releases: { every: 2h, delta: 10 MiB }',
    'variants:',
    '  - name: ecr',
    '    distribution: { kind: hosted, preset: ecr }',
    '  - name: private',
    '    distribution: { kind: private }',
    '  - name: ecr-again',
    '    distribution: { kind: hosted, preset: ecr }',
    '  - name: kraken-cold',
    '    cluster: { nodes: 100, cache: cold }',
    '    distribution: { kind: p2p, preset: kraken }',
    '',
  ].join('\n'),
);

describe('the work estimate', () => {
  it('counts pulls, layers and pieces per node', async () => {
    const [ecr, priv, , kraken] = (await loadScenario(file)).variants.map((v) => v.run);
    // Warm: 2 releases × 2 images = 4 pulls and 4 new layers per node.
    expect(estimateWork(ecr)).toBe(100 * (4 * W.perPull.hosted + 4 * W.perLayer));
    expect(estimateWork(priv)).toBe(100 * (4 * W.perPull.private + 4 * W.perLayer));
    // Cold: 2 more pulls and every layer (2 × 4 of 20 MiB: 5 Kraken pieces of 4 MiB each), then the two
    // releases' 10 MiB layers (3 pieces each).
    const pieces = 8 * 5 + 4 * 3;
    expect(estimateWork(kraken)).toBe(100 * (6 * W.perPull.p2p + 12 * W.perLayer + pieces * W.perPiece));
  });

  it('orders a batch largest first, equal estimates in task order', async () => {
    const runs = (await loadScenario(file)).variants.map((v) => v.run);
    expect(largestFirst(runs)).toEqual([3, 1, 0, 2]);
    expect(largestFirst([runs[2], runs[0]])).toEqual([0, 1]);
    expect(largestFirst([])).toEqual([]);
  });
});
