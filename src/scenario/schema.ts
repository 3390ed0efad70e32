/**
 * The scenario file's schema (input side: human units, defaults) and the resolved run it produces (base
 * units only). A scenario and its type share one name (zod habit). Field names are a contract
 * (issue 2): version, name, seed, duration, cluster.nodes, cluster.zones, images.count, releases.every,
 * releases.images, releases.delta, rollout, distribution.kind, variants[].name, variants[].distribution,
 * thresholds.
 */
import { z } from 'zod';
import { zDuration, zRate, zSize, zPrice } from './units.ts';
import { Distribution } from '../distribution/registry.ts';
import { upstreamChain } from '../distribution/upstream.ts';
import { Rollout } from '../workload/rollout.ts';
import { DEFAULT_PRICES } from '../cost/catalog.ts';
import { COMPRESSION_PRESETS, LAZY_PRESETS, type Compression, type LazyPulling } from '../workload/images.ts';
import { parseThreshold } from '../report/thresholds.ts';
import { checkRunSemantics } from './semantic.ts';
import { PullRetry } from '../cluster/backoff.ts';
import { Disk } from '../cluster/disk.ts';
import { ImageSigning } from '../workload/signing.ts';
import { Faults } from '../faults/schema.ts';

// Performance: zod compiles a parser per object schema on its first parse (new Function), which pays off
// for schemas parsed many times; pullsim parses one scenario per process, so start-up is faster without.
z.config({ jitless: true });

/** Network model knobs (SimGrid's): plain max-min, or with CM02's TCP window bound, or LV08's factors. */
export const NetworkModel = z
  .strictObject({
    model: z
      .enum(['maxmin', 'cm02', 'lv08'])
      .default('maxmin')
      .describe('maxmin: pure max-min sharing; cm02: + TCP window bound W/(2·latency); lv08: SimGrid default factors'),
    latencyFactor: z.number().positive().optional().describe('multiplies path latency (LV08: 13.01)'),
    bandwidthFactor: z.number().positive().max(1).optional().describe('share of link capacity usable by payload (LV08: 0.97/1.05)'),
    tcpWindow: zSize.optional().describe('TCP window for the W/(2·latency) rate bound, e.g. "4 MiB" (CM02: 4194304 B)'),
    rttUnfairness: z
      .boolean()
      .optional()
      .describe("weight each flow's max-min share by 1 / its path latency, as SimGrid's CM02 and LV08 do (default: true for cm02 and lv08, false for maxmin)"),
    weightS: z.number().nonnegative().optional().describe("SimGrid's weight-S in bytes, added to a flow's latency weight as weightS / bandwidth per link (LV08: 20537, CM02: 0)"),
  })
  .transform((n) => {
    const preset =
      n.model === 'lv08'
        ? { latencyFactor: 13.01, bandwidthFactor: 0.97 / 1.05, tcpWindowBytes: 4194304, windowRateFactor: 0.97, latencyWeighted: true, weightS: 20537 }
        : n.model === 'cm02'
          ? { latencyFactor: 1, bandwidthFactor: 1, tcpWindowBytes: 4194304, windowRateFactor: 1, latencyWeighted: true, weightS: 0 }
          : { latencyFactor: 1, bandwidthFactor: 1, tcpWindowBytes: null as number | null, windowRateFactor: 1, latencyWeighted: false, weightS: 0 };
    return {
      model: n.model,
      latencyFactor: n.latencyFactor ?? preset.latencyFactor,
      bandwidthFactor: n.bandwidthFactor ?? preset.bandwidthFactor,
      tcpWindowBytes: n.tcpWindow ?? preset.tcpWindowBytes,
      // SimGrid's bandwidth factor (0.97 in LV08) scales the window-bound rate too; not a scenario field.
      windowRateFactor: preset.windowRateFactor,
      latencyWeighted: n.rttUnfairness ?? preset.latencyWeighted,
      weightS: n.weightS ?? preset.weightS,
    };
  });

export const Cluster = z.strictObject({
  nodes: z.number().int().min(1).max(1_000_000).describe('number of nodes that pull every release'),
  region: z.string().min(1).default('us-east-1'),
  zones: z
    .union([z.number().int().min(1).max(26), z.array(z.string().min(1)).min(1)])
    .default(1)
    .describe('a count (names become <region>a, <region>b, …) or a list of zone names; nodes are spread round-robin'),
  nodesPerRack: z.number().int().min(1).default(40),
  nic: zRate.prefault('10 Gbit/s').describe('node NIC, each direction'),
  rackOversubscription: z.number().min(1).default(3).describe('rack uplink = nodes × NIC / this (3:1 rule of thumb, FACTS.md §5)'),
  zoneBandwidth: zRate.prefault('400 Gbit/s').describe("each zone's link to the region spine, each direction (assumption)"),
  latency: z
    .strictObject({
      nic: zDuration.prefault('0.05ms').describe('one-way, node ↔ top-of-rack'),
      rack: zDuration.prefault('0.05ms').describe('one-way, top-of-rack ↔ zone spine'),
      crossZone: zDuration.prefault('0.45ms').describe('one-way extra between zones (AWS cross-AZ RTT ≈ 1.3 ms, FACTS.md §5)'),
      nat: zDuration.prefault('0.1ms').describe('one-way through a NAT gateway (assumption)'),
    })
    .prefault({}),
  egress: z.enum(['nat', 'public-ip']).default('nat').describe('how nodes reach the internet: through NAT gateways, or each with its own public IP'),
  natGateways: z.enum(['per-zone', 'single']).default('per-zone'),
  natBandwidth: zRate.prefault('100 Gbit/s').describe('capacity of one NAT gateway (AWS: scales to 100 Gbit/s; assumption)'),
  internetFlowCap: zRate.prefault('5 Gbit/s').describe('per-flow cap to the internet (EC2 outside a placement group, FACTS.md §5)'),
  maxConcurrentDownloads: z.number().int().min(1).max(64).default(3).describe('layers in flight per pull (containerd/dockerd default 3)'),
  serializeImagePulls: z.boolean().default(true).describe('kubelet pulls one image at a time per node (default true)'),
  unpack: zRate
    .prefault('100 MB/s')
    .describe(
      'unpack (decompress + write) throughput per node for gzip layers, in compressed bytes/s (assumption); zstd and uncompressed layers unpack faster per content byte (images.compression), lazy formats mount without unpacking',
    ),
  cache: z.enum(['warm', 'cold']).default('warm').describe('warm: nodes hold the current version of every image at t=0'),
  pullRetry: PullRetry.prefault({}),
  disk: Disk.optional(),
});

const compressionFormat = z.enum(['gzip', 'zstd', 'none']);

/** `images.compression`: a preset name, or the preset with its ratio / unpack speed overridden. */
export const ImageCompression = z
  .union([
    compressionFormat,
    z.strictObject({
      format: compressionFormat,
      ratio: z.number().min(1).max(100).optional().describe('content bytes per wire byte (presets: gzip 2.5, zstd 2.7, none 1; assumptions)'),
      unpack: zRate
        .refine((r) => r > 0, { error: 'unpack must be faster than 0 B/s' })
        .optional()
        .describe('unpack throughput per node in content (unpacked) bytes/s; default: cluster.unpack scaled by the preset'),
    }),
  ], { error: 'expected "gzip", "zstd" or "none", or { format, ratio, unpack }' })
  .superRefine((c, ctx) => {
    if (typeof c !== 'string' && c.format === 'none' && c.ratio !== undefined && c.ratio !== 1)
      ctx.addIssue({
        code: 'custom',
        path: ['ratio'],
        message: `an uncompressed layer has ratio 1, not ${c.ratio}`,
        params: { hint: 'drop ratio, or pick format gzip or zstd' },
      });
  })
  .transform((c): Compression => {
    const o: { format: Compression['format']; ratio?: number; unpack?: number } = typeof c === 'string' ? { format: c } : c;
    return { format: o.format, ratio: o.ratio ?? COMPRESSION_PRESETS[o.format].ratio, unpackBps: o.unpack ?? null };
  })
  .describe(
    'how layers go over the wire: gzip (default, the OCI media type), zstd or none; sizes stay gzip-measured, so another format changes wire bytes and unpack time',
  );

/** `images.lazy`: lazy pulling (eStargz / Nydus / SOCI) as a modifier on any distribution strategy. */
export const ImageLazy = z
  .strictObject({
    format: z.enum(['estargz', 'nydus', 'soci']).describe('snapshotter format: presets for chunk size and metadata'),
    startFraction: z
      .number()
      .min(0)
      .max(1)
      .default(0.064)
      .describe('share of each lazily mounted layer read before the container is ready (Slacker: 6.4 %, FACTS.md §1d)'),
    chunk: zSize
      .refine((b) => b >= 1, { error: 'a range GET needs at least 1 byte' })
      .optional()
      .describe('bytes per on-demand range GET (presets: estargz 4 MiB, nydus 1 MiB, soci 4 MiB span)'),
    parallelReads: z.number().int().min(1).max(64).default(1).describe('on-demand range GETs in flight while a container starts (assumption: 1, start-up reads are mostly sequential)'),
    background: z
      .enum(['after-start', 'at-mount'])
      .default('after-start')
      .describe(
        'when the rest of each layer streams in: once the container is ready (default: snapshotters hold background fetches back at start), or at the mount, sharing links with the start reads',
      ),
    backgroundDelay: zDuration.optional().describe('the background fetch waits this long after the mount (presets: soci 30s, others 0)'),
    backgroundPeriod: zDuration
      .optional()
      .describe("0: each layer's rest in one GET; else one chunk per this period (presets: soci 500ms, others 0)"),
  })
  .transform((l): LazyPulling => ({
    ...LAZY_PRESETS[l.format],
    format: l.format,
    startFraction: l.startFraction,
    parallelReads: l.parallelReads,
    background: l.background,
    backgroundDelayS: l.backgroundDelay ?? LAZY_PRESETS[l.format].backgroundDelayS,
    backgroundPeriodS: l.backgroundPeriod ?? LAZY_PRESETS[l.format].backgroundPeriodS,
    chunkBytes: l.chunk ?? LAZY_PRESETS[l.format].chunkBytes,
  }));

export const Images = z.strictObject({
  count: z.number().int().min(1).max(100_000).default(1),
  size: zSize.prefault('500 MB').describe('compressed size of each image as gzip layers (what a registry lists); see compression'),
  layers: z.number().int().min(1).max(1000).default(8),
  baseLayers: z.number().int().min(0).default(0).describe('bottom layers shared by every image'),
  baseSize: zSize.prefault(0).describe('bytes of the shared base layers (part of size)'),
  multiArch: z.boolean().default(true).describe('the tag points at a multi-arch image index (one more GET per pull)'),
  indexSize: zSize.prefault('1.6 KB').describe('bytes of the image index (multi-arch)'),
  manifestSize: zSize.prefault('2 KB'),
  configSize: zSize.prefault('6 KB'),
  compression: ImageCompression.prefault('gzip'),
  lazy: ImageLazy.optional().describe('lazy pulling: a container starts after metadata + its start fraction; the rest streams in'),
  signing: ImageSigning.prefault('none'),
  tags: z
    .enum(['immutable', 'latest'])
    .default('immutable')
    .describe('immutable: every version has its own tag (a build hash); latest: every version is pushed as the same tag'),
  pullPolicy: z
    .enum(['IfNotPresent', 'Always'])
    .optional()
    .describe("kubelet's imagePullPolicy (Kubernetes' default: Always for :latest, else IfNotPresent); Always re-resolves the tag (a HEAD) at every container start"),
  retain: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('registry retention: keep the last N versions of each image (a lifecycle policy); older ones are deleted and stop costing storage'),
});

export const Releases = z.strictObject({
  every: zDuration.describe('release interval, e.g. "2h"'),
  images: z.number().int().min(1).optional().describe('images with a new version per release (default: all)'),
  delta: zSize.describe('bytes of new layers per image version, e.g. "100 KB"'),
});

export { Rollout };

export { Distribution };

const priceShape: Record<string, z.ZodType<number, unknown>> = {};
for (const e of DEFAULT_PRICES) priceShape[e.id] = zPrice(e.unit).optional() as z.ZodType<number, unknown>;
export const Prices = z.strictObject(priceShape).describe('price overrides, e.g. nat_gateway_processing: "$0.045/GB"');

export const Thresholds = z
  .record(z.string(), z.string())
  .superRefine((map, ctx) => {
    // Checked at load time so a typo fails in the first second, at the threshold's line.
    for (const [metric, expression] of Object.entries(map)) {
      const r = parseThreshold(metric, expression);
      if (!r.ok) ctx.addIssue({ code: 'custom', path: [metric], message: r.problem.message, params: { hint: r.problem.hint } });
    }
  })
  .describe('k6-style pass/fail criteria, e.g. rollout_s.p99: "< 10m", cost_usd_per_day: "< $50", pulls_failed: "== 0"');

/** One run's settings: the base scenario merged with one variant. */
export const RunConfig = z
  .strictObject({
    seed: z.number().int().min(0).default(1),
    duration: zDuration.prefault('24h').describe('releases are published in [0, duration); the run drains after it'),
    network: NetworkModel.prefault({}),
    cluster: Cluster,
    images: Images.prefault({}),
    releases: Releases,
    rollout: Rollout.prefault({ strategy: 'all-at-once' }),
    distribution: Distribution,
    prices: Prices.prefault({}),
    faults: Faults.prefault({}),
  })
  .superRefine((c, ctx) => {
    // Zod runs this even when a field already failed (a bound check does not abort), so every check
    // here first asks that the fields it reads are valid: a cross-field message about a bad value is
    // noise, and code that trusts a bound (zones ≤ 26) must not see 99999999999.
    // (An unknown key leaves the known fields beside it valid.)
    const bad = ctx.issues.filter((i) => i.code !== 'unrecognized_keys').map((i) => (i.path ?? []).join('.'));
    const valid = (...fields: string[]): boolean =>
      !fields.some((f) => bad.some((p) => p === f || p.startsWith(`${f}.`) || f.startsWith(`${p}.`) || p === ''));
    if (valid('releases.images', 'images.count') && c.releases.images !== undefined && c.releases.images > c.images.count)
      ctx.addIssue({
        code: 'custom',
        path: ['releases', 'images'],
        message: `${c.releases.images} images per release but images.count is ${c.images.count}`,
        params: { hint: 'lower releases.images or raise images.count' },
      });
    if (valid('images.baseLayers', 'images.layers') && c.images.baseLayers >= c.images.layers)
      ctx.addIssue({
        code: 'custom',
        path: ['images', 'baseLayers'],
        message: `baseLayers (${c.images.baseLayers}) must be fewer than layers (${c.images.layers})`,
        params: { hint: 'an image needs at least one layer of its own for releases to replace' },
      });
    if (valid('images.baseLayers', 'images.baseSize') && c.images.baseLayers > 0 && !(c.images.baseSize > 0))
      ctx.addIssue({ code: 'custom', path: ['images', 'baseSize'], message: 'baseLayers > 0 needs a baseSize', params: { hint: 'e.g. baseSize: "80 MB"' } });
    if (valid('images.baseSize', 'images.size') && c.images.baseSize >= c.images.size)
      ctx.addIssue({
        code: 'custom',
        path: ['images', 'baseSize'],
        message: 'the shared base must be smaller than the whole image',
        params: { hint: 'baseSize is part of images.size' },
      });
    if (valid('releases.delta', 'images.size') && c.releases.delta > c.images.size)
      ctx.addIssue({
        code: 'custom',
        path: ['releases', 'delta'],
        message: `a delta of ${c.releases.delta} B is larger than the image (${c.images.size} B)`,
        params: { hint: 'delta is the new bytes per version; it cannot exceed images.size' },
      });
    if (valid('cluster', 'images', 'releases', 'distribution'))
      for (const issue of checkRunSemantics(c)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, params: { hint: issue.hint } });
    if (!valid('cluster.zones', 'cluster.region', 'distribution')) return;
    if (typeof c.cluster.zones !== 'number' && new Set(c.cluster.zones).size !== c.cluster.zones.length)
      ctx.addIssue({ code: 'custom', path: ['cluster', 'zones'], message: 'zone names must be unique' });
    const zones = zoneNames(c.cluster.region, c.cluster.zones);
    if (valid('faults', 'images.count')) c.faults.crashLoops.forEach((cl, i) => {
      if (cl.image >= c.images.count)
        ctx.addIssue({
          code: 'custom',
          path: ['faults', 'crashLoops', i, 'image'],
          message: `image ${cl.image} does not exist (images.count is ${c.images.count})`,
          params: { hint: `images are numbered 0 … ${c.images.count - 1}` },
        });
    });
    if (valid('faults')) c.faults.links.forEach((l, i) => {
      if (l.zone !== undefined && !zones.includes(l.zone))
        ctx.addIssue({
          code: 'custom',
          path: ['faults', 'links', i, 'zone'],
          message: `zone "${l.zone}" is not a cluster zone`,
          params: { hint: `cluster zones are ${zones.map((x) => `"${x}"`).join(', ')}` },
        });
    });
    // A private registry is placed in cluster zones, also as the upstream of a mirror or a P2P tier.
    for (const { path, block } of upstreamChain(c.distribution)) {
      const reg = block as { kind: string; zones?: string[] };
      if (reg.kind !== 'private' || !reg.zones) continue;
      reg.zones.forEach((z, i) => {
        if (!zones.includes(z))
          ctx.addIssue({
            code: 'custom',
            path: ['distribution', ...path, 'zones', i],
            message: `zone "${z}" is not a cluster zone`,
            params: { hint: `cluster zones are ${zones.map((x) => `"${x}"`).join(', ')}` },
          });
      });
    }
  })
  .transform((c) => ({
    ...c,
    images: { ...c.images, pullPolicy: c.images.pullPolicy ?? (c.images.tags === 'latest' ? ('Always' as const) : ('IfNotPresent' as const)) },
    cluster: { ...c.cluster, zones: zoneNames(c.cluster.region, c.cluster.zones) },
    releases: { ...c.releases, images: c.releases.images ?? c.images.count },
  }));
export type RunConfig = z.output<typeof RunConfig>;

export function zoneNames(region: string, zones: number | string[]): string[] {
  if (typeof zones !== 'number') return zones;
  // Cross-field checks call this before the bound (26) is known to hold: never build an array that long.
  return Array.from({ length: Math.min(zones, 26) }, (_, i) => `${region}${String.fromCharCode(97 + i)}`);
}

const runKeys = ['seed', 'duration', 'network', 'cluster', 'images', 'releases', 'rollout', 'distribution', 'prices', 'faults'] as const;

/** Runs per variant from derived seeds (`--replications` overrides it); metrics become means with 95 % CIs. */
const Replications = z
  .number()
  .int()
  .min(1)
  .max(10_000)
  .describe('runs per variant from derived seeds (common random numbers across variants); every metric gets mean, sd and a 95 % CI');

/** A variant: a name plus any run section, deep-merged over the base (distribution is replaced whole). */
export const Variant = z.looseObject({
  name: z.string().min(1).max(200).describe('variant name, shown in every table and report'),
  description: z.string().optional(),
});

/** The whole file. Run sections are checked per variant after merging (see resolve.ts). */
export const ScenarioFile = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).describe('scenario format version; always 1'),
  name: z.string().min(1).max(200),
  description: z.string().optional(),
  seed: z.unknown().optional(),
  duration: z.unknown().optional(),
  network: z.unknown().optional(),
  cluster: z.unknown(),
  images: z.unknown().optional(),
  releases: z.unknown(),
  rollout: z.unknown().optional(),
  distribution: z.unknown().optional(),
  prices: z.unknown().optional(),
  faults: z.unknown().optional(),
  variants: z.array(Variant).min(1).optional(),
  thresholds: Thresholds.optional(),
  replications: Replications.optional(),
});

export const RUN_KEYS: readonly string[] = runKeys;

/**
 * The JSON Schema of the whole file (input side) for editors: the file shape with the run sections
 * filled in, and variants allowing any run section.
 */
export function scenarioJsonSchema(): unknown {
  const partialRun = {
    seed: z.number().int().min(0).optional(),
    duration: zDuration.optional(),
    network: NetworkModel.optional(),
    cluster: Cluster.partial().optional(),
    images: Images.partial().optional(),
    releases: Releases.partial().optional(),
    rollout: Rollout.optional(),
    distribution: Distribution.optional(),
    prices: Prices.optional(),
    faults: Faults.optional(),
  };
  const doc = z.strictObject({
    $schema: z.string().optional(),
    version: z.literal(1),
    name: z.string().min(1),
    description: z.string().optional(),
    ...partialRun,
    cluster: Cluster,
    releases: Releases,
    variants: z.array(z.strictObject({ name: z.string().min(1), description: z.string().optional(), ...partialRun })).optional(),
    thresholds: Thresholds.optional(),
    replications: Replications.optional(),
  });
  return z.toJSONSchema(doc, { io: 'input', unrepresentable: 'any' });
}
