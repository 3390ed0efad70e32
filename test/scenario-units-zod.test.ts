import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UNIT_PATTERNS, zDuration, zPrice, zRate, zSize } from '../src/scenario/units.ts';

const Link = z.strictObject({
  size: zSize,
  rate: zRate,
  wait: zDuration.optional(),
  egress: zPrice('per-GB').optional(),
  cache: zSize.prefault('1 GiB'),
});

const firstIssue = (value: unknown) => {
  const r = Link.safeParse({ size: '1 KB', rate: '1 Gbit/s', ...(value as object) });
  if (r.success) throw new Error('expected a failure');
  return r.error.issues[0] as z.core.$ZodIssue & { params?: { hint?: string; suggestion?: string } };
};

describe('zod unit helpers', () => {
  it('parse unit strings and plain base-unit numbers into numbers', () => {
    expect(Link.parse({ size: '1.5 GiB', rate: '10 Gbit/s', wait: '1h30m', egress: '$0.09/GB' })).toEqual({
      size: 1_610_612_736, rate: 1.25e9, wait: 5400, egress: 9e-11, cache: 2 ** 30,
    });
    expect(Link.parse({ size: 4096, rate: '1 MB/s', wait: 2.5 })).toMatchObject({ size: 4096, wait: 2.5 });
  });

  it('report a unit mistake as a custom issue with the hint in params', () => {
    const issue = firstIssue({ size: '100 MBs' });
    expect(issue).toMatchObject({ code: 'custom', path: ['size'], message: 'invalid size "100 MBs"' });
    expect(issue.params?.hint).toBe('did you mean "100 MB"? ("MBs" looks like a rate; a size was expected, e.g. "100 KB")');
    expect(issue.params?.suggestion).toBe('100 MB');
  });

  it('reject negative sizes, unit-less rates and values of the wrong type', () => {
    expect(firstIssue({ size: -1 }).message).toBe('a size cannot be negative');
    expect(firstIssue({ rate: 1000 }).message).toBe(
      'a rate needs a unit: write e.g. "1000 Mbit/s" (megabits) or "1000 MB/s" (megabytes per second)',
    );
    expect(firstIssue({ size: true }).message).toBe('expected a size like "100 KB" or a number of bytes, got true');
    expect(firstIssue({ egress: 0.09 }).message).toBe('expected a price per amount of data like "$0.09/GB", got 0.09');
  });

  it('give one schema instance per price kind', () => {
    expect(zPrice('per-hour')).toBe(zPrice('per-hour'));
  });

  it('describe their input side in JSON Schema: a string pattern with examples, or a number ≥ 0', () => {
    const schema = z.toJSONSchema(Link, { io: 'input' }) as {
      properties: Record<string, { anyOf?: { type: string; pattern?: string; minimum?: number; examples?: string[] }[]; type?: string; pattern?: string; default?: unknown }>;
      required: string[];
    };
    const size = schema.properties.size.anyOf!;
    expect(size.map((s) => s.type)).toEqual(['string', 'number']);
    expect(size[0].pattern).toBe(UNIT_PATTERNS.size);
    expect(size[0].examples).toEqual(['100 KB', '1.5 GiB', '3 GB']);
    expect(size[1].minimum).toBe(0);
    expect(schema.properties.rate).toMatchObject({ type: 'string', pattern: UNIT_PATTERNS.rate });
    expect(schema.properties.egress).toMatchObject({ type: 'string', pattern: UNIT_PATTERNS.price['per-GB'] });
    expect(schema.properties.cache.default).toBe('1 GiB');
    expect(schema.required).toEqual(['size', 'rate']);
  });

  it('have JSON Schema patterns that accept the documented spellings', () => {
    const size = new RegExp(UNIT_PATTERNS.size);
    const rate = new RegExp(UNIT_PATTERNS.rate);
    const duration = new RegExp(UNIT_PATTERNS.duration);
    for (const s of ['100 KB', '100KB', '1.5 GiB', '3 TB']) expect(size.test(s)).toBe(true);
    for (const s of ['100 MBs', '10 Mb', '1,000 MB']) expect(size.test(s)).toBe(false);
    for (const s of ['10 Gbit/s', '1 Gbps', '125 MB/s']) expect(rate.test(s)).toBe(true);
    for (const s of ['850 ms', '1h30m', '1h 02m', '2m30s', '1d']) expect(duration.test(s)).toBe(true);
    expect(new RegExp(UNIT_PATTERNS.price['per-request']).test('$0.0004/1000req')).toBe(true);
    expect(new RegExp(UNIT_PATTERNS.price['per-GB-month']).test('$0.10/GB-month')).toBe(true);
  });
});
