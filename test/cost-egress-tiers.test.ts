import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../src/cost/catalog.ts';
import { egressCostForPeriod, monthlyEgressCost } from '../src/cost/egress.ts';
import { CostLedger, DAY_S, MONTH_S } from '../src/cost/ledger.ts';

const GB = 1e9;
const TB = 1e12;
const catalog = buildCatalog();

/** AWS internet egress (FACTS.md §4): 100 GB free, then $0.09 to 10 TB, $0.085 to 50 TB, $0.07 to 150 TB, $0.05 beyond. */
describe('internet egress tiers, by hand', () => {
  it('the first 100 GB of a month are free', () => {
    expect(monthlyEgressCost(0, catalog)).toBe(0);
    expect(monthlyEgressCost(100 * GB, catalog)).toBe(0);
  });

  it('the 10 TB boundary: 9,900 GB at $0.09', () => {
    expect(monthlyEgressCost(1 * TB, catalog)).toBeCloseTo(900 * 0.09, 9);
    expect(monthlyEgressCost(10 * TB, catalog)).toBeCloseTo(9900 * 0.09, 9);
    // One GB past it is billed at the next tier.
    expect(monthlyEgressCost(10 * TB + GB, catalog) - monthlyEgressCost(10 * TB, catalog)).toBeCloseTo(0.085, 9);
  });

  it('the 50 and 150 TB boundaries', () => {
    expect(monthlyEgressCost(50 * TB, catalog)).toBeCloseTo(891 + 40000 * 0.085, 9);
    expect(monthlyEgressCost(150 * TB, catalog)).toBeCloseTo(891 + 3400 + 100000 * 0.07, 9);
    expect(monthlyEgressCost(200 * TB, catalog)).toBeCloseTo(891 + 3400 + 7000 + 50000 * 0.05, 9);
  });

  it('a shorter run is priced at its rate projected to a month, then scaled back', () => {
    // 1 TB in a day is 30.42 TB a month.
    const perMonth = (1 * TB * MONTH_S) / DAY_S;
    const month = 9900 * 0.09 + (perMonth - 10 * TB) / GB * 0.085;
    expect(egressCostForPeriod(1 * TB, DAY_S, catalog)).toBeCloseTo((month * DAY_S) / MONTH_S, 9);
  });

  it('tier prices are catalog entries a scenario can override', () => {
    const c = buildCatalog({ internet_egress: 0.05 / GB });
    expect(monthlyEgressCost(1 * TB, c)).toBeCloseTo(900 * 0.05, 9);
  });

  it('the ledger charges internet egress our services send as one item', () => {
    const l = new CostLedger(catalog, {
      periodS: MONTH_S,
      natBytes: 0,
      natGateways: 0,
      crossZoneBytes: 0,
      internetBytes: 0,
      registryEgressBytes: 0,
      storedByteSeconds: 0,
      internetEgressBytes: 20 * TB,
      crossRegionBytes: 50 * GB,
    });
    l.addClusterCosts();
    expect(l.breakdown().internet_egress).toBeCloseTo(891 + 10000 * 0.085, 9);
    expect(l.breakdown().cross_region).toBeCloseTo(50 * 0.02, 12);
  });
});
