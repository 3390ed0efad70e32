import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';

/**
 * One cold node, public IP, Docker Hub with 20 ms RTT and 60 MB/s per connection; one image of two
 * 50 MB layers (the release replaces the top one, so both are new to the node). Every flow stays below
 * its 60 MB/s connection cap's share of the 10 Gbit/s NIC, so times are additive.
 */
function cold(lazy: unknown, images: Record<string, unknown> = {}) {
  return RunConfig.parse({
    duration: '1h',
    cluster: { nodes: 1, egress: 'public-ip', cache: 'cold', unpack: '100 MB/s' },
    images: { count: 1, size: '100 MB', layers: 2, multiArch: false, ...images, ...(lazy === undefined ? {} : { lazy }) },
    releases: { every: '2h', delta: '50 MB' },
    distribution: { kind: 'hosted', preset: 'dockerhub', rtt: '20ms', perConnection: '60 MB/s' },
  });
}

const ONE_WAY = 0.01 + 0.00005 + 0.00005;
/** GET = request one way + extra round trips + response one way + bytes at the connection's rate. */
const get = (bytes: number, extraRtts: number) => ONE_WAY * (2 + 2 * extraRtts) + bytes / 60e6;
/** Token challenge, token, tag HEAD, manifest, config (307 + new CDN connection). */
const METADATA_S = get(150, 2) + get(1500, 2) + get(0, 0) + get(2000, 0) + get(6000, 3);
const METADATA_BYTES = 150 + 1500 + 2000 + 6000;
const LAYER = 50e6;
/** Each blob GET after the config: 307 from the registry, then the open CDN connection. */
const BLOB_RTTS = 1;

describe('lazy pulling: ready after metadata + the start fraction, the rest streams in behind', () => {
  it('eStargz: ready = metadata + TOC range GETs + on-demand reads of 6.4 % of each layer', () => {
    const m = simulateRun(cold({ format: 'estargz' }));
    const toc = Math.ceil(16 * 1024 + 0.001 * LAYER); // footer + TOC per layer (assumption)
    const need = Math.ceil(0.064 * LAYER); // 3.2 MB < one 4 MiB chunk: one range GET per layer
    // The two TOCs are fetched side by side; the start reads one after the other (parallelReads 1).
    const mountS = METADATA_S + get(toc, BLOB_RTTS);
    const readyS = mountS + 2 * get(need, BLOB_RTTS);
    expect(m.node_ready_s.max).toBeCloseTo(readyS, 9);
    expect(m.rollout_s.max).toBeCloseTo(readyS, 9);
    // Full pull for comparison: both layers side by side, then unpacked one after the other.
    const eager = simulateRun(cold(undefined));
    const eagerS = METADATA_S + get(LAYER, BLOB_RTTS) + (2 * LAYER) / 100e6;
    expect(eager.rollout_s.max).toBeCloseTo(eagerS, 9);
    expect(readyS).toBeLessThan(eagerS / 4);
    // Every layer byte still arrives: start reads + background = the whole image.
    expect(m.layer_bytes).toBe(2 * LAYER);
    expect(m.metadata_bytes).toBe(METADATA_BYTES + 2 * toc);
    // The rest of each layer streams in once the container is ready (both layers side by side).
    expect(m.simulated_s).toBeCloseTo(readyS + get(LAYER - need, BLOB_RTTS), 9);
  });

  it('reads are chunked range GETs: a smaller chunk means more round trips', () => {
    const m = simulateRun(cold({ format: 'estargz', chunk: '1 MB' }));
    const toc = Math.ceil(16 * 1024 + 0.001 * LAYER);
    // 3.2 MB per layer in 1 MB range GETs: 4 GETs (1, 1, 1, 0.2 MB), 8 in all, one at a time.
    const readsS = 2 * (3 * get(1e6, BLOB_RTTS) + get(0.2e6, BLOB_RTTS));
    expect(m.node_ready_s.max).toBeCloseTo(METADATA_S + get(toc, BLOB_RTTS) + readsS, 9);
    expect(m.layer_bytes).toBe(2 * LAYER);
  });

  it('parallel reads overlap the range GETs', () => {
    const m = simulateRun(cold({ format: 'estargz', parallelReads: 2 }));
    const toc = Math.ceil(16 * 1024 + 0.001 * LAYER);
    expect(m.node_ready_s.max).toBeCloseTo(METADATA_S + get(toc, BLOB_RTTS) + get(3.2e6, BLOB_RTTS), 9);
  });

  it('Nydus: one bootstrap for the whole image before the mount, then 1 MiB reads', () => {
    const m = simulateRun(cold({ format: 'nydus', startFraction: 0.01 }));
    const bootstrap = Math.ceil(16 * 1024 + 0.002 * 2 * LAYER);
    // 0.5 MB per layer fits one 1 MiB chunk.
    expect(m.node_ready_s.max).toBeCloseTo(METADATA_S + get(bootstrap, BLOB_RTTS) + 2 * get(0.5e6, BLOB_RTTS), 9);
    expect(m.metadata_bytes).toBe(METADATA_BYTES + bootstrap);
    expect(m.layer_bytes).toBe(2 * LAYER);
  });

  it('SOCI: index manifest, then a zTOC per layer (a 32 KiB window per 4 MiB span), then the reads', () => {
    const m = simulateRun(cold({ format: 'soci' }));
    const ztoc = Math.ceil(16 * 1024 + LAYER / 128);
    const readyS = METADATA_S + get(2000, BLOB_RTTS) + get(ztoc, BLOB_RTTS) + 2 * get(3.2e6, BLOB_RTTS);
    expect(m.node_ready_s.max).toBeCloseTo(readyS, 9);
    expect(m.metadata_bytes).toBe(METADATA_BYTES + 2000 + 2 * ztoc);
  });

  it("SOCI's background fetcher waits 30 s after the mount, then fetches one 4 MiB span every 500 ms", () => {
    const m = simulateRun(cold({ format: 'soci' }));
    const ztoc = Math.ceil(16 * 1024 + LAYER / 128);
    const mountS = METADATA_S + get(2000, BLOB_RTTS) + get(ztoc, BLOB_RTTS);
    const span = 4 * 1024 * 1024;
    const rest = LAYER - 3.2e6; // 46.8 MB: 11 full spans + 662,656 B per layer, 24 GETs in all
    expect(Math.ceil(rest / span)).toBe(12);
    // Each span GET (~0.11 s) is shorter than the period, so GET k starts at mount + 30 s + k × 0.5 s.
    expect(get(span, BLOB_RTTS)).toBeLessThan(0.5);
    expect(m.simulated_s).toBeCloseTo(mountS + 30 + 23 * 0.5 + get(rest - 11 * span, BLOB_RTTS), 9);
    expect(m.layer_bytes).toBe(2 * LAYER);
  });

  it('SOCI reads its index, then pulls layers under 10 MiB in full: a small delta is an ordinary pull + one GET', () => {
    const rawWarm = (lazy: unknown) => ({
      duration: '1h',
      cluster: { nodes: 1, egress: 'public-ip', cache: 'warm', unpack: '100 MB/s' },
      images: { count: 1, size: '8 MB', layers: 8, multiArch: false, ...(lazy === undefined ? {} : { lazy }) },
      releases: { every: '2h', delta: '1 MB' },
      distribution: { kind: 'hosted', preset: 'dockerhub', rtt: '20ms', perConnection: '60 MB/s' },
    });
    const soci = simulateRun(RunConfig.parse(rawWarm({ format: 'soci' })));
    const plain = simulateRun(RunConfig.parse(rawWarm(undefined)));
    // The SOCI index manifest (2 KB, a blob GET behind the 307) says the layer has no zTOC.
    const index = get(2000, BLOB_RTTS);
    expect(soci.rollout_s.max).toBeCloseTo(plain.rollout_s.max + index, 12);
    expect(soci.rollout_s.max).toBeCloseTo(METADATA_S + index + get(1e6, BLOB_RTTS) + 1e6 / 100e6, 9);
    expect(soci.metadata_bytes).toBe(plain.metadata_bytes + 2000);
  });

  it("kubelet's serial pulls: the next image's pull starts at the mount, not after the background fetch", () => {
    const m = simulateRun(cold({ format: 'estargz' }, { count: 2 }));
    const toc = Math.ceil(16 * 1024 + 0.001 * LAYER);
    const mountS = METADATA_S + get(toc, BLOB_RTTS);
    const readsS = 2 * get(3.2e6, BLOB_RTTS);
    // Image 2's pull runs from image 1's mount; its own reads end the rollout.
    expect(m.rollout_s.max).toBeCloseTo(2 * mountS + readsS, 9);
    expect(m.pulls).toBe(2);
    expect(m.layer_bytes).toBe(4 * LAYER);
  });

  it('a layer mounted by one image is not fetched again by the next (shared base)', () => {
    const m = simulateRun(cold({ format: 'estargz' }, { count: 2, size: '150 MB', layers: 3, baseLayers: 1, baseSize: '50 MB' }));
    // One base layer + two own layers per image (its kept one and the new top): 1 + 2 × 2 layers of 50 MB.
    expect(m.layer_bytes).toBe(5 * LAYER);
  });

  it('a start fraction of 1 reads the whole image before the container is ready, with no background fetch', () => {
    const m = simulateRun(cold({ format: 'estargz', startFraction: 1, chunk: '50 MB' }));
    const toc = Math.ceil(16 * 1024 + 0.001 * LAYER);
    expect(m.node_ready_s.max).toBeCloseTo(METADATA_S + get(toc, BLOB_RTTS) + 2 * get(LAYER, BLOB_RTTS), 9);
    expect(m.simulated_s).toBeCloseTo(m.node_ready_s.max, 12);
    expect(m.layer_bytes).toBe(2 * LAYER);
  });
});
