import { describe, expect, it } from 'vitest';
import { harness } from './storage-harness.ts';
import type { PrivateRuntime } from '../src/distribution/private.ts';

/**
 * S3 admits 5,500 GET/HEAD per second per prefix (FACTS.md §4); beyond it, 503 Slow Down, and the
 * registry's SDK retries after the 503's round trip (the first-byte latency, 50 ms) plus a full-jitter
 * back-off (uniform in [0, 0.5 s), then [0, 1 s)), three attempts in all; then the request fails.
 */
function burst(requests: number, prefixes = 1) {
  const h = harness({ kind: 'private', instances: 1, requestRate: 1e9, storage: { kind: 's3', delivery: 'proxy', prefixes } });
  let last = 0;
  let failed = 0;
  // One blob, `requests` simultaneous GETs: the first also reads the repository link and stats the blob.
  for (let i = 0; i < requests; i++)
    h.dist.fetch({ kind: 'layer', node: i % 10, bytes: 1, digest: 7, session: { hosts: 0, server: -1 } }, (ok, reason) => {
      last = Math.max(last, h.sim.now);
      if (!ok) {
        failed++;
        expect(reason).toBe('storage-throttled');
      }
    });
  h.sim.run({});
  return { h, p: h.dist as PrivateRuntime, last, failed };
}

describe('S3 request-rate limit', () => {
  it('5,500 GETs in one second pass untouched', () => {
    const { h, p, last } = burst(5498); // + 2 first-sight reads = 5,500
    expect(p.stats.gets).toBe(5500);
    expect(p.stats.throttled).toBe(0);
    expect(h.throttled).toBe(0);
    expect(last).toBeLessThan(0.2);
  });

  it('beyond 5,500/s the excess is throttled and retried with jitter; what the third attempt cannot place fails, counted', () => {
    const { h, p, last, failed } = burst(5598); // 5,600 GETs: 100 over
    // The 100 retry within [0.1, 0.6) s, still in the first second's window: all throttled again. Their
    // third attempt lands in [0.15, 1.65) s: the ones still inside second 0 are refused a last time and fail.
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(100);
    expect(p.stats.throttled).toBe(200 + failed);
    expect(h.throttled).toBe(200 + failed);
    // Only admitted GETs are billed.
    expect(p.stats.gets).toBe(5600 - failed);
    expect(last).toBeLessThan(0.05 + 0.5 + 0.05 + 1.0 + 0.1);
  });

  it('more prefixes raise the limit', () => {
    const { p } = burst(5598, 2);
    expect(p.stats.throttled).toBe(0);
  });
});
