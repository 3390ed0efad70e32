/**
 * The stable-kind arrays (src/stable-arrays.ts): empty, independent, and in the V8 elements kind each
 * promises, asked of V8 itself in a child process (its natives need --allow-natives-syntax).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { doubleArray, holeyArray, objectArray } from '../src/stable-arrays.ts';
import { inV8 } from './v8-natives.ts';

describe('stable-kind arrays', () => {
  it('are empty and a new array on every call', () => {
    for (const make of [objectArray, holeyArray, doubleArray]) {
      const a = make();
      const b = make();
      expect(a).toEqual([]);
      expect(a).not.toBe(b);
      (a as unknown[]).push(1.5);
      expect(b.length).toBe(0);
    }
  });

  it('start in the elements kind they are named for, where [] starts as small integers', () => {
    const mod = fileURLToPath(new URL('../src/stable-arrays.ts', import.meta.url));
    const code = `
      import { objectArray, holeyArray, doubleArray } from ${JSON.stringify(mod)};
      const kinds = (a) => ({ object: %HasObjectElements(a), double: %HasDoubleElements(a), smi: %HasSmiElements(a), holey: %HasHoleyElements(a) });
      console.log(JSON.stringify({ object: kinds(objectArray()), holey: kinds(holeyArray()), double: kinds(doubleArray()), literal: kinds([]) }));`;
    expect(inV8(code)).toEqual({
      object: { object: true, double: false, smi: false, holey: false },
      holey: { object: true, double: false, smi: false, holey: true },
      double: { object: false, double: true, smi: false, holey: false },
      literal: { object: false, double: false, smi: true, holey: false },
    });
  });
});
