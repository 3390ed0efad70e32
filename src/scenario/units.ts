// Strict unit grammar (DESIGN §9): human quantities in, base units out (bytes, bytes/second, seconds,
// US dollars). Case matters; SI (10^n) and IEC (2^n) prefixes are explicit; anything ambiguous is
// rejected with a hint that says how to write it. Also the zod helpers the scenario schema uses, and
// deterministic formatters for humans (no locale).

import { z } from 'zod';
import { closest, showValue } from './errors.ts';

export type Quantity = 'size' | 'rate' | 'duration';
/**
 * What a price is charged for (named as prices are quoted); the parsed value is always in base units:
 *   'amount'       "$50"                         → $
 *   'per-GB'       "$0.09/GB", "$0.08/GiB"       → $ per byte
 *   'per-hour'     "$0.045/h", "$15/month"       → $ per second (any time unit: s, min, h, d, month)
 *   'per-request'  "$0.0004/1000req", "$0.01/req" → $ per request
 *   'per-GB-month' "$0.10/GB-month"              → $ per byte-second (storage)
 */
export type PriceKind = 'amount' | 'per-GB' | 'per-hour' | 'per-request' | 'per-GB-month';

/** A user's unit mistake: message, how to fix it, and the value as written. */
export class UnitError extends Error {
  override readonly name = 'UnitError';
  constructor(
    message: string,
    readonly value: unknown,
    readonly hint: string | undefined,
    /** The corrected text when there is exactly one plausible fix, e.g. "100 MB/s". */
    readonly suggestion?: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------- unit tables

/** factor = num / den, both exact integers, so decimal inputs scale with a single rounding. */
interface Ratio {
  num: number;
  den: number;
}
const r = (num: number, den = 1): Ratio => ({ num, den });

const SIZE_UNITS: Readonly<Record<string, Ratio>> = {
  B: r(1), kB: r(1e3), KB: r(1e3), MB: r(1e6), GB: r(1e9), TB: r(1e12), PB: r(1e15),
  KiB: r(2 ** 10), MiB: r(2 ** 20), GiB: r(2 ** 30), TiB: r(2 ** 40), PiB: r(2 ** 50),
};

const RATE_UNITS: Readonly<Record<string, Ratio>> = {
  'bit/s': r(1, 8), 'kbit/s': r(1e3, 8), 'Mbit/s': r(1e6, 8), 'Gbit/s': r(1e9, 8), 'Tbit/s': r(1e12, 8),
  bps: r(1, 8), kbps: r(1e3, 8), Mbps: r(1e6, 8), Gbps: r(1e9, 8), Tbps: r(1e12, 8),
  'B/s': r(1), 'kB/s': r(1e3), 'KB/s': r(1e3), 'MB/s': r(1e6), 'GB/s': r(1e9), 'TB/s': r(1e12),
  'KiB/s': r(2 ** 10), 'MiB/s': r(2 ** 20), 'GiB/s': r(2 ** 30),
};

const DURATION_UNITS: Readonly<Record<string, Ratio>> = {
  ms: r(1, 1000), s: r(1), m: r(60), min: r(60), h: r(3600), d: r(86400),
};
/** Compound durations go from the largest unit to the smallest: 1d2h3m4s5ms. */
const DURATION_RANK: Readonly<Record<string, number>> = { d: 5, h: 4, m: 3, min: 3, s: 2, ms: 1 };

/** A month is 730 h (365 d / 12), the convention of the AWS and GCP pricing calculators. */
export const SECONDS_PER_MONTH = 730 * 3600;
const PRICE_TIME_UNITS: Readonly<Record<string, number>> = {
  s: 1, min: 60, h: 3600, d: 86400, month: SECONDS_PER_MONTH,
};

const TABLES: Readonly<Record<Quantity, Readonly<Record<string, Ratio>>>> = {
  size: SIZE_UNITS,
  rate: RATE_UNITS,
  duration: DURATION_UNITS,
};

const toFactors = (t: Readonly<Record<string, Ratio>>): Readonly<Record<string, number>> =>
  Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.num / v.den]));

/** Every accepted spelling and its factor to base units (bytes, bytes/s, seconds). */
export const UNIT_FACTORS: Readonly<Record<Quantity, Readonly<Record<string, number>>>> = {
  size: toFactors(SIZE_UNITS),
  rate: toFactors(RATE_UNITS),
  duration: toFactors(DURATION_UNITS),
};

const KIND_NAME: Record<Quantity, string> = { size: 'size', rate: 'rate', duration: 'duration' };
const EXAMPLE: Record<Quantity, string> = { size: '"100 KB"', rate: '"1 Gbit/s"', duration: '"1h30m"' };
const UNIT_LIST: Record<Quantity, string> = {
  size: 'sizes use B, kB, KB, MB, GB, TB, PB (powers of 10) or KiB, MiB, GiB, TiB, PiB (powers of 2)',
  rate:
    'rates use bit/s, kbit/s, Mbit/s, Gbit/s, Tbit/s (or bps, kbps, Mbps, Gbps) for bits and ' +
    'B/s, kB/s, MB/s, GB/s, KiB/s, MiB/s, GiB/s for bytes',
  duration: 'durations use ms, s, m or min, h, d, and compounds like "1h30m" or "2m30s"',
};

// ---------------------------------------------------------------- numbers

interface Magnitude {
  text: string;
  mantissa: number;
  decimals: number;
}

/** A decimal scaled by a ratio with one rounding: "0.09" × 1/1e9 is 9 / 1e11, not 0.09 × 1e-9. */
function scale(m: Magnitude, f: Ratio): number {
  return (m.mantissa * f.num) / (10 ** m.decimals * f.den);
}

const NUMBER_RE = /^(\d+)(?:\.(\d+))?/;

/** Reads the leading number; rejects signs, separators, exponents and bare dots with a fix. */
function readNumber(text: string, what: string, example: string, prefix = ''): { mag: Magnitude; rest: string } {
  const fail = (hint: string, fix?: string): never => {
    throw new UnitError(`invalid ${what} ${JSON.stringify(prefix + text)}`, prefix + text, hint, fix);
  };
  if (text === '') fail(`the value is empty; write e.g. ${example}`);
  if (text.startsWith('-')) fail(`a ${what} cannot be negative`);
  if (text.startsWith('+')) fail('drop the "+"', prefix + text.slice(1));
  const grouped = /^\d{1,3}(?:[,_]\d{3})+(?:\.\d+)?/.exec(text);
  if (grouped) {
    const fixed = prefix + grouped[0].replace(/[,_]/g, '') + text.slice(grouped[0].length);
    fail(`write numbers without thousands separators: ${JSON.stringify(fixed)}`, fixed);
  }
  const exp = /^\d+(?:\.\d+)?[eE][+-]?\d+/.exec(text);
  if (exp) {
    const plain = Number(exp[0]);
    const fixed = prefix + (Number.isFinite(plain) ? String(plain) : exp[0]) + text.slice(exp[0].length);
    const ok = !/e/i.test(String(plain));
    fail(ok ? `write the number without an exponent: ${JSON.stringify(fixed)}` : 'write the number without an exponent, using a larger unit', ok ? fixed : undefined);
  }
  if (/^\.\d/.test(text)) {
    const fixed = `${prefix}0${text}`;
    fail(`write a digit before the decimal point: ${JSON.stringify(fixed)}`, fixed);
  }
  const m = NUMBER_RE.exec(text);
  if (!m) fail(`expected a number followed by a unit, e.g. ${example}`);
  const [all, int, frac = ''] = m!;
  if (text[all.length] === '.') fail(`write ${JSON.stringify(prefix + all)} or add digits after the decimal point`);
  return {
    mag: { text: all, mantissa: Number(int + frac), decimals: frac.length },
    rest: text.slice(all.length),
  };
}

// ---------------------------------------------------------------- size, rate, duration

function fail(kind: Quantity, text: string, hint: string, fix?: string): never {
  throw new UnitError(`invalid ${KIND_NAME[kind]} ${JSON.stringify(text)}`, text, hint, fix);
}

/** Splits "100 KB" into number and unit; one optional space between them. */
function splitUnit(kind: Quantity, text: string): { mag: Magnitude; unit: string; sep: string } {
  const { mag, rest } = readNumber(text, KIND_NAME[kind], EXAMPLE[kind]);
  if (/^\s{2,}/.test(rest) || /^\t/.test(rest)) {
    const fixed = `${mag.text} ${rest.trim()}`;
    fail(kind, text, `use at most one space between the number and the unit: ${JSON.stringify(fixed)}`, fixed);
  }
  const sep = rest.startsWith(' ') ? ' ' : '';
  return { mag, unit: rest.slice(sep.length), sep };
}

function parseQuantity(kind: 'size' | 'rate', input: unknown): number {
  if (typeof input === 'number') {
    if (kind === 'size' && Number.isFinite(input) && input >= 0) return input;
    if (kind === 'size') throw new UnitError(`invalid size ${input}`, input, 'a size must be a non-negative number of bytes, or a string like "100 KB"');
    throw new UnitError(
      `invalid rate ${input}: a rate needs a unit`,
      input,
      `write e.g. "${input} Mbit/s" for megabits or "${input} MB/s" for megabytes per second`,
    );
  }
  if (typeof input !== 'string') {
    throw new UnitError(`invalid ${kind} ${String(JSON.stringify(input))}`, input, `expected a ${kind} like ${EXAMPLE[kind]}`);
  }
  const text = input.trim();
  const { mag, unit, sep } = splitUnit(kind, text);
  const factor = TABLES[kind][unit];
  if (factor) return scale(mag, factor);
  explain(kind, text, diagnoseUnit(kind, unit), '', mag.text + sep, '');
}

/** What is wrong with a unit: either a fix (the unit that was probably meant) or only a hint. */
interface Diagnosis {
  fix?: string;
  /** Why the fix, shown after "did you mean …?" */
  why?: string;
  /** Replaces "did you mean"; `{n}` stands for the number as written, with its space. */
  hint?: string;
}

/** Throws the UnitError for a diagnosed unit at `before` + `num` + unit + `after` in `text`. */
function explain(kind: Quantity, text: string, d: Diagnosis, before: string, num: string, after: string): never {
  const suggestion = d.fix === undefined ? undefined : before + num + d.fix + after;
  const hint = d.hint !== undefined
    ? d.hint.replaceAll('{n}', num)
    : `did you mean ${JSON.stringify(suggestion)}?${d.why ? ` (${d.why})` : ''}`;
  fail(kind, text, hint, suggestion);
}

const PREFIX_FIX: Record<string, string> = { k: 'k', K: 'k', m: 'M', M: 'M', g: 'G', G: 'G', t: 'T', T: 'T' };
const PREFIX_NAME: Record<string, string> = { '': '', k: 'kilo', M: 'mega', G: 'giga', T: 'tera' };

/** Why a unit is not accepted for `kind`, and the unit that was probably meant. */
function diagnoseUnit(kind: Quantity, unit: string): Diagnosis {
  const q = (u: string): string => JSON.stringify(u);
  const expected = `a ${KIND_NAME[kind]} was expected, e.g. ${EXAMPLE[kind]}`;
  if (unit === '') {
    const plain = kind === 'size' ? ' (or a plain number of bytes)' : kind === 'duration' ? ' (or a plain number of seconds)' : '';
    return { hint: `the unit is missing; ${UNIT_LIST[kind]}${plain}` };
  }
  // a valid unit of another quantity
  if (kind !== 'size' && SIZE_UNITS[unit]) {
    if (kind === 'rate') return { fix: `${unit}/s`, why: `${q(unit)} is a size; a rate was expected` };
    return { hint: `${q(unit)} is a size; ${expected}` };
  }
  if (kind !== 'rate' && RATE_UNITS[unit]) {
    const bytes = /^(.*B)\/s$/.exec(unit);
    if (kind === 'size' && bytes) return { fix: bytes[1], why: `${q(unit)} is a rate; a size was expected` };
    return { hint: `${q(unit)} is a rate; ${expected}` };
  }
  if (kind !== 'duration' && DURATION_UNITS[unit]) return { hint: `${q(unit)} is a duration; ${expected}` };

  // bytes per second spelt MBs, MBps, MB/sec, MB/second
  const perSecond = /^([kKMGTP]?i?B)(?:ps|s|\/sec|\/second|\/S)$/.exec(unit);
  if (perSecond && SIZE_UNITS[perSecond[1]]) {
    if (kind === 'rate') return { fix: `${perSecond[1]}/s`, why: 'rates are written with "/s"' };
    if (kind === 'size') return { fix: perSecond[1], why: `${q(unit)} looks like a rate; ${expected}` };
  }
  const bitsPerSecond = /^([kKMGT]?)bit(?:ps|s|\/sec|\/second)$/.exec(unit);
  if (bitsPerSecond) {
    const fix = `${bitsPerSecond[1] ? PREFIX_FIX[bitsPerSecond[1]] : ''}bit/s`;
    if (kind === 'rate') return { fix, why: 'rates are written with "/s"' };
    return { hint: `${q(unit)} looks like a rate; ${expected}` };
  }
  // lowercase b: bits, or a miscased byte unit?
  const bits = /^([kKmMgGtT]?)(b|bit|bits)(\/s|ps)?$/.exec(unit);
  if (bits && kind !== 'duration') {
    const [, p, b, perS] = bits;
    const P = p ? PREFIX_FIX[p] : '';
    const bytes = P === 'k' ? 'kB' : `${P}B`;
    const iec = `${P === 'k' ? 'K' : P}iB`;
    if (kind === 'size') {
      if (perS) return { hint: `${q(unit)} looks like a rate; ${expected}` };
      if (b === 'b' && (p === '' || p === 'k' || p === 'm' || p === 'g' || p === 't')) {
        return { fix: bytes, why: p === '' ? 'a lowercase "b" means bits; sizes are in bytes' : 'case matters in units' };
      }
      return {
        hint: `${q(unit)} is ambiguous here: ${PREFIX_NAME[P]}bits (${q(`${P}bit`)}) are not a size; write "{n}${bytes}" for ${PREFIX_NAME[P]}bytes${P ? ` or "{n}${iec}" (powers of 2)` : ''}`,
        fix: bytes,
      };
    }
    if (b !== 'b') return { fix: `${P}bit/s`, why: perS ? 'case matters in units' : 'a rate was expected' };
    return {
      hint: `${q(unit)} is ambiguous: write "{n}${P}bit/s" (or "{n}${P}bps") for ${PREFIX_NAME[P]}bits per second, or "{n}${bytes}/s" for ${PREFIX_NAME[P]}bytes per second`,
    };
  }
  // right letters, wrong case: mb, gib, mbit/s
  const table = TABLES[kind];
  const sameLetters = Object.keys(table).filter((u) => u.toLowerCase() === unit.toLowerCase());
  if (sameLetters.length === 1) return { fix: sameLetters[0], why: 'case matters in units' };
  // a prefix with no unit: "M", "Gi"
  const bare = /^([kKmMgGtT])(i?)$/.exec(unit);
  if (bare && kind !== 'duration') {
    const P = PREFIX_FIX[bare[1]];
    const si = P === 'k' ? 'kB' : `${P}B`;
    const iec = `${P === 'k' ? 'K' : P}iB`;
    if (kind === 'size') return { hint: `add the byte unit: "{n}${si}" or "{n}${iec}"` };
    return { hint: `add the unit: "{n}${P}bit/s" or "{n}${si}/s"` };
  }
  if (kind === 'duration') {
    const word = DURATION_WORDS[unit.toLowerCase()];
    if (word) return word.fix ? { fix: word.fix, why: word.why } : { hint: word.why };
  }
  const near = closest(unit, Object.keys(table));
  if (near) return { fix: near };
  return { hint: `unknown unit ${q(unit)}; ${UNIT_LIST[kind]}` };
}

const DURATION_WORDS: Readonly<Record<string, { fix?: string; why: string }>> = {
  sec: { fix: 's', why: 'seconds are "s"' }, secs: { fix: 's', why: 'seconds are "s"' },
  second: { fix: 's', why: 'seconds are "s"' }, seconds: { fix: 's', why: 'seconds are "s"' },
  mins: { fix: 'min', why: 'minutes are "min" or "m"' }, minute: { fix: 'min', why: 'minutes are "min" or "m"' },
  minutes: { fix: 'min', why: 'minutes are "min" or "m"' },
  hr: { fix: 'h', why: 'hours are "h"' }, hrs: { fix: 'h', why: 'hours are "h"' },
  hour: { fix: 'h', why: 'hours are "h"' }, hours: { fix: 'h', why: 'hours are "h"' },
  day: { fix: 'd', why: 'days are "d"' }, days: { fix: 'd', why: 'days are "d"' },
  msec: { fix: 'ms', why: 'milliseconds are "ms"' }, msecs: { fix: 'ms', why: 'milliseconds are "ms"' },
  millis: { fix: 'ms', why: 'milliseconds are "ms"' }, milliseconds: { fix: 'ms', why: 'milliseconds are "ms"' },
  us: { why: 'microseconds are not a unit here; write a fraction of a millisecond, e.g. "0.5 ms"' },
  µs: { why: 'microseconds are not a unit here; write a fraction of a millisecond, e.g. "0.5 ms"' },
  w: { why: 'weeks are not a unit; write days, e.g. "7d"' }, week: { why: 'weeks are not a unit; write days, e.g. "7d"' },
  weeks: { why: 'weeks are not a unit; write days, e.g. "7d"' },
  mo: { why: 'months are not a duration unit; write days, e.g. "30d"' },
  month: { why: 'months are not a duration unit; write days, e.g. "30d"' },
  y: { why: 'years are not a unit; write days, e.g. "365d"' }, year: { why: 'years are not a unit; write days, e.g. "365d"' },
};

/** Bytes from "100 KB", "1.5 GiB" or a non-negative number of bytes. Throws UnitError. */
export function parseSize(input: string | number): number {
  return parseQuantity('size', input);
}

/** Bytes per second from "10 Gbit/s", "100 MB/s", "1 Gbps". Plain numbers are rejected (no unit). */
export function parseRate(input: string): number {
  return parseQuantity('rate', input);
}

const NEXT_SMALLER: Readonly<Record<string, string>> = { d: 'h', h: 'm', m: 's', min: 's', s: 'ms' };

/**
 * Seconds from "850 ms", "1.5 h", "1h30m", "2m 30s" or a non-negative number of seconds. Parts of a
 * compound go from the largest unit to the smallest; only the last may have decimals.
 */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0) return input;
    throw new UnitError(`invalid duration ${input}`, input, 'a duration must be a non-negative number of seconds, or a string like "1h30m"');
  }
  if (typeof input !== 'string') {
    throw new UnitError(`invalid duration ${String(JSON.stringify(input))}`, input, `expected a duration like ${EXAMPLE.duration}`);
  }
  const text = input.trim();
  let total = 0;
  let lastRank = Infinity;
  let lastUnit = '';
  let at = 0; // start of the current part in `text`
  while (at < text.length) {
    if (at > 0 && text[at] === ' ') at++;
    const rest = text.slice(at);
    let split: ReturnType<typeof splitUnit>;
    try {
      split = splitUnit('duration', rest);
    } catch (e) {
      if (at === 0 || !(e instanceof UnitError)) throw e;
      fail('duration', text, `${e.hint ?? 'invalid part'} (in the part ${JSON.stringify(rest)})`);
    }
    const { mag, unit: tail, sep } = split!;
    const unit = /^[^\s\d]*/.exec(tail)![0];
    const after = tail.slice(unit.length);
    const before = text.slice(0, at);
    const factor = DURATION_UNITS[unit];
    if (!factor) {
      const next = NEXT_SMALLER[lastUnit];
      if (unit === '' && at > 0 && after === '' && next) {
        fail('duration', text, `the last number has no unit; did you mean "${text}${next}"?`, text + next);
      }
      explain('duration', text, diagnoseUnit('duration', unit), before, mag.text + sep, after);
    }
    const rank = DURATION_RANK[unit];
    if (rank >= lastRank) {
      fail('duration', text, 'write the parts of a compound duration from the largest unit to the smallest, each once, e.g. "1h30m" or "2m30s"');
    }
    if (mag.decimals > 0 && after !== '') {
      fail('duration', text, 'only the last part of a compound duration may have decimals, e.g. "1h30m" or "1h 30.5s"');
    }
    total += scale(mag, factor);
    lastRank = rank;
    lastUnit = unit;
    at = text.length - after.length;
  }
  if (text === '') fail('duration', text, `the value is empty; write e.g. ${EXAMPLE.duration}`);
  return total;
}

// ---------------------------------------------------------------- prices

const PRICE_EXAMPLE: Record<PriceKind, string> = {
  amount: '"$50"',
  'per-GB': '"$0.09/GB"',
  'per-hour': '"$0.045/h"',
  'per-request': '"$0.0004/1000req"',
  'per-GB-month': '"$0.023/GB-month"',
};
const PRICE_NAME: Record<PriceKind, string> = {
  amount: 'an amount',
  'per-GB': 'a price per amount of data',
  'per-hour': 'a price per unit of time',
  'per-request': 'a price per request',
  'per-GB-month': 'a storage price per amount of data and time',
};

interface PriceDenominator {
  kind: PriceKind;
  ratio: Ratio;
}

/** Reads what follows the "/": GB | h | month | 1000req | GB-month … */
function readDenominator(den: string): PriceDenominator | Diagnosis {
  if (den === '') return { kind: 'amount', ratio: r(1) };
  if (SIZE_UNITS[den]) return { kind: 'per-GB', ratio: r(1, SIZE_UNITS[den].num) };
  if (PRICE_TIME_UNITS[den]) return { kind: 'per-hour', ratio: r(1, PRICE_TIME_UNITS[den]) };
  const req = /^(\d*) ?req$/.exec(den);
  if (req) {
    const count = req[1] === '' ? 1 : Number(req[1]);
    if (count > 0) return { kind: 'per-request', ratio: r(1, count) };
  }
  const storage = /^(\w+)-(\w+)$/.exec(den);
  if (storage && SIZE_UNITS[storage[1]] && PRICE_TIME_UNITS[storage[2]]) {
    return { kind: 'per-GB-month', ratio: r(1, SIZE_UNITS[storage[1]].num * PRICE_TIME_UNITS[storage[2]]) };
  }
  // common near-misses
  const timeWord: Record<string, string> = {
    hr: 'h', hour: 'h', hrs: 'h', day: 'd', days: 'd', mo: 'month', mon: 'month', months: 'month',
    mth: 'month', sec: 's', second: 's', mins: 'min', minute: 'min',
  };
  if (timeWord[den]) return { why: `time units in prices are ${Object.keys(PRICE_TIME_UNITS).join(', ')}`, fix: timeWord[den] };
  if (den === 'm') return { hint: '"/m" is ambiguous: write "/min" for per minute or "/month" for per month' };
  const split = /^(\w+)\s*(?:\/|\s|-?per-?)\s*(\w+)$/.exec(den) ?? /^([kKMGT]?i?B)(month|h|d)$/.exec(den);
  if (split && SIZE_UNITS[split[1]] && PRICE_TIME_UNITS[split[2] === 'mo' ? 'month' : split[2]]) {
    const fix = `${split[1]}-${split[2] === 'mo' ? 'month' : split[2]}`;
    return { why: `storage prices are written "/${fix}"`, fix };
  }
  const reqWord = /^(\d*)\s?([kKM]?)\s?(req|reqs|request|requests)$/.exec(den);
  if (reqWord) {
    const mult = ({ '': 1, k: 1e3, K: 1e3, M: 1e6 } as Record<string, number>)[reqWord[2]];
    const count = (reqWord[1] === '' ? 1 : Number(reqWord[1])) * mult;
    const fix = count === 1 ? 'req' : `${count}req`;
    return { why: 'requests are written "req", e.g. "/1000req"', fix };
  }
  const lower = Object.keys(SIZE_UNITS).filter((u) => u.toLowerCase() === den.toLowerCase());
  if (lower.length === 1) return { why: 'case matters in units', fix: lower[0] };
  const near = closest(den, [...Object.keys(SIZE_UNITS), ...Object.keys(PRICE_TIME_UNITS), 'req', '1000req']);
  if (near) return { fix: near };
  return {
    hint: 'write the price as "$" amount "/" unit: per data "/GB", per time "/h" or "/month", per requests "/1000req", storage "/GB-month"',
  };
}

/**
 * US dollars in base units from a price string: 'amount' "$50" → 50; 'per-GB' "$0.09/GB" → 9e-11
 * $/byte; 'per-hour' "$0.045/h", "$15/month" → $/s; 'per-request' "$0.0004/1000req" → 4e-7 $/req;
 * 'per-GB-month' "$0.10/GB-month" → $/(byte·s). A month is SECONDS_PER_MONTH. Throws UnitError.
 */
export function parsePrice(input: string, kind: PriceKind): number {
  const what = kind === 'amount' ? 'amount' : 'price';
  if (typeof input !== 'string') {
    const hint = typeof input === 'number' && kind === 'amount'
      ? `write it with a dollar sign: "$${input}"`
      : `expected ${PRICE_NAME[kind]} like ${PRICE_EXAMPLE[kind]}`;
    throw new UnitError(`invalid ${what} ${String(JSON.stringify(input))}`, input, hint, typeof input === 'number' && kind === 'amount' ? `$${input}` : undefined);
  }
  const text = input.trim();
  const bad = (hint: string, fix?: string): never => {
    throw new UnitError(`invalid ${what} ${JSON.stringify(text)}`, text, hint, fix);
  };
  if (!text.startsWith('$')) {
    const m = /^(\d[\d.,_]*)\s*(?:\$|USD|usd|dollars?)?\s*(\/.*)?$/.exec(text);
    if (m) {
      const fix = `$${m[1]}${m[2] ?? ''}`;
      bad(`prices start with a dollar sign: "${fix}"`, fix);
    }
    bad(`expected ${PRICE_NAME[kind]} like ${PRICE_EXAMPLE[kind]}`);
  }
  let body = text.slice(1);
  if (body.startsWith(' ')) bad(`write no space after "$": "$${body.trim()}"`, `$${body.trim()}`);
  const { mag, rest } = readNumber(body, what, PRICE_EXAMPLE[kind], '$');
  body = rest;
  let den = '';
  const perWord = /^ ?per (\S+)$/.exec(body);
  if (perWord) bad(`write "$${mag.text}/${perWord[1]}"`, `$${mag.text}/${perWord[1]}`);
  if (body !== '') {
    const slash = /^(\s*)\/(\s*)(.*)$/.exec(body);
    if (!slash) bad(`write the price as "$${mag.text}/unit", e.g. ${PRICE_EXAMPLE[kind]}`);
    if (slash![1] || slash![2]) {
      const fixed = `$${mag.text}/${slash![3]}`;
      bad(`write it without spaces around "/": ${JSON.stringify(fixed)}`, fixed);
    }
    den = slash![3];
  }
  const parsed = readDenominator(den);
  if (!('kind' in parsed)) {
    const fixed = parsed.fix === undefined ? undefined : `$${mag.text}/${parsed.fix}`;
    bad(parsed.hint ?? `did you mean ${JSON.stringify(fixed)}?${parsed.why ? ` (${parsed.why})` : ''}`, fixed);
  }
  const d = parsed as PriceDenominator;
  if (d.kind !== kind) {
    bad(`${JSON.stringify(text)} is ${PRICE_NAME[d.kind]}, but ${PRICE_NAME[kind]} was expected, e.g. ${PRICE_EXAMPLE[kind]}`);
  }
  return scale(mag, d.ratio);
}

// ---------------------------------------------------------------- zod helpers

const NUM = String.raw`\d+(\.\d+)?`;
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternation = (units: readonly string[]): string =>
  [...units].sort((a, b) => b.length - a.length).map(escapeRe).join('|');

const DURATION_PART = `${NUM} ?(${alternation(Object.keys(DURATION_UNITS))})`;
/** Patterns for the JSON Schema (editors); the parsers above are the authority and give hints. */
export const UNIT_PATTERNS = {
  size: `^${NUM} ?(${alternation(Object.keys(SIZE_UNITS))})$`,
  rate: `^${NUM} ?(${alternation(Object.keys(RATE_UNITS))})$`,
  duration: `^${DURATION_PART}( ?${DURATION_PART})*$`,
  price: {
    amount: `^\\$${NUM}$`,
    'per-GB': `^\\$${NUM}/(${alternation(Object.keys(SIZE_UNITS))})$`,
    'per-hour': `^\\$${NUM}/(${alternation(Object.keys(PRICE_TIME_UNITS))})$`,
    'per-request': `^\\$${NUM}/(\\d+ ?)?req$`,
    'per-GB-month': `^\\$${NUM}/(${alternation(Object.keys(SIZE_UNITS))})-(${alternation(Object.keys(PRICE_TIME_UNITS))})$`,
  } satisfies Record<PriceKind, string>,
} as const;

/** Runs a parser inside a zod transform, turning UnitError into a zod issue with `params.hint`. */
function parseInto<I>(parse: (input: I) => number) {
  return (input: I, ctx: z.core.$RefinementCtx<I>): number => {
    try {
      return parse(input);
    } catch (e) {
      if (!(e instanceof UnitError)) throw e;
      ctx.addIssue({
        code: 'custom',
        message: e.message,
        input,
        params: { hint: e.hint, suggestion: e.suggestion },
        // not aborting, so a union around this schema reports this issue rather than "no match"
        continue: true,
      });
      return z.NEVER;
    }
  };
}

/**
 * The message for a value of the wrong type: what was expected, and what was found. When the value
 * is missing the loader reports "missing required field" and shows this message as the hint.
 */
const typeError = (expected: string, special?: (input: unknown) => string | undefined) => (iss: { input?: unknown }) =>
  iss.input === undefined ? expected : special?.(iss.input) ?? `${expected}, got ${showValue(iss.input)}`;

function numberOrString(kind: 'size' | 'duration', description: string, examples: string[], baseUnit: string) {
  const text = z.string().meta({ pattern: UNIT_PATTERNS[kind], description, examples });
  const parse = kind === 'size' ? parseSize : parseDuration;
  return z.union(
    [
      text.transform(parseInto<string>(parse)),
      z.number()
        .min(0, { error: `a ${kind} cannot be negative` })
        .meta({ description: `${kind} as a number of ${baseUnit}` }),
    ],
    { error: typeError(`expected a ${kind} like ${EXAMPLE[kind]} or a number of ${baseUnit}`) },
  );
}

/** Bytes. Accepts "100 KB", "1.5 GiB" or a non-negative number of bytes. Output: number. */
export const zSize = numberOrString('size', 'size, e.g. "100 KB", "1.5 GiB" (or a number of bytes)', ['100 KB', '1.5 GiB', '3 GB'], 'bytes');

/** Seconds. Accepts "850 ms", "30s", "1h30m" or a non-negative number of seconds. Output: number. */
export const zDuration = numberOrString('duration', 'duration, e.g. "850 ms", "30s", "1h30m" (or a number of seconds)', ['30s', '5m', '1h30m'], 'seconds');

/** Bytes per second. Accepts "10 Gbit/s", "1 Gbps", "100 MB/s" (a unit is required). Output: number. */
export const zRate = z
  .string({
    error: typeError('expected a rate like "1 Gbit/s"', (v) =>
      typeof v === 'number'
        ? `a rate needs a unit: write e.g. "${v} Mbit/s" (megabits) or "${v} MB/s" (megabytes per second)`
        : undefined),
  })
  .meta({
    pattern: UNIT_PATTERNS.rate,
    description: 'rate, e.g. "1 Gbit/s", "100 Mbps", "125 MB/s"',
    examples: ['1 Gbit/s', '100 Mbps', '125 MB/s'],
  })
  .transform(parseInto<string>(parseRate));

const priceSchemas = new Map<PriceKind, ReturnType<typeof buildPrice>>();
function buildPrice(kind: PriceKind) {
  return z
    .string({
      error: typeError(`expected ${PRICE_NAME[kind]} like ${PRICE_EXAMPLE[kind]}`, (v) =>
        kind === 'amount' && typeof v === 'number' ? `write amounts with a dollar sign: "$${v}"` : undefined),
    })
    .meta({
      pattern: UNIT_PATTERNS.price[kind],
      description: `${PRICE_NAME[kind]} in US dollars, e.g. ${PRICE_EXAMPLE[kind]}`,
      examples: [JSON.parse(PRICE_EXAMPLE[kind]) as string],
    })
    .transform(parseInto<string>((s) => parsePrice(s, kind)));
}

/** US dollars in base units (see parsePrice). One schema instance per kind. Output: number. */
export function zPrice(kind: PriceKind) {
  let s = priceSchemas.get(kind);
  if (!s) priceSchemas.set(kind, (s = buildPrice(kind)));
  return s;
}

// ---------------------------------------------------------------- formatters (deterministic, no locale)

/** What a formatter prints for NaN or ±Infinity (e.g. a percentile of no samples). */
export const NOT_A_NUMBER = '—';

/** Three significant digits for values in [0, 1000): 6.00, 12.3, 123. */
function sig3(v: number): string {
  if (v >= 99.95) return v.toFixed(0);
  if (v >= 9.995) return v.toFixed(1);
  return v.toFixed(2);
}

/** SI prefixes, three significant digits; rounding may carry into the next prefix (999.7 kB → 1.00 MB). */
function formatSi(n: number, units: readonly string[]): string {
  if (!Number.isFinite(n)) return NOT_A_NUMBER;
  if (n < 0) return `-${formatSi(-n, units)}`;
  if (n < 999.5) return `${Math.round(n)} ${units[0]}`;
  let e = Math.min(Math.floor(Math.log10(n) / 3), units.length - 1);
  if (e < units.length - 1 && Number(sig3(n / 1000 ** e)) >= 1000) e++;
  return `${sig3(n / 1000 ** e)} ${units[e]}`;
}

/** Bytes: "6.00 GB", "12.3 MB", "512 B" (SI, three significant digits). */
export function formatBytes(bytes: number): string {
  return formatSi(bytes, ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB']);
}

/** A rate given in bytes/s, printed in bits/s as network people read it: "1.25 Gbit/s", "800 bit/s". */
export function formatRate(bytesPerSecond: number): string {
  return formatSi(bytesPerSecond * 8, ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s', 'Pbit/s']);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * Seconds: "850 ms", "12.5 ms", "42.0 s", "3m 05s", "2h 07m", "3d 04h". Every output parses back with
 * parseDuration (to the precision shown).
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return NOT_A_NUMBER;
  if (seconds < 0) return `-${formatDuration(-seconds)}`;
  if (seconds === 0) return '0 s';
  if (seconds < 1) {
    const ms = seconds * 1000;
    const text = ms < 0.9995 ? plainDecimal(Number(ms.toPrecision(3))) : sig3(ms);
    if (Number(text) < 1000) return `${text} ms`;
  }
  if (Number(sig3(seconds)) < 60) return `${sig3(seconds)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad2(s % 60)}s`;
  const m = Math.round(seconds / 60);
  if (m < 24 * 60) return `${Math.floor(m / 60)}h ${pad2(m % 60)}m`;
  const h = Math.round(seconds / 3600);
  return `${Math.floor(h / 24)}d ${pad2(h % 24)}h`;
}

const groupThousands = (digits: string): string => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** US dollars: "$0.27", "$12.35", "$1,350.00"; under half a cent two significant digits ("$0.0042"). */
export function formatUSD(dollars: number): string {
  if (!Number.isFinite(dollars)) return NOT_A_NUMBER;
  if (dollars < 0) return `-${formatUSD(-dollars)}`;
  if (dollars !== 0 && dollars < 0.005) return `$${plainDecimal(Number(dollars.toPrecision(2)))}`;
  const [whole, cents] = dollars.toFixed(2).split('.');
  return `$${groupThousands(whole)}.${cents}`;
}

/** A decimal without exponent notation: 4e-7 → "0.0000004". */
function plainDecimal(x: number): string {
  const s = String(x);
  if (!/e/i.test(s)) return s;
  return x.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

/**
 * A base-unit price the way it is quoted, 4 significant digits: "$0.09/GB", "$0.045/h",
 * "$0.0004/1000req", "$0.1/GB-month". parsePrice(formatPrice(x, k), k) ≈ x.
 */
export function formatPrice(value: number, kind: PriceKind): string {
  if (!Number.isFinite(value)) return NOT_A_NUMBER;
  const shown = (x: number): string => `$${plainDecimal(Number(x.toPrecision(4)))}`;
  switch (kind) {
    case 'amount':
      return formatUSD(value);
    case 'per-GB':
      return `${shown(value * 1e9)}/GB`;
    case 'per-hour':
      return `${shown(value * 3600)}/h`;
    case 'per-request':
      return `${shown(value * 1000)}/1000req`;
    case 'per-GB-month':
      return `${shown(value * 1e9 * SECONDS_PER_MONTH)}/GB-month`;
  }
}
