import { describe, expect, it } from 'vitest';
import { loadScenario, simulate } from '../src/run.ts';

describe('the prices a report lists', () => {
  it('are the ones each variant’s costing used, with their as-of dates and sources', async () => {
    const scenario = await loadScenario('scenarios/seed-500-nodes.yaml', ['duration=2h']);
    const r = simulate(scenario);
    const ids = Object.fromEntries(r.variants.map((v) => [v.name, v.prices?.map((p) => p.id)]));
    // Docker Hub's Team plan is a per-seat fee (not modelled), so only the NAT gateways are priced.
    expect(ids).toEqual({
      dockerhub: ['nat_gateway_hour', 'nat_gateway_processing'],
      ecr: ['nat_gateway_hour', 'nat_gateway_processing', 'ecr_storage', 'ecr_same_region_transfer'],
      'private-registry': ['cross_zone_each_way', 'registry_instance_hour', 'block_storage'],
    });
    for (const v of r.variants) for (const p of v.prices ?? []) expect(p.source.length).toBeGreaterThan(0);
  });
});
