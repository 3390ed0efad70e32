import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatPrice, formatRate, formatUSD, NOT_A_NUMBER } from '../src/scenario/units.ts';

// Same contract as the report module's formatters, so the summary can switch its import.
describe('human formatters are deterministic', () => {
  it('formatBytes: SI prefixes, three significant digits, rounding carries into the next prefix', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(999.4)).toBe('999 B');
    expect(formatBytes(999.6)).toBe('1.00 kB');
    expect(formatBytes(6e9)).toBe('6.00 GB');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(999_700)).toBe('1.00 MB');
    expect(formatBytes(123.4e12)).toBe('123 TB');
    expect(formatBytes(-2e6)).toBe('-2.00 MB');
    expect(formatBytes(NaN)).toBe(NOT_A_NUMBER);
  });

  it('formatRate: bytes/s in, bits/s out', () => {
    expect(formatRate(156_250_000)).toBe('1.25 Gbit/s');
    expect(formatRate(12_500_000)).toBe('100 Mbit/s');
    expect(formatRate(100)).toBe('800 bit/s');
    expect(formatRate(0)).toBe('0 bit/s');
  });

  it('formatDuration: ms, s, then two-part forms', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(0.85)).toBe('850 ms');
    expect(formatDuration(0.0125)).toBe('12.5 ms');
    expect(formatDuration(0.000_25)).toBe('0.25 ms');
    expect(formatDuration(0.9996)).toBe('1.00 s');
    expect(formatDuration(4.25)).toBe('4.25 s');
    expect(formatDuration(12.34)).toBe('12.3 s');
    expect(formatDuration(42)).toBe('42.0 s');
    expect(formatDuration(59.96)).toBe('1m 00s');
    expect(formatDuration(125)).toBe('2m 05s');
    expect(formatDuration(3720)).toBe('1h 02m');
    expect(formatDuration(3599.6)).toBe('1h 00m');
    expect(formatDuration(86_399)).toBe('1d 00h');
    expect(formatDuration(3 * 86_400 + 4 * 3600)).toBe('3d 04h');
    expect(formatDuration(Infinity)).toBe(NOT_A_NUMBER);
  });

  it('formatUSD: cents, thousands separators, two significant digits under half a cent', () => {
    expect(formatUSD(0)).toBe('$0.00');
    expect(formatUSD(0.27)).toBe('$0.27');
    expect(formatUSD(12.345)).toBe('$12.35');
    expect(formatUSD(1350)).toBe('$1,350.00');
    expect(formatUSD(1_234_567.891)).toBe('$1,234,567.89');
    expect(formatUSD(0.0042)).toBe('$0.0042');
    expect(formatUSD(4e-7)).toBe('$0.0000004');
    expect(formatUSD(-5)).toBe('-$5.00');
  });

  it('formatPrice quotes base-unit prices the usual way', () => {
    expect(formatPrice(9e-11, 'per-GB')).toBe('$0.09/GB');
    expect(formatPrice(1.25e-5, 'per-hour')).toBe('$0.045/h');
    expect(formatPrice(4e-7, 'per-request')).toBe('$0.0004/1000req');
    expect(formatPrice(1 / 2.628e16, 'per-GB-month')).toBe('$0.1/GB-month');
    expect(formatPrice(50, 'amount')).toBe('$50.00');
  });
});
