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
