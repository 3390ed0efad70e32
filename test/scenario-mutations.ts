/**
 * Mutations of scenario files for the fuzz tests (loader-level and CLI-level): the edits a person, or a
 * bad merge, makes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';

/** Every bundled scenario (scenarios/*.yaml), by name, with its text. */
export function bundledScenarios(): { name: string; text: string }[] {
  return readdirSync('scenarios')
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(path.join('scenarios', f), 'utf8') }));
}

/** Edits a person (or a bad merge) makes: drop, duplicate or swap lines, change a character, a number or a unit. */
export function mutation(text: string): fc.Arbitrary<string> {
  const lines = text.split('\n');
  const at = fc.nat({ max: Math.max(0, lines.length - 1) });
  const pos = fc.nat({ max: Math.max(0, text.length - 1) });
  // Every number in the file (counts, sizes, durations, rates, prices), so each field gets its share of edits.
  const numbers = [...text.matchAll(/\b\d+(\.\d+)?\b/g)].map((m) => ({ at: m.index, length: m[0].length, value: m[0] }));
  const number = fc.nat({ max: Math.max(0, numbers.length - 1) });
  const numberAt = (k: number, f: (m: string) => string) => {
    const n = numbers[k];
    return n ? text.slice(0, n.at) + f(n.value) + text.slice(n.at + n.length) : text;
  };
  return fc.oneof(
    at.map((i) => lines.filter((_, j) => j !== i).join('\n')),
    at.map((i) => [...lines.slice(0, i + 1), lines[i], ...lines.slice(i + 1)].join('\n')),
    fc.tuple(at, at).map(([i, j]) => {
      const l = [...lines];
      [l[i], l[j]] = [l[j], l[i]];
      return l.join('\n');
    }),
    fc.tuple(pos, fc.constantFrom(' ', ':', '-', '{', '}', '[', '"', "'", '&', '*', '!', '#', '|', '>', '\t', '0', '9', 'é', '\u0000', '\u202E')).map(([i, ch]) => text.slice(0, i) + ch + text.slice(i + 1)),
    pos.map((i) => text.slice(0, i) + text.slice(i + 1)),
    fc.tuple(number, fc.constantFrom('-1', '0', '1e309', '99999999999', '0.5', '1e-9', 'NaN', '.inf', 'null', '~', '[]', '{}', 'true', '"x"', '*a')).map(([k, v]) => numberAt(k, () => v)),
    fc.tuple(number, fc.constantFrom(10, 1000, 1e6)).map(([k, f]) => numberAt(k, (m) => String(Number(m) * f))),
    fc.tuple(fc.constantFrom('KB', 'MB', 'GB', 'h', 's', 'Gbit/s', 'ms'), fc.constantFrom('MB', 'Mb', 'MBs', 'mb', 'GiB', 'Gbps', 'ms', 'us', 'h', 'd', '$', '%', '')).map(([from, to]) =>
      text.replace(new RegExp(`\\b${from.replace('/', '\\/')}\\b`), to),
    ),
  );
}

