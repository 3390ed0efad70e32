import { describe, expect, it } from 'vitest';
import { harness } from './storage-harness.ts';
import type { PrivateRuntime } from '../src/distribution/private.ts';

/**
 * S3 admits 5,500 GET/HEAD per second per prefix (FACTS.md §4); beyond it, 503 Slow Down and a retry after
 * a doubling backoff (0.5 s, 1 s, …) plus the 503's round trip (the first-byte latency, 50 ms).
 */
function burst(requests: number, prefixes = 1) {
  const h = harness({ kind: 'private', instances: 1, requestRate: 1e9, storage: { kind: 's3', delivery: 'proxy', prefixes } });
  let last = 0;
  // One blob, `requests` simultaneous GETs: the first also reads the repository link and stats the blob.
  for (let i = 0; i < requests; i++) h.get(i % 10, 'layer', 1, 7, (t) => (last = Math.max(last, t)));
  h.sim.run({});
  return { h, p: h.dist as PrivateRuntime, last };
}

describe('S3 request-rate limit', () => {
  it('5,500 GETs in one second pass untouched', () => {
    const { h, p, last } = burst(5498); // + 2 first-sight reads = 5,500
    expect(p.stats.gets).toBe(5500);
    expect(p.stats.throttled).toBe(0);
    expect(h.throttled).toBe(0);
    expect(last).toBeLessThan(0.2);
  });

  it('beyond 5,500/s the excess is throttled, retried twice (0.55 s and 1.6 s later) and counted', () => {
    const { h, p, last } = burst(5598); // 5,600 GETs: 100 over
    expect(p.stats.gets).toBe(5600);
    // The 100 retry at ≈ 0.55 s, still in the first second's window (throttled again), then ≈ 1.6 s.
    expect(p.stats.throttled).toBe(200);
    expect(h.throttled).toBe(200);
    expect(last).toBeGreaterThan(0.05 + 0.5 + 0.05 + 1.0);
    expect(last).toBeLessThan(1.7);
  });

  it('more prefixes raise the limit', () => {
    const { p } = burst(5598, 2);
    expect(p.stats.throttled).toBe(0);
  });
});
