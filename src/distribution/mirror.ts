/**
 * `kind: mirror` — pull-through caches in front of an upstream registry: a Harbor proxy-cache project or
 * an Artifactory remote repository, one mirror per zone or one for the cluster. Nodes talk only to their
 * mirror; a hit is served from the mirror's disk and NIC, a miss is fetched upstream first. The upstream
 * is a hosted or private registry or one more mirror (an edge cache in front of a central one), built by
 * its own module in the mirror's upstream world (upstream.ts): to it, mirror instance k is client
 * nodes + k, so its quotas, NAT and cross-zone rules apply to the mirror as they would to a node.
 *
 * What the metrics mean with a mirror:
 * - ingress_bytes / layer_bytes / ingress_by_source_bytes: bytes that reached nodes, by the server the
 *   node talked to — `mirror` for hits, `mirror-miss` for requests that waited on an upstream fetch.
 *   Nodes never talk to the upstream, so its name does not appear there.
 * - The mirror's upstream fetch is a transfer too (event `cacheFill`): it counts in internet_bytes,
 *   cross_zone_bytes and NAT bytes (and their cost) but not in node ingress.
 * - registry_egress_bytes / registry_peak_Bps: the upstream registry's egress, i.e. what the mirrors
 *   pulled — the load the mirror takes off the origin (FID/Gear report this as "registry traffic").
 *
 * Simplifications, stated: a miss is store-and-forward (the node's transfer starts when the mirror has
 * the whole blob; Harbor and Artifactory stream while caching, so large misses are pessimistic by F/rate);
 * whether a request hits is decided when it is issued, not when the mirror processes it (they differ by
 * the queueing delay). Cache keys are content digests, so a new image version is always a miss. A range
 * GET (lazy pulling, P2P back-to-source) that misses fetches and caches the whole blob.
 */
import { z } from 'zod';
import { zDuration, zRate, zSize } from '../scenario/units.ts';
import { price } from '../cost/catalog.ts';
import type { World, Route } from '../cluster/world.ts';
import type { CostLedger } from '../cost/ledger.ts';
import { connect, type DistributionModule, type DistributionRuntime, type FetchDone, type FetchRequest, type RequestKind } from './types.ts';
import { UpstreamClient, upstreamWorld, type RequestCounts } from './upstream.ts';
import { hosted, HostedConfig } from './hosted.ts';
import { contentKey, privateRegistry, PrivateConfig } from './private.ts';

export interface MirrorPreset {
  id: string;
  label: string;
  /** N simultaneous misses for one blob → 1 upstream fetch (true) or N (false). */
  coalescing: boolean;
  /** How long a tag's resolution is trusted before the mirror revalidates it upstream (HEAD), seconds. */
  manifestTtlS: number;
  requestRate: number;
  processingS: number;
  notes: string;
}

/** Presets. None of these parameters is in FACTS.md: each is our reading of the product, an assumption. */
export const MIRROR_PRESETS: Readonly<Record<string, MirrorPreset>> = {
  harbor: {
    id: 'harbor',
    label: 'Harbor proxy cache',
    coalescing: true,
    manifestTtlS: 0,
    requestRate: 1000,
    processingS: 0.003,
    notes:
      'read in goharbor/harbor src/controller/proxy/controller.go (newest stored copy): every tag pull HEADs the upstream manifest (concurrent HEADs share one via singleflight; Harbor documents such HEADs as not counting against Docker Hub limits); with synchronous local caching concurrent requests for a blob wait for one upstream fetch and are served locally. Older Harbor streamed each miss from the upstream and fetched it again to cache (set coalescing: false). Assumptions: 1,000 requests/s and 3 ms per request per instance. Harbor 2.x targets 500 concurrent pulls per node (FACTS.md §5)',
  },
  artifactory: {
    id: 'artifactory',
    label: 'Artifactory remote repository',
    coalescing: true,
    manifestTtlS: 7200,
    requestRate: 1000,
    processingS: 0.002,
    notes:
      'assumptions: tag metadata trusted for the "Metadata Retrieval Cache Period" (default 7,200 s, as we remember it); concurrent requests for a blob wait for one upstream download; 1,000 requests/s and 2 ms per request per instance',
  },
};

/** P2P is not a registry a cache can pull through: its pieces go to nodes. The reverse is fine. */
const P2PAsUpstream = z.looseObject({ kind: z.literal('p2p') }).superRefine((_c, ctx) => {
  ctx.addIssue({
    code: 'custom',
    message: "a mirror's upstream cannot be a P2P swarm",
    params: { hint: 'P2P delivers to nodes; to combine them, put the mirror behind the swarm (p2p upstream: { kind: mirror, … })' },
  });
});

/** A third tier is rejected: a mirror may pull through one more mirror, whose upstream is a registry. */
const MirrorTooDeep = z.looseObject({ kind: z.literal('mirror') }).superRefine((_c, ctx) => {
  ctx.addIssue({
    code: 'custom',
    message: 'mirrors can be stacked two deep (an edge mirror in front of a central one), not more',
    params: { hint: "point the inner mirror's upstream at the registry it caches: kind: hosted or kind: private" },
  });
});

const mirrorFields = {
  kind: z.literal('mirror'),
  preset: z.enum(['harbor', 'artifactory']).describe('harbor (proxy cache project) or artifactory (remote repository)'),
  placement: z.enum(['per-zone', 'per-cluster']).default('per-zone').describe('one mirror per zone, or one for the cluster (in the first zone)'),
  instances: z.number().int().min(1).max(100).default(1).describe('instances per mirror, sharing its cache'),
  nic: zRate.prefault('10 Gbit/s').describe('NIC of each mirror instance (assumption)'),
  disk: zSize.prefault('1 TB').describe('cache capacity of each mirror; least recently used blobs are evicted'),
  diskRead: zRate.prefault('1 GB/s').describe('cache disk read throughput per instance (assumption)'),
  requestRate: z.number().positive().optional().describe("override the preset's requests per second per instance"),
  processing: zDuration.optional().describe("override the preset's server time per request"),
  coalescing: z.boolean().optional().describe("override the preset: simultaneous misses for one blob share one upstream fetch"),
  manifestTtl: zDuration.optional().describe("override how long a tag's resolution is trusted before revalidating upstream"),
};

type MirrorInput = z.output<z.ZodObject<typeof mirrorFields>>;

function resolveMirror<U>(c: MirrorInput & { upstream: U }) {
  const base = MIRROR_PRESETS[c.preset];
  const preset: MirrorPreset = {
    ...base,
    coalescing: c.coalescing ?? base.coalescing,
    manifestTtlS: c.manifestTtl ?? base.manifestTtlS,
    requestRate: c.requestRate ?? base.requestRate,
    processingS: c.processing ?? base.processingS,
  };
  return { kind: 'mirror' as const, preset, placement: c.placement, instances: c.instances, nic: c.nic, disk: c.disk, diskRead: c.diskRead, upstream: c.upstream };
}

/** The inner tier of a stacked pair: its upstream must be a registry. */
const InnerMirrorConfig = z
  .strictObject({
    ...mirrorFields,
    upstream: z.discriminatedUnion('kind', [HostedConfig, PrivateConfig, MirrorTooDeep, P2PAsUpstream]).describe('the registry this mirror pulls through'),
  })
  // The rejecting members always fail validation, so a parsed upstream is a registry.
  .transform((c) => resolveMirror({ ...c, upstream: c.upstream as HostedConfig | PrivateConfig }));

/** What a mirror can pull through: a hosted or private registry, or another mirror (two tiers). */
export const Upstream = z.discriminatedUnion('kind', [HostedConfig, PrivateConfig, InnerMirrorConfig, P2PAsUpstream]);

export const MirrorConfig = z
  .strictObject({
    ...mirrorFields,
    upstream: Upstream.describe('what the mirror pulls through: a kind: hosted or kind: private block, or another kind: mirror (a central cache)'),
  })
  .transform((c) => resolveMirror({ ...c, upstream: c.upstream as HostedConfig | PrivateConfig | z.output<typeof InnerMirrorConfig> }));
export type MirrorConfig = z.output<typeof MirrorConfig>;

/** A mirror config of either tier (the inner one's upstream is a registry). */
export type MirrorSettings = Omit<MirrorConfig, 'upstream'> & { upstream: HostedConfig | PrivateConfig | MirrorSettings };

const MIRROR_HOST = 1;

interface Cache {
  zone: number;
  instances: number[];
  /** Cached objects → bytes, in least-recently-used order (Map insertion order; a hit re-inserts). */
  readonly lru: Map<number, number>;
  used: number;
  /** Misses being fetched upstream → requests waiting on them (coalescing only). */
  readonly inflight: Map<number, ((ok: boolean, reason?: string) => void)[]>;
  /** Tag resolutions (by image version) → when last checked upstream. */
  readonly resolvedAt: Map<number, number>;
  rr: number;
}

export interface MirrorStats {
  hits: number;
  misses: number;
  /** Requests the mirrors sent upstream, by kind (auth dance included). */
  upstream: RequestCounts;
}

export class MirrorRuntime implements DistributionRuntime {
  readonly needsToken = false;
  readonly registryLinks: readonly number[];
  readonly upstream: DistributionRuntime;
  readonly stats: MirrorStats;
  /** Per instance: its NIC out (what serving loads) and NIC in (what filling loads). */
  readonly nicUp: Int32Array;
  readonly nicDown: Int32Array;
  private readonly caches: Cache[];
  private readonly cacheOfZone: Int32Array;
  private readonly serveLinks: number[][];
  private readonly freeAt: Float64Array;
  private readonly client: UpstreamClient;

  private readonly instanceZone: Int32Array;

  constructor(
    private readonly world: World,
    private readonly cfg: MirrorSettings,
  ) {
    const net = world.net;
    const zones = world.cluster.zones.length;
    const mirrorZones = cfg.placement === 'per-zone' ? Array.from({ length: zones }, (_, z) => z) : [0];
    const total = mirrorZones.length * cfg.instances;
    const instanceZone = (this.instanceZone = new Int32Array(total));
    this.nicUp = new Int32Array(total);
    this.nicDown = new Int32Array(total);
    const torDown = new Int32Array(total);
    this.serveLinks = [];
    this.caches = [];
    this.cacheOfZone = new Int32Array(zones);
    for (const [g, z] of mirrorZones.entries()) {
      const cache: Cache = { zone: z, instances: [], lru: new Map(), used: 0, inflight: new Map(), resolvedAt: new Map(), rr: 0 };
      for (let i = 0; i < cfg.instances; i++) {
        const k = g * cfg.instances + i;
        instanceZone[k] = z;
        const disk = net.addLink(`mirror${k}:disk`, cfg.diskRead, 0);
        this.nicUp[k] = net.addLink(`mirror${k}:nic-up`, cfg.nic, world.cluster.latency.nicS);
        this.nicDown[k] = net.addLink(`mirror${k}:nic-down`, cfg.nic, world.cluster.latency.nicS);
        torDown[k] = net.addLink(`mirror${k}:tor-down`, 1e18, world.cluster.latency.rackS);
        this.serveLinks.push([disk, this.nicUp[k]]);
        cache.instances.push(k);
      }
      this.caches.push(cache);
    }
    for (let z = 0; z < zones; z++) this.cacheOfZone[z] = cfg.placement === 'per-zone' ? z : 0;
    this.freeAt = new Float64Array(total);

    // To its upstream, mirror instance k is client nodes + k (upstream.ts).
    const upWorld = upstreamWorld(world, { zone: instanceZone, torDown, nicDown: this.nicDown });
    this.upstream = createRegistryUpstream(upWorld, cfg.upstream);
    this.client = new UpstreamClient(upWorld, this.upstream);
    this.stats = { hits: 0, misses: 0, upstream: this.client.requests };
    this.registryLinks = this.upstream.registryLinks;
  }

  /** Several instances serving the nodes, each limiting its own flows (Topology.coverServerRoutes). */
  coverEgress(): undefined {
    this.world.topo.coverServerRoutes(this.serveLinks, this.instanceZone);
    return undefined;
  }

  fetch(req: FetchRequest, done: FetchDone): void {
    const w = this.world;
    const cache = this.caches[this.cacheOfZone[w.topo.nodeZone[req.node]]];
    // The mirror's service pins the pull's keep-alive connection to one of its instances.
    if (req.session.server < 0) req.session.server = cache.instances[cache.rr++ % cache.instances.length];
    const k = req.session.server;
    const path = w.topo.pathFromZone(this.serveLinks[k], cache.zone, req.node);
    const extraRtts = connect(req.session, MIRROR_HOST);
    const arrival = w.sim.now + w.topo.latencyOf(path) * (1 + 2 * extraRtts);
    const start = Math.max(arrival, this.freeAt[k]);
    this.freeAt[k] = start + 1 / this.cfg.preset.requestRate;
    const ready = start + this.cfg.preset.processingS;
    const crossZone = cache.zone !== w.topo.nodeZone[req.node];
    const serve = (source: string, waitS: number, rtts: number): void => {
      const route: Route = { path, source, extraRtts: rtts, serviceS: waitS, capBps: Infinity, internet: false, viaNat: false, crossZone };
      w.get(req, route, done);
    };
    // A range GET (lazy pulling, P2P back-to-source) is served from the whole blob: on a miss the mirror
    // fetches and caches all of it, then answers the range (a blob store caches blobs, not ranges).
    const key = req.range ? contentKey({ ...req, kind: 'layer' }) : contentKey(req);
    if (req.kind === 'resolve') {
      // A tag HEAD: answered locally while the resolution is fresh, else revalidated upstream (a HEAD).
      const at = cache.resolvedAt.get(key);
      if (at !== undefined && ready - at <= this.cfg.preset.manifestTtlS) {
        this.stats.hits++;
        return serve('mirror', ready - arrival, extraRtts);
      }
    } else if (cache.lru.has(key)) {
      this.stats.hits++;
      const bytes = cache.lru.get(key)!;
      cache.lru.delete(key);
      cache.lru.set(key, bytes);
      return serve('mirror', ready - arrival, extraRtts);
    }
    this.stats.misses++;
    const whole = req.range ? { kind: 'layer' as const, bytes: req.range.blobBytes, digest: req.digest } : req;
    this.fill(cache, w.cluster.nodes + k, whole, key, ready - w.sim.now, (ok, reason) => {
      // The request reached the mirror long ago: only the response's way back is left to pay, which
      // World.get charges as one path latency; the handshakes are behind us. A coalesced waiter still
      // waits for its own turn in the instance's queue.
      if (ok) serve('mirror-miss', Math.max(0, ready - w.sim.now), 0);
      else done(false, reason);
    });
  }

  /** Fetches an object upstream for `client` after `delayS`, once per key when coalescing; then caches it. */
  private fill(
    cache: Cache,
    client: number,
    obj: { kind: RequestKind; bytes: number; digest: number },
    key: number,
    delayS: number,
    then: (ok: boolean, reason?: string) => void,
  ): void {
    if (this.cfg.preset.coalescing) {
      const waiting = cache.inflight.get(key);
      if (waiting) {
        waiting.push(then);
        return;
      }
      cache.inflight.set(key, [then]);
    }
    const landed = (ok: boolean, reason?: string): void => {
      if (ok) this.store(cache, obj.kind, obj.bytes, key);
      if (!this.cfg.preset.coalescing) return then(ok, reason);
      const waiters = cache.inflight.get(key)!;
      cache.inflight.delete(key);
      for (const f of waiters) f(ok, reason);
    };
    this.world.sim.call(Math.max(0, delayS), () => this.client.get(client, obj.kind, obj.bytes, obj.digest, landed));
  }

  private store(cache: Cache, kind: RequestKind, bytes: number, key: number): void {
    if (kind === 'resolve') {
      cache.resolvedAt.set(key, this.world.sim.now);
      return;
    }
    if (cache.lru.has(key) || bytes > this.cfg.disk) return;
    // Least recently used first: Map iteration order is insertion order, so this is deterministic.
    for (const [old, held] of cache.lru) {
      if (cache.used + bytes <= this.cfg.disk) break;
      cache.lru.delete(old);
      cache.used -= held;
    }
    cache.lru.set(key, bytes);
    cache.used += bytes;
  }

  layerPublished(layer: number, bytes: number): void {
    this.upstream.layerPublished?.(layer, bytes);
  }

  addCosts(ledger: CostLedger): void {
    const prices = this.world.prices;
    const mirrors = this.caches.length;
    ledger.addHours('mirror_instances', price(prices, 'registry_instance_hour'), mirrors * this.cfg.instances);
    // A cache disk is provisioned, so it is billed for its size, not for what it holds.
    ledger.add('mirror_disk', this.cfg.disk * mirrors * ledger.usage.periodS * price(prices, 'block_storage'));
    this.upstream.addCosts(ledger);
  }
}

/** The runtime of a registry behind a mirror or P2P origins (hosted, private, or a mirror), built in its upstream world. */
export function createRegistryUpstream(upWorld: World, up: HostedConfig | PrivateConfig | MirrorSettings): DistributionRuntime {
  switch (up.kind) {
    case 'hosted':
      return hosted.create(upWorld, up);
    case 'private':
      return privateRegistry.create(upWorld, up);
    case 'mirror':
      return new MirrorRuntime(upWorld, up);
  }
}

function describeMirror(c: MirrorSettings): string {
  const up = c.upstream;
  const upText = up.kind === 'hosted' ? hosted.describe(up) : up.kind === 'private' ? privateRegistry.describe(up) : describeMirror(up);
  return `mirror: ${c.preset.label} ${c.placement}${c.preset.coalescing ? ', coalescing' : ''} → ${upText}`;
}

export const mirror: DistributionModule<MirrorConfig> = {
  kind: 'mirror',
  schema: MirrorConfig,
  describe: describeMirror,
  create: (world, c) => new MirrorRuntime(world, c),
};
