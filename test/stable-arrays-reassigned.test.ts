import { describe, expect, it } from 'vitest';
import { typedArraysReassigned } from '../src/stable-arrays.ts';
import { Simulator } from '../src/kernel/index.ts';

// typedArraysReassigned replaces typed-array fields with copies (so V8 sees them reassigned); what the
// object holds must not change, and views that shared a buffer must still share one.

describe('typedArraysReassigned', () => {
  it('keeps contents, keeps views of one buffer aliased, and leaves other fields alone', () => {
    const f = new Float64Array([1.5, -2, 3]);
    const o = {
      f,
      u: new Uint32Array(f.buffer),
      part: new Int32Array(new ArrayBuffer(32), 8, 3),
      list: [1, 2],
      n: 7,
      view: new DataView(new ArrayBuffer(4)),
    };
    const { list, view } = o;
    o.part.set([4, 5, 6]);
    typedArraysReassigned(o, ['f', 'u', 'part']);
    expect(o.f).not.toBe(f);
    expect([...o.f]).toEqual([1.5, -2, 3]);
    // Still one buffer: a write through one view shows through the other.
    expect(o.u.buffer).toBe(o.f.buffer);
    expect(o.part.buffer).not.toBe(o.f.buffer);
    o.f[0] = 0;
    expect(o.u[0]).toBe(0);
    expect(o.u[1]).toBe(0);
    expect(f[0]).toBe(1.5); // the original is untouched
    expect([o.part.byteOffset, o.part.length, ...o.part]).toEqual([8, 3, 4, 5, 6]);
    expect(o.list).toBe(list);
    expect(o.view).toBe(view);
    expect(o.n).toBe(7);
    // A field that is not a typed array is a mistake in the caller (a renamed field), not skipped.
    expect(() => typedArraysReassigned(o, ['list'])).toThrow(/field list is not a typed array/);
    expect(() => typedArraysReassigned(o, ['missing'])).toThrow(TypeError);
  });

  it('leaves the kernel working: its record views still alias (a run dispatches in order)', () => {
    const sim = new Simulator(4);
    const seen: number[] = [];
    const t = sim.register((a) => seen.push(a));
    for (let i = 0; i < 40; i++) sim.schedule(40 - i, t, i);
    expect(sim.run().events).toBe(40);
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => 39 - i));
  });
});
