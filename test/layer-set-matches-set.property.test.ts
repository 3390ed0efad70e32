import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LayerSet } from '../src/cluster/layer-set.ts';

// A node's content store (cluster/layer-set.ts) must answer exactly as the Set<number> it replaced.
describe('LayerSet', () => {
  it('answers has, add, delete and size as a Set does, for any sequence of operations', () => {
    const op = fc.tuple(fc.constantFrom('add', 'delete', 'has'), fc.integer({ min: 0, max: 300 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const set = new Set<number>();
        const layers = new LayerSet();
        for (const [kind, l] of ops) {
          if (kind === 'add') {
            set.add(l);
            layers.add(l);
          } else if (kind === 'delete') expect(layers.delete(l)).toBe(set.delete(l));
          else expect(layers.has(l)).toBe(set.has(l));
          expect(layers.size).toBe(set.size);
        }
        for (let l = 0; l <= 320; l++) expect(layers.has(l)).toBe(set.has(l));
      }),
      { seed: 6, numRuns: 200 },
    );
  });

  it('refuses an id that is not a non-negative integer', () => {
    expect(() => new LayerSet().add(-1)).toThrow(/non-negative integer, got -1/);
    expect(() => new LayerSet().add(1.5)).toThrow(/got 1.5/);
  });
});
