/**
 * The scenario in plain words and the prices it was costed with, captured into RunResult at run time so
 * that a report rendered later from the JSON alone (`pullsim report RESULT.json`) can state its
 * assumptions.
 */
import type { RunConfig } from '../scenario/schema.ts';
import type { ResolvedScenario } from '../scenario/resolve.ts';
import type { PriceRow } from '../metrics/result.ts';
import { buildCatalog } from '../cost/catalog.ts';
import { formatBytes, formatDuration, formatRate } from '../scenario/units.ts';

/** A few sentences describing the base run (the first variant) and what the variants change. */
export function describeScenario(scenario: ResolvedScenario): string[] {
  const v0 = scenario.variants[0];
  if (!v0) return [];
  const r: RunConfig = v0.run;
  const c = r.cluster;
  const zones = c.zones.length === 1 ? `1 zone (${c.zones[0]})` : `${c.zones.length} zones (${c.zones.join(', ')})`;
  const egress = c.egress === 'nat' ? `through ${c.natGateways === 'per-zone' ? 'one NAT gateway per zone' : 'a single NAT gateway'}` : 'each with its own public IP';
  const imgs = r.images;
  const perRelease =
    imgs.count === 1 ? 'the image' : r.releases.images === imgs.count ? `each of the ${imgs.count} images` : `${r.releases.images} of the ${imgs.count} images`;
  const lines = [
    `${c.nodes.toLocaleString('en-US')} nodes in ${zones} with ${formatRate(c.nic)} NICs, reaching the internet ${egress}.`,
    `${imgs.count} image${imgs.count === 1 ? '' : 's'} of ${formatBytes(imgs.size)} in ${imgs.layers} layers${imgs.multiArch ? ' behind a multi-arch index' : ''}; node caches start ${c.cache}.`,
    `Every ${formatDuration(r.releases.every)}, ${perRelease} gets a new version with ${formatBytes(r.releases.delta)} of new layer bytes, for ${formatDuration(r.duration)}.`,
    `Rollout ${r.rollout.strategy}${r.rollout.jitter > 0 ? ` with up to ${formatDuration(r.rollout.jitter)} of random start jitter` : ''}; kubelet pulls ${c.serializeImagePulls ? 'one image at a time' : 'images in parallel'}, ${c.maxConcurrentDownloads} layers in flight per pull.`,
    `Network model ${r.network.model}; seed ${scenario.seed}.`,
  ];
  for (const v of scenario.variants) lines.push(`Variant ${v.name}: ${v.description}.`);
  return lines;
}

/** The variant's price catalog, in catalog order, as the report shows it. */
export function pricesOf(run: RunConfig): PriceRow[] {
  const catalog = buildCatalog(run.prices as Record<string, number>);
  return [...catalog.values()].map((e) => ({
    id: e.id,
    display: e.display,
    asOf: e.asOf,
    source: e.source,
    basis: e.basis,
    ...(e.note !== undefined ? { note: e.note } : {}),
  }));
}
