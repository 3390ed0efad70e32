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
import { thousands } from './thousands.ts';
import type { DistributionConfig } from '../distribution/registry.ts';
import type { AuthModel } from '../distribution/access.ts';
import type { Faults } from '../faults/schema.ts';

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
    `${thousands(c.nodes)} nodes in ${zones} with ${formatRate(c.nic)} NICs, reaching the internet ${egress}.`,
    `${imgs.count} image${imgs.count === 1 ? '' : 's'} of ${formatBytes(imgs.size)} in ${imgs.layers} layers${imgs.multiArch ? ' behind a multi-arch index' : ''}; node caches start ${c.cache}.`,
    `Every ${formatDuration(r.releases.every)}, ${perRelease} gets a new version with ${formatBytes(r.releases.delta)} of new layer bytes, for ${formatDuration(r.duration)}.`,
    `Rollout ${r.rollout.strategy}${r.rollout.jitter > 0 ? ` with up to ${formatDuration(r.rollout.jitter)} of random start jitter` : ''}; kubelet pulls ${c.serializeImagePulls ? 'one image at a time' : 'images in parallel'}, ${c.maxConcurrentDownloads} layers in flight per pull.`,
    `Network model ${r.network.model}; seed ${scenario.seed}.`,
  ];
  const retry = c.pullRetry;
  lines.push(
    `A failed pull is retried after kubelet's back-off (${formatDuration(retry.initialS)} doubling to ${formatDuration(retry.maxS)}, ${
      retry.jitter === 'full' ? 'full jitter' : `+${Math.round(retry.jitter * 100)} % jitter`
    }), ${retry.attempts} attempts in all, then counted failed with its reason.`,
  );
  if (imgs.signing) lines.push(`Every image version is signed with ${imgs.signing.format}; nodes fetch and verify the signature (${formatDuration(imgs.signing.verifyS)}) before the layers.`);
  lines.push(`Tags are ${imgs.tags === 'latest' ? ':latest' : 'immutable (one per build)'}, imagePullPolicy ${imgs.pullPolicy}${imgs.retain ? `; the registry keeps the last ${imgs.retain} versions of each image` : ''}.`);
  if (c.disk) lines.push(`Each node's image filesystem holds ${formatBytes(c.disk.sizeBytes)}; kubelet's image GC runs above ${Math.round(c.disk.high * 100)} % down to ${Math.round(c.disk.low * 100)} %, then pods are evicted and re-pull.`);
  lines.push(...describeFaults(r.faults));
  for (const v of scenario.variants) {
    lines.push(`Variant ${v.name}: ${v.description}.`);
    const a = accessOf(v.run.distribution);
    lines.push(`Variant ${v.name} access control: ${a.model}. Signing: ${a.signing}.`);
  }
  return lines;
}

/** The access-control model and signature support of a strategy, with sources (distribution/access.ts). */
export function accessOf(d: DistributionConfig): { model: string; signing: string } {
  const ofAuth = (a: AuthModel): { model: string; signing: string } => ({
    model: `${a.model}${a.scheme === 'bearer' ? (a.reuse === 'lifetime' ? `; a node reuses its token for ${formatDuration(a.tokenTtlS)}` : '; a token per pull') : ''}${
      a.scheme === 'bearer' && a.rate !== Infinity ? `; the token service issues ${a.rate} tokens/s` : ''
    }`,
    signing: a.signing,
  });
  switch (d.kind) {
    case 'hosted':
      return ofAuth(d.preset.auth);
    case 'private':
      return ofAuth(d.auth);
    case 'mirror': {
      // The upstream may itself be a mirror (two tiers, upstream.ts): describe it the same way.
      const up = accessOf(d.upstream as DistributionConfig);
      return {
        model: `nodes pull from the mirror without credentials (in-cluster; Harbor projects can require robot accounts: assumption, not modelled); the mirror authenticates upstream itself, reusing a token for 300 s (assumption) — upstream: ${up.model}`,
        signing: `signatures are OCI objects the mirror caches like any other (assumption); upstream: ${up.signing}`,
      };
    }
    case 'p2p':
      return {
        model: `${d.settings.label}: nodes talk to their local agent, which needs no registry credentials; the origin tier pulls from the upstream with its own (assumption: trust in the cluster network, no per-node auth)`,
        signing: 'signatures and manifests come through the origin tier as metadata; verification stays on the node (assumption)',
      };
  }
}

/** The scenario's faults in one line each. */
function describeFaults(f: Faults): string[] {
  const out: string[] = [];
  const when = (w: { at?: number; duration?: number; mtbf?: number; mttr?: number }): string =>
    w.at !== undefined ? `at ${formatDuration(w.at)} for ${formatDuration(w.duration ?? 0)}` : `at random (MTBF ${formatDuration(w.mtbf!)}, MTTR ${formatDuration(w.mttr!)})`;
  for (const o of f.outages) out.push(`Fault: the ${o.service} is down ${when(o)}; requests are refused and transfers in flight cut.`);
  for (const l of f.links) out.push(`Fault: ${l.link} links${l.zone ? ` of ${l.zone}` : ''} run at ${l.factor} × capacity ${when(l)}.`);
  for (const c of f.nodes)
    out.push(c.leave !== undefined ? `Fault: ${c.leave} nodes leave at ${formatDuration(c.at)}.` : `Fault: ${c.join} fresh nodes join at ${formatDuration(c.at)} and pull every image.`);
  for (const cl of f.crashLoops)
    out.push(
      `Fault: a pod of image ${cl.image} crash-loops on ${cl.nodes} node(s) from ${formatDuration(cl.from)}, running ${formatDuration(cl.runFor)} each time (CrashLoopBackOff 10 s → 300 s)${cl.cacheLost ? ', its image lost at every restart' : ''}.`,
    );
  return out;
}

/** The prices the variant's costing used (`used` ids; all when unknown), in catalog order, as the report shows them. */
export function pricesOf(run: RunConfig, used?: readonly string[]): PriceRow[] {
  const catalog = buildCatalog(run.prices as Record<string, number>);
  const keep = used ? new Set(used) : undefined;
  return [...catalog.values()].filter((e) => !keep || keep.has(e.id)).map((e) => ({
    id: e.id,
    display: e.display,
    asOf: e.asOf,
    source: e.source,
    basis: e.basis,
    ...(e.note !== undefined ? { note: e.note } : {}),
  }));
}
