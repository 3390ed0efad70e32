/**
 * thousands() writes integers as toLocaleString('en-US') does, without loading ICU (src/report/thousands.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thousands } from '../src/report/thousands.ts';

describe('thousands', () => {
  it('writes every integer as toLocaleString("en-US") does', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.double({ min: -1e22, max: 1e22 }).map(Math.round)), (n) => {
        expect(thousands(n)).toBe(n.toLocaleString('en-US'));
      }),
      { numRuns: 2000 },
    );
  });

  it('groups by threes, keeps the sign and -0, and leaves other numbers to toLocaleString', () => {
    expect([0, 999, 1000, 12345, 999999, 1000000, -1234567, -0, 1e21, 2 ** 53 + 2].map(thousands)).toEqual([
      '0',
      '999',
      '1,000',
      '12,345',
      '999,999',
      '1,000,000',
      '-1,234,567',
      '-0',
      '1,000,000,000,000,000,000,000',
      '9,007,199,254,740,994',
    ]);
    expect([1234.5678, Number.NaN, Number.POSITIVE_INFINITY].map(thousands)).toEqual(['1,234.568', 'NaN', '∞']);
  });
});
