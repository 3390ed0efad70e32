/**
 * Every storage backend's figures reach the wire: one blob GET on an idle system takes exactly the
 * handshakes + path round trips + processing + three first-byte latencies (the instance's first sight of a
 * digest reads its repository link and stats it, then the content read) + bytes at the per-stream rate;
 * many GETs on a shared store are bounded by its aggregate link. The sourced limits and prices are pinned.
 */
import { describe, expect, it } from 'vitest';
import { harness } from './storage-harness.ts';
import { STORAGE_DEFAULTS, STORAGE_KINDS, StorageConfig, uploadRequests } from '../src/distribution/storage.ts';
import { buildCatalog, price } from '../src/cost/catalog.ts';

const B = 100e6;
const NIC = 10e9 / 8;
const PROCESSING = 0.001;
// Harness latencies (one way): node NIC 0.05 ms, rack 0.05 ms; a registry instance's NIC 0.05 ms more.
const TO_INSTANCE = 0.00015;
const TO_STORE = 0.0001;

function oneGet(kind: string): number {
  const h = harness({ kind: 'private', instances: 1, requestRate: 1e9, storage: { kind } });
  let at = -1;
  h.get(0, 'layer', B, 9, (t) => (at = t));
  h.sim.run({});
  return at;
}

describe('storage backends: first byte and per-stream throughput', () => {
  it.each(STORAGE_KINDS)('%s: one cold blob GET takes the analytic time', (kind) => {
    const d = STORAGE_DEFAULTS[kind];
    // Local disks have no per-stream cap: the instance's disk (aggregate) is the stream's bottleneck.
    const rate = Math.min(d.perStreamBps, d.aggregateBps, NIC);
    const service = PROCESSING + 3 * d.firstByteS;
    // Proxy: TCP + TLS (2 RTT), then request and response, all on the instance path. Redirect: the route's
    // round trips are charged on the node ↔ store path (the 307 and the instance's handshakes are the same
    // few hops): 2 RTT of handshakes, the 307's round trip, 2 RTT with the store, then request + response.
    const expected = d.redirectDefault
      ? TO_STORE * (2 + 2 * 5) + service + B / rate
      : TO_INSTANCE * (2 + 2 * 2) + service + B / rate;
    expect(oneGet(kind)).toBeCloseTo(expected, 9);
  });

  it('the backends differ where their figures do: object stores pay 50 ms first bytes, HDFS streams slowest', () => {
    const t = Object.fromEntries(STORAGE_KINDS.map((k) => [k, oneGet(k)]));
    expect(t.local).toBeLessThan(t.nfs);
    expect(t.nfs).toBeLessThan(t.hdfs);
    // 100 MB at 60 MB/s (Azure per blob stream) vs 90 MB/s (S3) vs 100 MB/s (GCS), after 150 ms of first bytes.
    expect(t['azure-blob']).toBeGreaterThan(t.s3);
    expect(t.s3).toBeGreaterThan(t.gcs);
  });

  it('a shared store bounds the aggregate: 20 × 100 MB from NFS through 2 fast instances ≈ 2 GB / 10 Gbit/s', () => {
    const h = harness({ kind: 'private', instances: 2, nic: '100 Gbit/s', requestRate: 1e9, loadBalancing: 'round-robin', storage: { kind: 'nfs' } }, { nodes: 20 });
    let last = 0;
    for (let i = 0; i < 20; i++) h.get(i, 'layer', B, 9, (t) => (last = Math.max(last, t)));
    h.sim.run({});
    const floor = (20 * B) / STORAGE_DEFAULTS.nfs.aggregateBps; // 1.6 s: 20 streams × 300 MB/s would be 6 GB/s
    expect(last).toBeGreaterThanOrEqual(floor);
    expect(last).toBeLessThan(floor * 1.01);
  });

  it('local disks are per instance: the same 20 GETs spread over two disks of 1 GB/s each', () => {
    const h = harness({ kind: 'private', instances: 2, nic: '100 Gbit/s', requestRate: 1e9, loadBalancing: 'round-robin', storage: { kind: 'local' } }, { nodes: 20 });
    let last = 0;
    for (let i = 0; i < 20; i++) h.get(i, 'layer', B, 9, (t) => (last = Math.max(last, t)));
    h.sim.run({});
    const floor = (10 * B) / STORAGE_DEFAULTS.local.aggregateBps; // 1 s per disk, both in parallel
    expect(last).toBeGreaterThanOrEqual(floor);
    expect(last).toBeLessThan(floor * 1.01);
  });
});

describe('storage backends: sourced limits, upload chunks and prices', () => {
  it('S3: 5,500 GET and 3,500 PUT per second per prefix, 10 MiB parts + initiate/complete (FACTS.md §3a, §4)', () => {
    const s3 = StorageConfig.parse({ kind: 's3' });
    expect([s3.getRate, s3.putRate, s3.partBytes, s3.redirect]).toEqual([5500, 3500, 10 * 2 ** 20, true]);
    expect(StorageConfig.parse({ kind: 's3', prefixes: 4 }).getRate).toBe(22000);
    expect(uploadRequests(s3, 1e9)).toBe(96 + 2); // ceil(1 GB / 10 MiB) parts
  });

  it('Azure: 8 MiB blocks + the block list; object stores redirect by default, file systems proxy', () => {
    expect(uploadRequests(StorageConfig.parse({ kind: 'azure-blob' }), 80 * 2 ** 20)).toBe(10 + 1);
    const redirecting = STORAGE_KINDS.filter((k) => StorageConfig.parse({ kind: k }).redirect);
    expect(redirecting).toEqual(['s3', 'azure-blob', 'gcs']);
  });

  it('request and storage prices per backend come from the catalog (FACTS.md §4 where it has them)', () => {
    const cat = buildCatalog();
    const perRequest = (id: string | null) => (id ? price(cat, id) * 1000 : null);
    expect(STORAGE_KINDS.map((k) => [k, perRequest(STORAGE_DEFAULTS[k].getPrice), perRequest(STORAGE_DEFAULTS[k].putPrice)])).toEqual([
      ['local', null, null],
      ['nfs', null, null],
      ['hdfs', null, null],
      ['s3', 0.0004, 0.005],
      ['azure-blob', 0.00044, 0.0055],
      ['gcs', 0.0004, 0.005],
    ]);
    // HDFS keeps three replicas of every block.
    expect(STORAGE_DEFAULTS.hdfs.copies).toBe(3);
  });
});
