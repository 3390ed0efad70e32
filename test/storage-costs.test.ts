import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';
import { uploadRequests, StorageConfig } from '../src/distribution/storage.ts';
import { SECONDS_PER_MONTH } from '../src/scenario/units.ts';

const MiB = 1024 * 1024;

function run(storage: Record<string, unknown>, nodes = 20) {
  return simulateRun(
    RunConfig.parse({
      duration: '1h',
      cluster: { nodes, zones: 1 },
      images: { count: 1, size: '100 MB', layers: 4, multiArch: false },
      releases: { every: '2h', delta: '25 MiB' },
      distribution: { kind: 'private', instances: 1, requestRate: 1e6, storage },
    }),
  );
}

describe('storage request and storage costs', () => {
  it('multipart push: ceil(X / 10 MiB) parts + initiate/complete on S3; X / 8 MiB blocks + 1 on Azure (FACTS.md)', () => {
    expect(uploadRequests(StorageConfig.parse({ kind: 's3' }), 25 * MiB)).toBe(3 + 2);
    expect(uploadRequests(StorageConfig.parse({ kind: 's3' }), 10 * MiB)).toBe(1 + 2);
    expect(uploadRequests(StorageConfig.parse({ kind: 'azure-blob' }), 25 * MiB)).toBe(4 + 1);
    expect(uploadRequests(StorageConfig.parse({ kind: 's3', chunkSize: '5 MiB' }), 25 * MiB)).toBe(5 + 2);
  });

  it('S3: GETs at $0.0004/1000, PUTs at $0.005/1000, storage at $0.023/GB-month, by hand', () => {
    const N = 20;
    const m = run({ kind: 's3' }, N);
    // Per node: tag HEAD (1 GET), manifest, config, layer (1 GET each); the instance's first sight of
    // each of those three digests adds a link read and a stat (2 GETs each).
    const gets = N * 4 + 3 * 2;
    const puts = 3 + 2; // one 25 MiB layer pushed
    expect(m.cost_usd.storage_requests).toBeCloseTo(gets * 0.0004e-3 + puts * 0.005e-3, 15);
    // The 100 MB image (stored from t=0) and the 25 MiB delta (published at t=0), one hour each, one copy.
    const byteSeconds = (100e6 + 25 * MiB) * 3600;
    expect(m.cost_usd.registry_storage).toBeCloseTo((byteSeconds * 0.023) / 1e9 / SECONDS_PER_MONTH, 15);
  });

  it('local disks: no request charges; every instance holds a copy on block storage', () => {
    const m = run({ kind: 'local' });
    expect(m.cost_usd.storage_requests).toBeUndefined();
    const byteSeconds = (100e6 + 25 * MiB) * 3600;
    expect(m.cost_usd.registry_storage).toBeCloseTo((byteSeconds * 0.08) / 1e9 / SECONDS_PER_MONTH, 15);
  });

  it('filesystem backends cannot redirect: a zod issue with a hint', () => {
    const r = StorageConfig.safeParse({ kind: 'nfs', delivery: 'redirect' });
    expect(r.success).toBe(false);
    const issue = r.error!.issues[0] as { path: PropertyKey[]; params?: { hint?: string } };
    expect(issue.path).toEqual(['delivery']);
    expect(issue.params?.hint).toMatch(/delivery: proxy/);
  });
});
