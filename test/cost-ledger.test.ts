import { describe, expect, it } from 'vitest';
import { CostLedger, DAY_S, MONTH_S, type Usage } from '../src/cost/ledger.ts';
import { buildCatalog } from '../src/cost/catalog.ts';

const usage = (u: Partial<Usage>): Usage => ({
  periodS: DAY_S,
  natBytes: 0,
  natGateways: 1,
  crossZoneBytes: 0,
  internetBytes: 0,
  registryEgressBytes: 0,
  storedByteSeconds: 0,
  ...u,
});

describe('the cost ledger against hand arithmetic (FACTS.md V6, §4)', () => {
  it('6 GB a day through one NAT gateway: $0.27 processing plus 24 h × $0.045', () => {
    const l = new CostLedger(buildCatalog(), usage({ natBytes: 6e9 }));
    l.addClusterCosts();
    const b = l.breakdown();
    expect(b.nat_processing).toBeCloseTo(0.27, 12);
    expect(b.nat_hours).toBeCloseTo(24 * 0.045, 12);
    expect(b.total).toBeCloseTo(0.27 + 1.08, 12);
  });

  it('cross-zone bytes pay $0.01/GB out and $0.01/GB in', () => {
    const l = new CostLedger(buildCatalog(), usage({ crossZoneBytes: 50e9 }));
    l.addClusterCosts();
    expect(l.breakdown().cross_zone).toBeCloseTo(50 * 0.02, 12);
  });

  it('storage is charged per GB-month of 730 h, pro rata', () => {
    const catalog = buildCatalog();
    // 5 GB stored for one day at $0.10/GB-month.
    const l = new CostLedger(catalog, usage({ storedByteSeconds: 5e9 * DAY_S }));
    l.addStorage('registry_storage', catalog.get('ecr_storage')!.value);
    expect(l.breakdown().registry_storage).toBeCloseTo((5 * 0.1 * DAY_S) / MONTH_S, 12);
  });

  it('scenario overrides replace a price and are marked as the scenario\'s', () => {
    const c = buildCatalog({ nat_gateway_processing: 0.05 / 1e9 });
    expect(c.get('nat_gateway_processing')!.basis).toBe('scenario');
    expect(c.get('nat_gateway_processing')!.display).toBe('$0.05/GB');
    const l = new CostLedger(c, usage({ natBytes: 2e9 }));
    l.addClusterCosts();
    expect(l.breakdown().nat_processing).toBeCloseTo(0.1, 12);
  });

  it('no NAT traffic, no NAT charge; items are sorted and total first', () => {
    const l = new CostLedger(buildCatalog(), usage({}));
    l.addClusterCosts();
    l.add('b', 1);
    l.add('a', 2);
    expect(Object.keys(l.breakdown())).toEqual(['total', 'a', 'b']);
    expect(l.breakdown().total).toBe(3);
  });
});
