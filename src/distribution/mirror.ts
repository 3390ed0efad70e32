/**
 * `kind: mirror` — pull-through caches in front of an upstream registry: a Harbor proxy-cache project or
 * an Artifactory remote repository, one mirror per zone or one for the cluster. Nodes talk only to their
 * mirror; a hit is served from the mirror's disk and NIC, a miss is fetched upstream first.
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
 * the queueing delay). Cache keys are content digests, so a new image version is always a miss.
 */
import { z } from 'zod';
import { zDuration, zRate, zSize } from '../scenario/units.ts';
import { price } from '../cost/catalog.ts';
import { World, type Route } from '../cluster/world.ts';
import type { ModelEvents, TransferEvent } from '../cluster/events.ts';
import type { Topology } from '../cluster/topology.ts';
import type { CostLedger } from '../cost/ledger.ts';
import {
  connect,
  type DistributionModule,
  type DistributionRuntime,
  type FetchDone,
  type FetchRequest,
  type PullSession,
  type RequestKind,
} from './types.ts';
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

/** A mirror in front of a mirror is rejected: its upstream must be a registry. */
const MirrorAsUpstream = z.looseObject({ kind: z.literal('mirror') }).superRefine((_c, ctx) => {
  ctx.addIssue({
    code: 'custom',
    message: "a mirror's upstream cannot be another mirror",
    params: { hint: 'point upstream at the registry the mirror caches: kind: hosted or kind: private' },
  });
});

export const Upstream = z.discriminatedUnion('kind', [HostedConfig, PrivateConfig, MirrorAsUpstream]);

export const MirrorConfig = z
  .strictObject({
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
    upstream: Upstream.describe('the registry the mirror pulls through: a kind: hosted or kind: private block'),
  })
  .transform((c) => {
    const base = MIRROR_PRESETS[c.preset];
    const preset: MirrorPreset = {
      ...base,
      coalescing: c.coalescing ?? base.coalescing,
      manifestTtlS: c.manifestTtl ?? base.manifestTtlS,
      requestRate: c.requestRate ?? base.requestRate,
      processingS: c.processing ?? base.processingS,
    };
    // MirrorAsUpstream always fails validation, so the upstream here is a registry.
    const upstream = c.upstream as HostedConfig | PrivateConfig;
    return { kind: 'mirror' as const, preset, placement: c.placement, instances: c.instances, nic: c.nic, disk: c.disk, diskRead: c.diskRead, upstream };
  });
export type MirrorConfig = z.output<typeof MirrorConfig>;

const MIRROR_HOST = 1;
/** Response bodies of the upstream's auth dance (as a node's, see node.ts). */
const CHALLENGE_BYTES = 150;
const TOKEN_BYTES = 1500;
/** Docker Hub bearer tokens live 300 s (assumption, as we remember the token's expires_in). */
const TOKEN_TTL_S = 300;

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
  upstream: Record<RequestKind, number>;
}

export class MirrorRuntime implements DistributionRuntime {
  readonly needsToken = false;
  readonly registryLinks: readonly number[];
  readonly upstream: DistributionRuntime;
  readonly stats: MirrorStats = {
    hits: 0,
    misses: 0,
    upstream: { challenge: 0, token: 0, resolve: 0, index: 0, manifest: 0, config: 0, layer: 0 },
  };
  /** Per instance: its NIC out (what serving loads) and NIC in (what filling loads). */
  readonly nicUp: Int32Array;
  readonly nicDown: Int32Array;
  private readonly caches: Cache[];
  private readonly cacheOfZone: Int32Array;
  private readonly instanceZone: Int32Array;
  private readonly serveLinks: number[][];
  private readonly freeAt: Float64Array;
  private readonly upSession: PullSession[];
  private readonly tokenAt: Float64Array;

  constructor(
    private readonly world: World,
    private readonly cfg: MirrorConfig,
  ) {
    const net = world.net;
    const zones = world.cluster.zones.length;
    const mirrorZones = cfg.placement === 'per-zone' ? Array.from({ length: zones }, (_, z) => z) : [0];
    const total = mirrorZones.length * cfg.instances;
    this.instanceZone = new Int32Array(total);
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
        this.instanceZone[k] = z;
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
    this.tokenAt = new Float64Array(total).fill(-Infinity);
    this.upSession = Array.from({ length: total }, () => ({ hosts: 0, server: -1 }));

    // Deliberate trick: to its upstream a mirror instance is a node. A view of the topology whose "node k"
    // is mirror instance k (its zone, its ToR and NIC-down links) lets the unmodified hosted/private
    // modules build honest paths to the mirror; everything else is inherited from the real topology.
    const view: Partial<Topology> = {
      nodeZone: this.instanceZone,
      nodeRack: Int32Array.from({ length: total }, (_, k) => k),
      rackDown: torDown,
      nicDown: this.nicDown,
    };
    // With public IPs each mirror instance has its own address (after every node's), for per-IP quotas.
    if (world.cluster.egress === 'public-ip') view.egressAddress = (k) => world.topo.natGatewayCount + world.cluster.nodes + k;
    const topo: Topology = Object.assign(Object.create(world.topo) as Topology, view);
    // The upstream's transfers land in the mirror, not on a node: re-emit them as cache fills. Every
    // other event passes through, bound to the real sink.
    const real = world.events;
    const fillDone = (e: TransferEvent): void => real.transferDone({ ...e, cacheFill: true });
    const events = new Proxy(real, {
      get: (target, prop) => {
        if (prop === 'transferDone') return fillDone;
        const v: unknown = Reflect.get(target, prop);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    }) as ModelEvents;
    const upWorld = new World(world.sim, net, topo, world.rng, events, world.cluster, world.prices, world.faults);
    const up = cfg.upstream;
    this.upstream = up.kind === 'hosted' ? hosted.create(upWorld, up) : privateRegistry.create(upWorld, up);
    this.registryLinks = this.upstream.registryLinks;
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
    const key = contentKey(req);
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
    this.fill(cache, k, req, key, ready - w.sim.now, (ok, reason) => {
      // The request reached the mirror long ago: only the response's way back is left to pay, which
      // World.get charges as one path latency; the handshakes are behind us. A coalesced waiter still
      // waits for its own turn in the instance's queue.
      if (ok) serve('mirror-miss', Math.max(0, ready - w.sim.now), 0);
      else done(false, reason);
    });
  }

  /** Fetches `req`'s object upstream after `delayS`, once per key when coalescing; then caches it. */
  private fill(cache: Cache, k: number, req: FetchRequest, key: number, delayS: number, then: (ok: boolean, reason?: string) => void): void {
    if (this.cfg.preset.coalescing) {
      const waiting = cache.inflight.get(key);
      if (waiting) {
        waiting.push(then);
        return;
      }
      cache.inflight.set(key, [then]);
    }
    const landed = (ok: boolean, reason?: string): void => {
      if (ok) this.store(cache, req, key);
      if (!this.cfg.preset.coalescing) return then(ok, reason);
      const waiters = cache.inflight.get(key)!;
      cache.inflight.delete(key);
      for (const f of waiters) f(ok, reason);
    };
    this.world.sim.call(Math.max(0, delayS), () => this.upstreamGet(k, req.kind, req.bytes, req.digest, landed));
  }

  private store(cache: Cache, req: FetchRequest, key: number): void {
    if (req.kind === 'resolve') {
      cache.resolvedAt.set(key, this.world.sim.now);
      return;
    }
    if (cache.lru.has(key) || req.bytes > this.cfg.disk) return;
    // Least recently used first: Map iteration order is insertion order, so this is deterministic.
    for (const [old, bytes] of cache.lru) {
      if (cache.used + req.bytes <= this.cfg.disk) break;
      cache.lru.delete(old);
      cache.used -= bytes;
    }
    cache.lru.set(key, req.bytes);
    cache.used += req.bytes;
  }

  /** One upstream request from mirror instance `k`, with the registry's auth dance when its token is stale. */
  private upstreamGet(k: number, kind: RequestKind, bytes: number, digest: number, done: FetchDone): void {
    const session = this.upSession[k];
    const ask = (kind: RequestKind, bytes: number, then: FetchDone): void => {
      this.stats.upstream[kind]++;
      this.upstream.fetch({ kind, node: k, bytes, digest, session }, then);
    };
    const now = this.world.sim.now;
    if (this.upstream.needsToken && now - this.tokenAt[k] > TOKEN_TTL_S) {
      // Marked fresh when asked for, so concurrent misses on this instance share the one token request.
      this.tokenAt[k] = now;
      ask('challenge', CHALLENGE_BYTES, (ok, reason) => {
        if (!ok) return done(false, reason);
        ask('token', TOKEN_BYTES, (ok2, reason2) => (ok2 ? ask(kind, bytes, done) : done(false, reason2)));
      });
      return;
    }
    if (this.upstream.basicAuth && now - this.tokenAt[k] > TOKEN_TTL_S) {
      // Basic auth (ECR): the 401 challenge, then the request with the mirror's credentials.
      this.tokenAt[k] = now;
      ask('challenge', CHALLENGE_BYTES, (ok, reason) => (ok ? ask(kind, bytes, done) : done(false, reason)));
      return;
    }
    ask(kind, bytes, done);
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

export const mirror: DistributionModule<MirrorConfig> = {
  kind: 'mirror',
  schema: MirrorConfig,
  describe: (c) => {
    const up = c.upstream.kind === 'hosted' ? hosted.describe(c.upstream) : privateRegistry.describe(c.upstream);
    return `mirror: ${c.preset.label} ${c.placement}${c.preset.coalescing ? ', coalescing' : ''} → ${up}`;
  },
  create: (world, c) => new MirrorRuntime(world, c),
};
