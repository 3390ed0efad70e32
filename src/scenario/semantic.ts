/**
 * Checks that need several fields at once: a scenario every field of which is valid can still describe
 * something that cannot run as meant. Each check is a lower bound or a plain contradiction, never a
 * guess, so a scenario that passes the schema and fails here is wrong for sure.
 */
import { formatBytes, formatDuration, formatRate } from './units.ts';
import { unpackWireBps, wireBytes, type Compression } from '../workload/images.ts';

export interface SemanticIssue {
  path: (string | number)[];
  message: string;
  hint: string;
}

/** The fields the checks read, as the run schema has them after parsing (base units). */
export interface SemanticInput {
  cluster: { nodes: number; zones: number | string[]; nic: number; unpack: number };
  images: { count: number; compression: Compression; lazy?: unknown };
  releases: { every: number; images?: number; delta: number };
  distribution: { kind: string; instances?: number; nic?: number; storage?: { redirect?: boolean } };
}

export function checkRunSemantics(c: SemanticInput): SemanticIssue[] {
  const issues: SemanticIssue[] = [];
  const zoneCount = typeof c.cluster.zones === 'number' ? c.cluster.zones : c.cluster.zones.length;
  if (zoneCount > c.cluster.nodes)
    issues.push({
      path: ['cluster', 'zones'],
      message: `${zoneCount} zones but only ${c.cluster.nodes} node${c.cluster.nodes === 1 ? '' : 's'}: nodes are spread round-robin, so ${zoneCount - c.cluster.nodes} zone${zoneCount - c.cluster.nodes === 1 ? '' : 's'} would hold none`,
      hint: `use at most ${c.cluster.nodes} zones, or raise cluster.nodes`,
    });
  const drain = releaseDrainBound(c);
  if (drain && drain.seconds > c.releases.every)
    issues.push({
      path: ['releases', 'every'],
      message:
        `a release every ${formatDuration(c.releases.every)}, but delivering one takes at least ${formatDuration(drain.seconds)} ` +
        `(${drain.why}): every rollout would still be running when the next release comes, and they would pile up`,
      hint: 'lengthen releases.every, shrink releases.delta or releases.images, or give the bottleneck more capacity',
    });
  return issues;
}

/**
 * A lower bound on the time one release takes to reach every node, whatever the strategy does: each node
 * must receive its new layer bytes through its own NIC and unpack them; a private registry that proxies
 * blobs must send every node's bytes through its instances' NICs. Lazy pulling starts containers before the bytes are
 * all there, so no bound is claimed for it.
 */
export function releaseDrainBound(c: SemanticInput): { seconds: number; why: string } | undefined {
  if (c.images.lazy !== undefined) return undefined;
  const images = c.releases.images ?? c.images.count;
  const perNode = images * wireBytes(c.releases.delta, c.images.compression);
  if (!(perNode > 0)) return undefined;
  const what = `${images} image${images === 1 ? '' : 's'} × ${formatBytes(wireBytes(c.releases.delta, c.images.compression))}`;
  const candidates: { seconds: number; why: string }[] = [
    { seconds: perNode / c.cluster.nic, why: `${what} per node through a ${formatRate(c.cluster.nic)} NIC` },
    {
      seconds: perNode / unpackWireBps(c.cluster.unpack, c.images.compression),
      why: `${what} per node unpacked at ${formatRate(unpackWireBps(c.cluster.unpack, c.images.compression))}`,
    },
  ];
  const d = c.distribution;
  // Redirected blobs come from the store, not through the instances' NICs.
  if (d.kind === 'private' && d.storage?.redirect !== true && d.instances !== undefined && d.nic !== undefined && d.nic > 0) {
    candidates.push({
      seconds: (c.cluster.nodes * perNode) / (d.instances * d.nic),
      why: `${c.cluster.nodes} nodes × ${what} through ${d.instances} registry instance${d.instances === 1 ? '' : 's'} at ${formatRate(d.nic)}`,
    });
  }
  return candidates.reduce((a, b) => (b.seconds > a.seconds ? b : a));
}
