/**
 * Empty arrays created in the elements kind they end up in.
 *
 * Performance: V8 gives an array a hidden class by what it holds (small integers, doubles, anything) and
 * moves it to a more general one on the first value that does not fit. `[]` starts as "small integers",
 * so a model array of objects or doubles changes class on its first push, and code compiled during one
 * run has only seen the final class. A worker thread runs several variants in a row, and each run's
 * model builds its arrays anew: every compiled function that touched one then met an empty array of the
 * first class, was discarded, and compiled again (`--trace-deopt`, the seed's two later variants in one
 * thread: 14 such discards at model arrays before, none after). An array made here has its final class
 * from the start, the same in every run; length 0 never moves an array back to a narrower kind.
 */

/** An empty array for objects, strings, functions or undefined (V8's PACKED_ELEMENTS). */
export function objectArray<T>(): T[] {
  const a: unknown[] = [undefined];
  a.length = 0;
  return a as T[];
}

/**
 * An empty array for objects or undefined that is written at indices past its end (V8's HOLEY_ELEMENTS):
 * a cache keyed by a computed slot.
 */
export function holeyArray<T>(): T[] {
  const a: unknown[] = [, undefined];
  a.length = 0;
  return a as T[];
}

/** An empty array for numbers that may be fractional (V8's PACKED_DOUBLE_ELEMENTS). */
export function doubleArray(): number[] {
  const a = [0.5];
  a.length = 0;
  return a;
}

type View = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;
type ViewClass = new (buffer: ArrayBuffer, byteOffset: number, length: number) => View;

/**
 * Rewrites the named typed-array fields of `obj` with copies (named views that shared a buffer share the
 * copy), so V8 records those fields as reassigned from construction on. Call at the end of the
 * constructor of a class, naming the typed arrays that later grow by replacement.
 *
 * Performance: V8 treats a field it has only seen initialised as constant, and optimised code may rely
 * on that (a load kept across a call); the first reassignment (an array outgrowing itself mid-run: the
 * kernel's front in the seed's private registry, the local solver's link list) then discards every
 * optimised function that depends on it, with everything they were inlined into, and they compile
 * again (`--trace-deopt`: "marking dependent code … code dependencies"). A field reassigned in the
 * constructor never counts as constant, so that never happens. Only the fields that do grow are named:
 * a constant field's loads stay hoisted (all of the kernel's typed arrays made reassignable cost its hold
 * loop +2.4 % instructions at 1e3 pending). Fields of one class share this state through their hidden
 * class, so the first object built pays for all; the copies are of the initial, small arrays.
 */
export function typedArraysReassigned(obj: object, names: readonly string[]): void {
  const fields = obj as Record<string, unknown>;
  const copies = new Map<ArrayBufferLike, ArrayBuffer>();
  for (const name of names) {
    const v = fields[name];
    if (!ArrayBuffer.isView(v) || v instanceof DataView) throw new TypeError(`internal: field ${name} is not a typed array`);
    const view = v as View;
    let buffer = copies.get(view.buffer);
    if (buffer === undefined) {
      buffer = (view.buffer as ArrayBuffer).slice(0);
      copies.set(view.buffer, buffer);
    }
    fields[name] = new (view.constructor as ViewClass)(buffer, view.byteOffset, view.length);
  }
}
