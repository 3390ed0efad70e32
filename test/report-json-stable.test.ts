import { describe, expect, it } from 'vitest';
import { renderJson } from '../src/report/index.ts';
import type { RunResult } from '../src/metrics/result.ts';
import { fixture, metrics } from './report-fixture.ts';

/** The same data with every object's keys inserted in reverse order. */
function reversedKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(reversedKeys) as T;
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversedKeys(x)])) as T;
  }
  return v;
}

describe('renderJson', () => {
  it('is byte-stable across calls, copies and key insertion order', () => {
    const a = renderJson(fixture());
    expect(renderJson(fixture())).toBe(a);
    expect(renderJson(structuredClone(fixture()))).toBe(a);
    expect(renderJson(reversedKeys(fixture()))).toBe(a);
  });

  it('parses back to the same object', () => {
    expect(JSON.parse(renderJson(fixture()))).toEqual(fixture());
  });

  it('keeps the key order of the types, with maps sorted and cost total first', () => {
    const parsed = JSON.parse(renderJson(reversedKeys(fixture())));
    expect(Object.keys(parsed)).toEqual(['schemaVersion', 'tool', 'scenario', 'seed', 'variants']);
    expect(Object.keys(parsed.tool)).toEqual(['name', 'version']);
    const mirror = parsed.variants[1];
    expect(Object.keys(mirror)).toEqual(['name', 'description', 'metrics']);
    expect(Object.keys(mirror.metrics)).toEqual(Object.keys(metrics()));
    expect(Object.keys(mirror.metrics.rollout_s)).toEqual(['p50', 'p90', 'p99', 'max']);
    expect(Object.keys(mirror.metrics.node_ready_s)).toEqual(['p50', 'p90', 'p99', 'max']);
    expect(Object.keys(mirror.metrics.ingress_by_source_bytes)).toEqual(['docker-hub', 'mirror-zone-a', 'mirror-zone-b']);
    expect(Object.keys(mirror.metrics.cost_usd)).toEqual(['total', 'instances', 'nat_processing', 'storage']);
  });

  it('writes 2-space indented JSON with a trailing newline (golden)', () => {
    const tiny: RunResult = { ...fixture(), variants: [] };
    expect(renderJson(tiny)).toBe(
      [
        '{',
        '  "schemaVersion": 1,',
        '  "tool": {',
        '    "name": "pullsim",',
        '    "version": "0.1.0"',
        '  },',
        '  "scenario": {',
        '    "name": "seed-500-nodes"',
        '  },',
        '  "seed": 42,',
        '  "variants": []',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('keeps fields it does not know yet, after the known ones, sorted', () => {
    const r = fixture();
    Object.assign(r.variants[0].metrics, { zz_new: 1, aa_new: 2 });
    const keys = Object.keys(JSON.parse(renderJson(r)).variants[0].metrics);
    expect(keys.slice(-2)).toEqual(['aa_new', 'zz_new']);
  });

  it('writes null for an untimed wall_ms', () => {
    expect(renderJson(fixture())).toContain('"wall_ms": null');
  });
});
