/**
 * Registry pull quotas: at most `limit` counted requests per key in any `windowS`-long sliding window
 * (Docker Hub's `ratelimit-limit: 100;w=21600`). What the key is depends on the provider and plan:
 * anonymous Docker Hub pulls are keyed by the egress IP (so every node behind one NAT gateway shares one
 * bucket), authenticated ones by the account (FACTS.md §3b).
 *
 * Performance: each key keeps a ring of the acceptance times inside the window; a check drops expired
 * entries from the front, so every request costs O(1) amortised.
 */
export class SlidingWindowLimiter {
  private readonly rings = new Map<number, { times: Float64Array; head: number; size: number }>();

  constructor(
    readonly limit: number,
    readonly windowS: number,
  ) {
    if (!(limit >= 1) || !Number.isInteger(limit)) throw new RangeError(`rate limit must be a positive integer, got ${limit}`);
    if (!(windowS > 0)) throw new RangeError(`rate-limit window must be positive, got ${windowS}`);
  }

  /** Counts a request for `key` at `now` if the quota allows it; returns false (a 429) otherwise. */
  tryAcquire(key: number, now: number): boolean {
    let r = this.rings.get(key);
    if (!r) {
      r = { times: new Float64Array(this.limit), head: 0, size: 0 };
      this.rings.set(key, r);
    }
    // An acceptance at time a stops counting once now ≥ a + window.
    while (r.size > 0 && r.times[r.head] + this.windowS <= now) {
      r.head = (r.head + 1) % this.limit;
      r.size--;
    }
    if (r.size === this.limit) return false;
    r.times[(r.head + r.size) % this.limit] = now;
    r.size++;
    return true;
  }

  /** When `key` can next be served (now if it has quota left). */
  nextFree(key: number, now: number): number {
    const r = this.rings.get(key);
    if (!r || r.size < this.limit) return now;
    return Math.max(now, r.times[r.head] + this.windowS);
  }
}
