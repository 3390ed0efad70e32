/**
 * The cost ledger: turns usage (bytes through NAT, across zones, stored byte-seconds, hours) into dollars
 * per item with the catalog's prices. Filled after a run from the metrics' counters; strategies add their
 * own items (instances, storage) through the same calls.
 */
import { price, type PriceCatalog } from './catalog.ts';
import { egressCostForPeriod } from './egress.ts';

/** AWS bills a month as 730 hours. */
export { SECONDS_PER_MONTH as MONTH_S } from '../scenario/units.ts';
export const DAY_S = 86400;

export interface Usage {
  /** Billing period, seconds (the scenario's duration). */
  periodS: number;
  natBytes: number;
  natGateways: number;
  crossZoneBytes: number;
  internetBytes: number;
  registryEgressBytes: number;
  /** ∫ bytes stored in the registry dt over the period. */
  storedByteSeconds: number;
  /** Bytes our own services sent to the internet (billed by AWS's egress tiers). */
  internetEgressBytes?: number;
  /** Bytes that crossed from one region to another (billed per GB to the sender). */
  crossRegionBytes?: number;
  /** Bytes through interface VPC endpoints (billed per GB). */
  endpointBytes?: number;
}

export type UsageCounter = 'nat' | 'cross-zone' | 'internet' | 'registry-egress' | 'endpoint' | 'cross-region';

export class CostLedger {
  private readonly items = new Map<string, number>();

  constructor(
    readonly prices: PriceCatalog,
    readonly usage: Usage,
  ) {}

  add(item: string, usd: number): void {
    if (!Number.isFinite(usd) || usd < 0) throw new Error(`internal: cost item ${item} got ${usd} USD`);
    this.items.set(item, (this.items.get(item) ?? 0) + usd);
  }

  /** Charges `pricePerByte` on one of the usage counters. */
  addPerByte(item: string, pricePerByte: number, counter: UsageCounter): void {
    const u = this.usage;
    this.add(item, this.bytesOf(counter) * pricePerByte);
  }

  bytesOf(counter: UsageCounter): number {
    const u = this.usage;
    switch (counter) {
      case 'nat':
        return u.natBytes;
      case 'cross-zone':
        return u.crossZoneBytes;
      case 'internet':
        return u.internetBytes;
      case 'registry-egress':
        return u.registryEgressBytes;
      case 'endpoint':
        return u.endpointBytes ?? 0;
      case 'cross-region':
        return u.crossRegionBytes ?? 0;
    }
  }

  /** Charges a per-GB-month price (base units: $/(byte·second)) on the registry's stored byte-seconds. */
  addStorage(item: string, pricePerByteSecond: number, copies = 1): void {
    this.add(item, this.usage.storedByteSeconds * pricePerByteSecond * copies);
  }

  /** Charges a per-hour price (base units: $/s) for `count` things running the whole period. */
  addHours(item: string, pricePerSecond: number, count: number): void {
    this.add(item, pricePerSecond * this.usage.periodS * count);
  }

  /**
   * Costs every strategy shares: the cluster's NAT gateways, cross-zone and cross-region transfer, and
   * internet egress our own services send (tiered, cost/egress.ts).
   */
  addClusterCosts(): void {
    const u = this.usage;
    if ((u.internetEgressBytes ?? 0) > 0) this.add('internet_egress', egressCostForPeriod(u.internetEgressBytes!, u.periodS, this.prices));
    if ((u.crossRegionBytes ?? 0) > 0) this.addPerByte('cross_region', price(this.prices, 'cross_region'), 'cross-region');
    if (u.natBytes > 0) {
      this.addPerByte('nat_processing', price(this.prices, 'nat_gateway_processing'), 'nat');
      this.addHours('nat_hours', price(this.prices, 'nat_gateway_hour'), u.natGateways);
    }
    // Each byte that crosses zones is charged out of one zone and into the other.
    if (u.crossZoneBytes > 0) this.add('cross_zone', u.crossZoneBytes * 2 * price(this.prices, 'cross_zone_each_way'));
  }

  /** Items in a stable order (sorted by name) with the total first. */
  breakdown(): { total: number; [item: string]: number } {
    const names = [...this.items.keys()].sort();
    let total = 0;
    for (const n of names) total += this.items.get(n)!;
    const out: { total: number; [item: string]: number } = { total };
    for (const n of names) out[n] = this.items.get(n)!;
    return out;
  }
}
