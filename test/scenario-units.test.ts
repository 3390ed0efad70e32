import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDuration,
  formatPrice,
  formatRate,
  parseDuration,
  parsePrice,
  parseRate,
  parseSize,
  SECONDS_PER_MONTH,
  UNIT_FACTORS,
  UnitError,
  type PriceKind,
} from '../src/scenario/units.ts';

/** The UnitError a call throws (fails the test if it does not throw one). */
function unitError(f: () => unknown): UnitError {
  try {
    f();
  } catch (e) {
    if (e instanceof UnitError) return e;
    throw e;
  }
  throw new Error('expected a UnitError');
}

describe('sizes parse to exact bytes', () => {
  it.each([
    ['1 B', 1], ['100 kB', 100_000], ['100 KB', 100_000], ['100KB', 100_000], ['3 MB', 3_000_000],
    ['6 GB', 6e9], ['2 TB', 2e12], ['1 PB', 1e15],
    ['1 KiB', 1024], ['1 MiB', 1_048_576], ['1.5 GiB', 1_610_612_736], ['1 TiB', 1_099_511_627_776], ['1 PiB', 2 ** 50],
    ['0.1 GB', 100_000_000], ['0.5 B', 0.5],
  ])('%s → %d', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it('takes a plain non-negative number as bytes', () => {
    expect(parseSize(4096)).toBe(4096);
    expect(unitError(() => parseSize(-1)).message).toBe('invalid size -1');
  });
});

describe('rates parse to exact bytes per second', () => {
  it.each([
    ['8 bit/s', 1], ['1 kbit/s', 125], ['100 Mbit/s', 12_500_000], ['10 Gbit/s', 1.25e9], ['1 Tbit/s', 1.25e11],
    ['8 bps', 1], ['1 kbps', 125], ['100 Mbps', 12_500_000], ['1 Gbps', 125_000_000], ['1 Tbps', 1.25e11],
    ['1 B/s', 1], ['1 kB/s', 1000], ['1 KB/s', 1000], ['125 MB/s', 125e6], ['1 GB/s', 1e9], ['1 TB/s', 1e12],
    ['1 KiB/s', 1024], ['1 MiB/s', 1_048_576], ['2 GiB/s', 2 ** 31], ['300 MiB/s', 314_572_800],
  ])('%s → %d', (text, bytesPerSecond) => {
    expect(parseRate(text)).toBe(bytesPerSecond);
  });
});

describe('durations parse to exact seconds', () => {
  it.each([
    ['850 ms', 0.85], ['0.5 ms', 0.0005], ['30 s', 30], ['30s', 30], ['5 m', 300], ['5 min', 300], ['2 h', 7200],
    ['1 d', 86_400], ['1.5h', 5400], ['1h30m', 5400], ['1h 30m', 5400], ['2m30s', 150], ['1d2h3m4s', 93_784],
    ['4m 05s', 245], ['1h 02m', 3720],
  ])('%s → %d', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it('takes a plain non-negative number as seconds', () => {
    expect(parseDuration(90)).toBe(90);
  });
});

describe('prices parse to dollars in base units', () => {
  it.each<[string, PriceKind, number]>([
    ['$0.09/GB', 'per-GB', 9e-11],
    ['$0.08/GiB', 'per-GB', 0.08 / 2 ** 30],
    ['$0.045/h', 'per-hour', 1.25e-5],
    ['$15/month', 'per-hour', 15 / SECONDS_PER_MONTH],
    ['$1.2/d', 'per-hour', 12 / 864_000],
    ['$0.0004/1000req', 'per-request', 4e-7],
    ['$0.01/req', 'per-request', 0.01],
    ['$0.10/GB-month', 'per-GB-month', 1 / 2.628e16],
    ['$50', 'amount', 50],
  ])('%s (%s) → %d', (text, kind, value) => {
    expect(parsePrice(text, kind)).toBe(value);
  });

  it('counts a month as 730 hours', () => {
    expect(SECONDS_PER_MONTH).toBe(2_628_000);
  });
});

describe('rejections say how to fix the value', () => {
  it('"100 MBs" as a size suggests "100 MB"; as a rate "100 MB/s"', () => {
    const size = unitError(() => parseSize('100 MBs'));
    expect(size.message).toBe('invalid size "100 MBs"');
    expect(size.suggestion).toBe('100 MB');
    expect(size.hint).toBe('did you mean "100 MB"? ("MBs" looks like a rate; a size was expected, e.g. "100 KB")');
    expect(unitError(() => parseRate('100 MBs')).suggestion).toBe('100 MB/s');
    expect(unitError(() => parseRate('100 MBps')).hint).toBe('did you mean "100 MB/s"? (rates are written with "/s")');
  });

  it('"Mb" is ambiguous: a size hint names MB, a rate hint names Mbit/s and MB/s', () => {
    expect(unitError(() => parseSize('10 Mb')).hint).toBe(
      '"Mb" is ambiguous here: megabits ("Mbit") are not a size; write "10 MB" for megabytes or "10 MiB" (powers of 2)',
    );
    expect(unitError(() => parseRate('10 Mb/s')).hint).toBe(
      '"Mb/s" is ambiguous: write "10 Mbit/s" (or "10 Mbps") for megabits per second, or "10 MB/s" for megabytes per second',
    );
  });

  it.each([
    ['10 mb', '10 MB'], ['10 gb', '10 GB'], ['10 kb', '10 kB'], ['10 mib', '10 MiB'], ['10 b', '10 B'], ['5 GiiB', '5 GiB'],
  ])('miscased or misspelt %s suggests %s', (text, fixed) => {
    expect(unitError(() => parseSize(text)).suggestion).toBe(fixed);
  });

  it('an unknown unit lists the units of the expected kind', () => {
    const e = unitError(() => parseSize('5 parsecs'));
    expect(e.message).toBe('invalid size "5 parsecs"');
    expect(e.hint).toBe('unknown unit "parsecs"; sizes use B, kB, KB, MB, GB, TB, PB (powers of 10) or KiB, MiB, GiB, TiB, PiB (powers of 2)');
    expect(e.value).toBe('5 parsecs');
  });

  it('a rate where a size is expected, and the reverse, say which kind was expected', () => {
    expect(unitError(() => parseSize('100 MB/s')).hint).toBe('did you mean "100 MB"? ("MB/s" is a rate; a size was expected)');
    expect(unitError(() => parseRate('100 MB')).hint).toBe('did you mean "100 MB/s"? ("MB" is a size; a rate was expected)');
    expect(unitError(() => parseDuration('5 MB')).hint).toBe('"MB" is a size; a duration was expected, e.g. "1h30m"');
    expect(unitError(() => parseRate('30 s')).hint).toBe('"s" is a duration; a rate was expected, e.g. "1 Gbit/s"');
  });

  it('numbers with separators, exponents, signs or double spaces are rejected with the fixed text', () => {
    expect(unitError(() => parseSize('1,000 MB')).suggestion).toBe('1000 MB');
    expect(unitError(() => parseSize('1_000 MB')).suggestion).toBe('1000 MB');
    expect(unitError(() => parseSize('1e3 MB')).suggestion).toBe('1000 MB');
    expect(unitError(() => parseSize('.5 GB')).suggestion).toBe('0.5 GB');
    expect(unitError(() => parseSize('100  KB')).suggestion).toBe('100 KB');
    expect(unitError(() => parseSize('-5 MB')).hint).toBe('a size cannot be negative');
  });

  it('a rate needs a unit: a plain number is rejected', () => {
    expect(unitError(() => parseRate(1000 as unknown as string)).hint).toBe(
      'write e.g. "1000 Mbit/s" for megabits or "1000 MB/s" for megabytes per second',
    );
  });

  it('compound durations: unit missing at the end, wrong order, decimals before the end', () => {
    expect(unitError(() => parseDuration('1h30')).suggestion).toBe('1h30m');
    expect(unitError(() => parseDuration('30m1h')).hint).toMatch(/from the largest unit to the smallest/);
    expect(unitError(() => parseDuration('1.5h30m')).hint).toMatch(/only the last part/);
    expect(unitError(() => parseDuration('10 mins')).suggestion).toBe('10 min');
    expect(unitError(() => parseDuration('30')).hint).toMatch(/^the unit is missing/);
  });

  it('prices: missing "$", wrong case, wrong kind, "/m"', () => {
    expect(unitError(() => parsePrice('0.09/GB', 'per-GB')).suggestion).toBe('$0.09/GB');
    expect(unitError(() => parsePrice('$0.09/gb', 'per-GB')).suggestion).toBe('$0.09/GB');
    expect(unitError(() => parsePrice('$0.1/GB/month', 'per-GB-month')).suggestion).toBe('$0.1/GB-month');
    expect(unitError(() => parsePrice('$0.09/h', 'per-GB')).hint).toBe(
      '"$0.09/h" is a price per unit of time, but a price per amount of data was expected, e.g. "$0.09/GB"',
    );
    expect(unitError(() => parsePrice('$0.045/m', 'per-hour')).hint).toBe(
      '"/m" is ambiguous: write "/min" for per minute or "/month" for per month',
    );
    expect(unitError(() => parsePrice('$1,350', 'amount')).suggestion).toBe('$1350');
  });
});

describe('units round-trip (properties)', () => {
  const unitOf = (kind: 'size' | 'rate' | 'duration') => fc.constantFrom(...Object.keys(UNIT_FACTORS[kind]));
  const closeTo = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.abs(b);

  it('parse(`${n} ${unit}`) = n × factor for every spelling', () => {
    for (const kind of ['size', 'rate', 'duration'] as const) {
      const parse = { size: parseSize, rate: parseRate, duration: parseDuration }[kind];
      fc.assert(
        fc.property(fc.nat(10_000_000), unitOf(kind), fc.boolean(), (n, unit, spaced) => {
          const parsed = parse(`${n}${spaced ? ' ' : ''}${unit}`);
          return closeTo(parsed, n * UNIT_FACTORS[kind][unit], 2 ** -52);
        }),
      );
    }
  });

  it('decimals scale with one rounding: parse("i.f unit") = Number("i.f") × factor', () => {
    fc.assert(
      fc.property(fc.nat(99_999), fc.nat(999), unitOf('size'), (i, f, unit) => {
        const text = `${i}.${String(f).padStart(3, '0')}`;
        return closeTo(parseSize(`${text} ${unit}`), Number(text) * UNIT_FACTORS.size[unit], 2 ** -51);
      }),
    );
  });

  it('formatted sizes, rates and durations parse back to within their shown precision', () => {
    // three significant digits from 1 kB and 1 kbit/s up (whole bytes and bits below)
    fc.assert(
      fc.property(fc.double({ min: 1000, max: 9e17, noNaN: true }), (n) => closeTo(parseSize(formatBytes(n)), n, 0.005)),
    );
    fc.assert(
      fc.property(fc.double({ min: 125, max: 1e13, noNaN: true }), (n) => closeTo(parseRate(formatRate(n)), n, 0.005)),
    );
    // worst case: "1d 00h" shows days to the hour, ±30 min of at least 24 h
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e8, noNaN: true }), (s) => closeTo(parseDuration(formatDuration(s)), s, 1 / 48)),
    );
  });

  it('formatted prices parse back to within 4 significant digits', () => {
    const kinds: PriceKind[] = ['per-GB', 'per-hour', 'per-request', 'per-GB-month'];
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.double({ min: 1e-20, max: 1, noNaN: true }), (kind, x) =>
        closeTo(parsePrice(formatPrice(x, kind), kind), x, 5e-4)),
    );
  });
});
