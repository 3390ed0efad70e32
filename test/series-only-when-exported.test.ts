/**
 * A run records its time series only when an output holds them (the JSON export, the HTML report; the
 * CLI asks with `series`), since the collector's clock costs a few per cent of a run. Without them every
 * metric and the price table are the same: the series are an addition, never an input.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario, simulate } from '../src/run.ts';

const seed = new URL('../scenarios/seed-500-nodes.yaml', import.meta.url).pathname;

describe('time series only for the outputs that hold them', () => {
  it('leaves them out on request, and changes nothing else', async () => {
    const scenario = await loadScenario(seed, ['duration=5h', 'cluster.nodes=40']);
    const withSeries = simulate(scenario);
    const without = simulate(scenario, { series: false });
    expect(withSeries.variants.map((v) => v.name)).toEqual(['dockerhub', 'ecr', 'private-registry']);
    for (const [i, v] of withSeries.variants.entries()) {
      const w = without.variants[i];
      expect(v.series?.rollout_completion.t_s.length).toBeGreaterThan(0);
      expect(Object.keys(v.series?.ingress_by_source ?? {}).length).toBeGreaterThan(0);
      expect(w.series).toBeUndefined();
      expect(w.metrics).toEqual(v.metrics);
      // The price table of the report (the prices the costing read) still comes with the first replication.
      expect(w.prices).toEqual(v.prices);
      expect(w.prices!.length).toBeGreaterThan(0);
      expect({ ...w, prices: undefined }).toEqual({ ...v, series: undefined, prices: undefined });
    }
  });

  it('keeps them for the first replication only, with or without the flag', async () => {
    const scenario = await loadScenario(seed, ['duration=3h', 'cluster.nodes=20', 'replications=2']);
    const r = simulate(scenario);
    for (const v of r.variants) {
      expect(v.series).toBeDefined();
      expect(v.runs?.length).toBe(2);
    }
    for (const v of simulate(scenario, { series: false }).variants) expect(v.series).toBeUndefined();
  });
});
