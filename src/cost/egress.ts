/**
 * AWS internet egress, tiered by the bytes an account sends out in a month (FACTS.md §4, usage.ai
 * data-transfer-costs, updated 2026-06-02): the first 100 GB free, up to 10 TB at $0.09/GB, the next 40 TB
 * at $0.085, the next 100 TB at $0.07, beyond 150 TB $0.05. Tier prices are catalog entries (overridable);
 * the boundaries are AWS's. GB = 10^9 bytes, TB = 10^12, as everywhere in pullsim's prices.
 *
 * A run is shorter than a month, and tiers are monthly: the run's bytes are projected to a month
 * (× month / period), priced through the tiers, and the month's bill is scaled back to the period. So a
 * day that sends 4 TB is charged as 1/30.4 of a month that sends 121.7 TB — what that rate would cost.
 * The free 100 GB is the account's, shared with everything else it runs (an optimistic assumption).
 */
import { price, type PriceCatalog } from './catalog.ts';
import { SECONDS_PER_MONTH } from '../scenario/units.ts';

export interface EgressTier {
  /** Upper boundary of the tier in bytes per month (cumulative). */
  upToBytes: number;
  priceId: string;
}

export const EGRESS_TIERS: readonly EgressTier[] = [
  { upToBytes: 100e9, priceId: 'internet_egress_first_100gb' },
  { upToBytes: 10e12, priceId: 'internet_egress' },
  { upToBytes: 50e12, priceId: 'internet_egress_next_40tb' },
  { upToBytes: 150e12, priceId: 'internet_egress_next_100tb' },
  { upToBytes: Infinity, priceId: 'internet_egress_over_150tb' },
];

/** Dollars for `bytesPerMonth` of internet egress in one month. */
export function monthlyEgressCost(bytesPerMonth: number, catalog: PriceCatalog): number {
  let usd = 0;
  let below = 0;
  for (const tier of EGRESS_TIERS) {
    if (bytesPerMonth <= below) break;
    usd += (Math.min(bytesPerMonth, tier.upToBytes) - below) * price(catalog, tier.priceId);
    below = tier.upToBytes;
  }
  return usd;
}

/** Dollars for `bytes` of internet egress sent over `periodS` seconds at that steady rate. */
export function egressCostForPeriod(bytes: number, periodS: number, catalog: PriceCatalog): number {
  if (bytes <= 0) return 0;
  const perMonth = (bytes * SECONDS_PER_MONTH) / periodS;
  return (monthlyEgressCost(perMonth, catalog) * periodS) / SECONDS_PER_MONTH;
}
