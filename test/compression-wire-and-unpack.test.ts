import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';
import { COMPRESSION_PRESETS, ImageCatalog, unpackWireBps } from '../src/workload/images.ts';

/** One node, public IP, Docker Hub with 20 ms RTT and 60 MB/s per connection, one 1 MB (gzip) delta. */
function oneNode(compression?: unknown, cache: 'warm' | 'cold' = 'warm') {
  return RunConfig.parse({
    duration: '1h',
    cluster: { nodes: 1, egress: 'public-ip', cache, unpack: '100 MB/s' },
    images: { count: 1, size: '8 MB', layers: 8, multiArch: false, ...(compression === undefined ? {} : { compression }) },
    releases: { every: '2h', delta: '1 MB' },
    distribution: { kind: 'hosted', preset: 'dockerhub', rtt: '20ms', perConnection: '60 MB/s' },
  });
}

// The same round-trip arithmetic as model-pull-pipeline.test.ts.
const ONE_WAY = 0.01 + 0.00005 + 0.00005;
const get = (bytes: number, extraRtts: number) => ONE_WAY * (2 + 2 * extraRtts) + bytes / 60e6;
const METADATA_S = get(150, 2) + get(1500, 2) + get(0, 0) + get(2000, 0) + get(6000, 3);
/** A warm node pulls the one new layer (`wire` bytes) and unpacks it in `unpackS`. */
const pullS = (wire: number, unpackS: number) => METADATA_S + get(wire, 1) + unpackS;

const GZIP_UNPACK_CONTENT_BPS = 100e6 * 2.5; // cluster.unpack is gzip's rate in compressed bytes/s
const CONTENT = 1e6 * 2.5; // the 1 MB gzip delta's content

describe('compression: wire bytes and unpack time follow the preset ratio and speed', () => {
  it('no compression field is gzip, and gzip leaves the scenario sizes and cluster.unpack as they were', () => {
    const implicit = simulateRun(oneNode());
    const explicit = simulateRun(oneNode('gzip'));
    expect(explicit).toEqual(implicit);
    expect(implicit.layer_bytes).toBe(1e6);
    expect(implicit.rollout_s.max).toBeCloseTo(pullS(1e6, 1e6 / 100e6), 12);
  });

  it('zstd sends content / 2.7 bytes and unpacks 4× faster per content byte', () => {
    const wire = Math.round(CONTENT / COMPRESSION_PRESETS.zstd.ratio);
    expect(wire).toBe(925926);
    const m = simulateRun(oneNode('zstd'));
    expect(m.layer_bytes).toBe(wire);
    // Whole bytes on the wire: the content unpacked is the rounded wire size × the ratio.
    expect(m.rollout_s.max).toBeCloseTo(pullS(wire, (wire * 2.7) / (4 * GZIP_UNPACK_CONTENT_BPS)), 12);
  });

  it('uncompressed layers carry the whole content and only pay the write', () => {
    const m = simulateRun(oneNode('none'));
    expect(m.layer_bytes).toBe(2.5e6);
    expect(m.rollout_s.max).toBeCloseTo(pullS(2.5e6, CONTENT / (4 * GZIP_UNPACK_CONTENT_BPS)), 12);
  });

  it('a ratio override changes the wire bytes, not the unpack time (it is paid per content byte)', () => {
    const m = simulateRun(oneNode({ format: 'gzip', ratio: 3 }));
    const wire = Math.round(CONTENT / 3);
    expect(m.layer_bytes).toBe(wire);
    expect(m.rollout_s.max).toBeCloseTo(pullS(wire, (wire * 3) / GZIP_UNPACK_CONTENT_BPS), 12);
  });

  it('an unpack override is content bytes per second', () => {
    const m = simulateRun(oneNode({ format: 'zstd', unpack: '2 GB/s' }));
    expect(m.rollout_s.max).toBeCloseTo(pullS(925926, (925926 * 2.7) / 2e9), 12);
  });

  it('a cold node downloads every layer re-encoded', () => {
    expect(simulateRun(oneNode('zstd', 'cold')).layer_bytes).toBe(8 * 925926);
    expect(simulateRun(oneNode('none', 'cold')).layer_bytes).toBe(8 * 2.5e6);
  });

  it('the layer store knows each layer unpacks to wire × ratio', () => {
    const zstd = { format: 'zstd' as const, ratio: 2.7, unpackBps: null };
    const cat = new ImageCatalog({ count: 1, sizeBytes: 8e6, layers: 8, baseLayers: 0, baseBytes: 0, compression: zstd });
    expect(cat.layers.size[0]).toBe(925926);
    expect(cat.layers.size[0] * cat.layers.unpackedPerWireByte).toBeCloseTo(CONTENT, -1);
    expect(unpackWireBps(100e6, zstd)).toBeCloseTo((100e6 * 2.5 * 4) / 2.7, 3);
  });

  it('a ratio on uncompressed layers is a scenario error with a hint', () => {
    const r = RunConfig.safeParse({ ...rawScenario(), images: { compression: { format: 'none', ratio: 3 } } });
    expect(r.success).toBe(false);
    const issue = r.error!.issues.find((i) => i.path.join('.') === 'images.compression.ratio');
    expect(issue?.message).toBe('an uncompressed layer has ratio 1, not 3');
  });
});

function rawScenario() {
  return {
    cluster: { nodes: 1 },
    releases: { every: '2h', delta: '1 MB' },
    distribution: { kind: 'hosted', preset: 'dockerhub' },
  };
}
