/**
 * An integer with thousands separators, exactly as `toLocaleString('en-US')` writes it ("-1,234,567"),
 * without ICU. Performance: a process's first toLocaleString costs ~20 ms (ICU loads its number formats),
 * and every run prints a count or two (the scenario's assumptions, the summary). Fractions, magnitudes
 * from 1e21 (which String writes with an exponent), NaN and ±∞ still go to toLocaleString.
 */
export function thousands(n: number): string {
  if (!Number.isInteger(n) || Math.abs(n) >= 1e21) return n.toLocaleString('en-US');
  if (Object.is(n, -0)) return '-0';
  const digits = String(Math.abs(n));
  return `${n < 0 ? '-' : ''}${digits.replace(/\B(?=(\d{3})+$)/g, ',')}`;
}
