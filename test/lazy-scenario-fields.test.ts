import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';

const base = { cluster: { nodes: 1 }, releases: { every: '2h', delta: '1 MB' }, distribution: { kind: 'hosted', preset: 'dockerhub' } };
const parse = (images: unknown) => RunConfig.safeParse({ ...base, images });

describe('images.lazy and images.compression in a scenario', () => {
  it('lazy is off unless asked for, and compression defaults to gzip', () => {
    const r = parse({});
    expect(r.success && r.data.images.lazy).toBe(undefined);
    expect(r.success && r.data.images.compression).toEqual({ format: 'gzip', ratio: 2.5, unpackBps: null });
  });

  it("a lazy format brings its preset: Slacker's 6.4 %, chunk size, metadata and eager threshold", () => {
    const r = parse({ lazy: { format: 'soci' } });
    expect(r.success).toBe(true);
    const lazy = r.success ? r.data.images.lazy : undefined;
    expect(lazy).toMatchObject({
      format: 'soci',
      startFraction: 0.064,
      chunkBytes: 4 * 1024 * 1024,
      eagerBelowBytes: 10 * 1024 * 1024,
      parallelReads: 1,
      background: 'after-start',
      backgroundDelayS: 30,
      backgroundPeriodS: 0.5,
    });
    const nydus = parse({ lazy: { format: 'nydus', chunk: '2 MiB', startFraction: 0.1 } });
    expect(nydus.success && nydus.data.images.lazy).toMatchObject({ chunkBytes: 2 * 1024 * 1024, startFraction: 0.1 });
  });

  it('mistakes are scenario errors at the field', () => {
    const bad = (images: unknown) => {
      const r = parse(images);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(bad({ lazy: { format: 'estargz', chunk: 0 } })).toEqual(['images.lazy.chunk: a range GET needs at least 1 byte']);
    expect(bad({ lazy: { format: 'estargz', startFraction: 1.5 } })[0]).toMatch(/^images\.lazy\.startFraction: /);
    expect(bad({ compression: 'lz4' })).toEqual(['images.compression: expected "gzip", "zstd" or "none", or { format, ratio, unpack }']);
    expect(bad({ compression: { format: 'zstd', unpack: '0 MB/s' } })).toEqual(['images.compression.unpack: unpack must be faster than 0 B/s']);
  });
});
