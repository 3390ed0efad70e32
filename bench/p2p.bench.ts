/**
 * P2P flash-crowd benchmark: scenarios/flash-crowd-1000.yaml's Kraken variant (1 GB image, 8 layers, cold
 * caches, all nodes at once) at 1,000 and 10,000 nodes, timed end to end (three runs and one: a run is
 * seconds to minutes, so tinybench's repetitions would add nothing but wall time). Also measures the opt-in
 * local-fair-share bandwidth model against the exact max-min model on a swarm small enough for both.
 *
 *   node --import tsx bench/p2p.bench.ts
 */
import { pathToFileURL } from 'node:url';
import { formatCount, median, pairedWithReference, withPeakRss } from './measure.ts';
import { wants, type BenchRow, type BenchSuiteOptions } from './types.ts';
import { loadScenario } from '../src/run.ts';
import { simulateRun } from '../src/simulate.ts';
import type { RunConfig } from '../src/scenario/schema.ts';
import type { VariantMetrics } from '../src/metrics/result.ts';

const SCENARIO = new URL('../scenarios/flash-crowd-1000.yaml', import.meta.url).pathname;

interface Timed {
  metrics: VariantMetrics;
  wallS: number;
}

function timed(run: RunConfig): Timed {
  const t0 = performance.now();
  const metrics = simulateRun(run);
  return { metrics, wallS: (performance.now() - t0) / 1000 };
}

function withNodes(run: RunConfig, nodes: number, model?: 'exact' | 'local-fair-share'): RunConfig {
  const d = run.distribution;
  if (d.kind !== 'p2p') throw new Error(`bench: expected a p2p variant, got ${d.kind}`);
  const distribution = model ? { ...d, settings: { ...d.settings, bandwidthModel: model } } : d;
  return { ...run, cluster: { ...run.cluster, nodes }, distribution };
}

/**
 * A timed crowd run, `repeats` times: its CPU seconds ÷ the reference workload next to it is what the
 * gate compares (median over repeats; see pairedWithReference). The row's value is the median wall time.
 */
async function crowdRow(name: string, run: RunConfig, repeats: number): Promise<{ row: BenchRow; first: Timed }> {
  const { result: paired, peakRssMB } = await withPeakRss(() => pairedWithReference(repeats, () => timed(run)));
  const t = paired.results[0];
  const model = run.distribution.kind === 'p2p' ? run.distribution.settings.bandwidthModel : 'exact';
  const wallS = median(paired.results.map((r) => r.wallS));
  const gate = median(paired.ratios);
  const m = t.metrics;
  const eventsPerSecond = m.events / wallS;
  const row: BenchRow = {
    name,
    unit: 's',
    value: wallS,
    extra:
      `${formatCount(eventsPerSecond)} events/s, ${formatCount(m.events)} events, peak RSS ${Math.round(peakRssMB)} MB, ` +
      `simulated rollout ${m.rollout_s.max.toFixed(2)} s, ${model}, ${repeats === 1 ? 'one run' : `median of ${repeats}`}, CPU ${gate.toFixed(0)} × reference workload`,
    better: 'smaller',
    gate,
    eventsPerSecond,
    peakRssMB,
  };
  return { row, first: t };
}

export async function p2pBench(options: BenchSuiteOptions = {}): Promise<BenchRow[]> {
  const scenario = await loadScenario(SCENARIO);
  const kraken = scenario.variants.find((v) => v.name === 'kraken');
  if (!kraken) throw new Error(`bench: ${SCENARIO} has no kraken variant`);
  const wanted = (name: string): boolean => wants(options, name);
  const rows: BenchRow[] = [];

  // The exact model (local solves, network/local-solve.ts) timed and gated like the crowds, and the
  // approximation's error against it.
  const errName = 'p2p-local-vs-exact-error-100';
  if (wanted(errName) || wanted('p2p-flash-crowd-100-exact')) {
    const { row, first: exact } = await crowdRow('p2p-flash-crowd-100-exact', withNodes(kraken.run, 100, 'exact'), 3);
    const local = timed(withNodes(kraken.run, 100, 'local-fair-share'));
    const err = (a: number, b: number): number => (100 * (a - b)) / b;
    rows.push(row);
    rows.push({
      name: errName,
      unit: '%',
      value: err(local.metrics.rollout_s.max, exact.metrics.rollout_s.max),
      extra:
        `rollout max local ${local.metrics.rollout_s.max.toFixed(3)} s vs exact ${exact.metrics.rollout_s.max.toFixed(3)} s; ` +
        `node-ready p50 ${err(local.metrics.node_ready_s.p50, exact.metrics.node_ready_s.p50).toFixed(1)} %; ` +
        `wall ${local.wallS.toFixed(2)} s vs ${exact.wallS.toFixed(2)} s`,
    });
  }
  if (wanted('p2p-flash-crowd-1000')) rows.push((await crowdRow('p2p-flash-crowd-1000', withNodes(kraken.run, 1000), 3)).row);
  // The exact model at 1,000 nodes, where covered links (Network.declareCovered) pay: 44 → 10.5 s CPU.
  if (wanted('p2p-flash-crowd-1000-exact')) rows.push((await crowdRow('p2p-flash-crowd-1000-exact', withNodes(kraken.run, 1000, 'exact'), 3)).row);
  if (wanted('p2p-flash-crowd-10000')) rows.push((await crowdRow('p2p-flash-crowd-10000', withNodes(kraken.run, 10000), 1)).row);
  // The same crowd from the scenario's four private registry instances (zone-aware). Zone a has two: each
  // instance's disk limits half of that zone's flows, and the halves share the zone's node NICs (never
  // full), so they are one component with two bottlenecks. A share group needs one bottleneck crossed by
  // every member, so none lasts, and every finish re-solves the zone's flows: O(n) per event (issue 6).
  if (wanted('private-flash-crowd-1000')) {
    const priv = scenario.variants.find((v) => v.name === 'private-registry');
    if (!priv) throw new Error(`bench: ${SCENARIO} has no private-registry variant`);
    rows.push((await crowdRow('private-flash-crowd-1000', priv.run, 1)).row);
  }
  return rows;
}

// Run as a script. No top-level await: the CLI's bundle is CommonJS (bin/compiled.js), which has none.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void p2pBench({ filter: process.argv[2] }).then((rows) => {
    for (const r of rows) console.log(`${r.name}\t${r.value.toFixed(3)} ${r.unit}\t${r.extra ?? ''}`);
  });
}
