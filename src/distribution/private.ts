/**
 * `kind: private` — your own registry (CNCF distribution / registry:2 style): N instances in chosen zones
 * behind a load balancer, each with a NIC and a request-processing capacity, over a storage backend
 * (storage.ts): local disk, NFS, HDFS, S3, Azure Blob or GCS.
 *
 * Blob delivery. `proxy`: bytes flow store → instance NIC in → instance NIC out → node, so the instance
 * NIC carries them. `redirect` (distribution's default for object stores): the instance answers 307 (one
 * more round trip) and the node fetches from the store's endpoint link directly, so registry_egress_bytes
 * (the instances' egress) holds only manifests. Object stores are regional and reached through a gateway
 * endpoint (S3: free, FACTS.md §4), so a redirected blob never crosses a zone or a NAT gateway. In
 * ingress_by_source_bytes redirected blobs are named by their store (`s3`, `gcs`, `azure-blob`); what the
 * instances serve is `private-registry`.
 *
 * Storage requests per node request, following distribution's code path (approximate): a tag HEAD reads
 * the tag's link file (1 GET); a manifest or blob is read once (1 GET, by the registry or, redirected, by
 * the node); the first time an instance serves a digest it also reads the repository link and stats the
 * blob (2 GETs) — after that its in-memory blob-descriptor cache (the default config's
 * `cache.blobdescriptor: inmemory`) answers. Each storage request pays the backend's first-byte latency
 * and passes its request-rate limiter (503 Slow Down beyond it, retried after a backoff).
 */
import { z } from 'zod';
import { zDuration, zRate } from '../scenario/units.ts';
import { price } from '../cost/catalog.ts';
import type { World, Route } from '../cluster/world.ts';
import type { CostLedger } from '../cost/ledger.ts';
import { connect, type DistributionModule, type DistributionRuntime, type FetchDone, type FetchRequest } from './types.ts';
import { RequestRateLimiter, StorageConfig, throttleBackoff, uploadRequests, type StorageSpec } from './storage.ts';
import { AWS_SDK_THROTTLE_BACKOFF, backoffDelay } from '../cluster/backoff.ts';
import { gated } from '../faults/gate.ts';
import { AuthConfig, PRIVATE_NO_AUTH, PRIVATE_TOKEN_AUTH, TokenService, tokenReuseS, withAuthOverrides } from './access.ts';
import { holeyArray, objectArray } from '../stable-arrays.ts';

export const PrivateConfig = z.strictObject({
  kind: z.literal('private'),
  instances: z.number().int().min(1).max(1000).default(2).describe('registry instances behind the load balancer'),
  zones: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('zones the instances are spread over (round-robin); default: every cluster zone'),
  nic: zRate.prefault('10 Gbit/s').describe('NIC capacity of each instance'),
  requestRate: z.number().positive().default(2000).describe('requests per second one instance can serve'),
  processing: zDuration.prefault('1ms').describe('server time per request before the first byte'),
  loadBalancing: z
    .enum(['random', 'round-robin', 'zone-aware'])
    .default('random')
    .describe(
      "how a pull's connection picks an instance: random (kube-proxy iptables), round-robin (IPVS, ELB), zone-aware (topology-aware routing: an instance in the node's zone when there is one)",
    ),
  storage: StorageConfig.prefault({ kind: 'local' }),
  auth: z
    .strictObject({
      kind: z.enum(['none', 'token']).default('none').describe("none: no auth round trips; token: Docker Registry v2 token auth against the registry's token server"),
      ...AuthConfig.shape,
    })
    .prefault({})
    .transform((a) => (a.kind === 'token' ? withAuthOverrides(PRIVATE_TOKEN_AUTH, a) : PRIVATE_NO_AUTH))
    .describe("access control: none, or a token server (Harbor core / docker_auth) with its own capacity and token lifetime"),
});
export type PrivateConfig = z.output<typeof PrivateConfig>;

// Hosts a pull talks to, each on its own keep-alive connection (bits of PullSession.hosts).
const REGISTRY_HOST = 1;
const STORE_HOST = 8;
// Route classes (see route()): API answers (tag, manifest, token, challenge), blobs through the
// instance, blobs fetched from the store after a 307.
const API = 0;
const BLOB = 1;
const REDIRECTED_BLOB = 2;
/** Round trips a cached Route covers (0, 1 or 2 handshakes in practice). */
const ROUTE_RTT_SLOTS = 4;
/** Body of an error answer (a JSON error), bytes. */
const ERROR_BYTES = 100;
/** Storage reads the first request for a digest costs an instance: repository link + blob stat. */
const FIRST_SIGHT_READS = 2;

/** Layer ids and image-version ids are separate numberings: key a cached object by kind and digest. */
export function contentKey(req: FetchRequest): number {
  const kind = req.kind === 'layer' ? 0 : req.kind === 'config' ? 1 : req.kind === 'manifest' ? 2 : req.kind === 'index' ? 3 : 4;
  return req.digest * 8 + kind;
}

/** Counters of the storage backend, for tests and cost. */
export interface StorageStats {
  /** GET/HEAD-class requests admitted (billed). */
  gets: number;
  /** PUT/POST-class requests admitted (billed). */
  puts: number;
  /** Requests answered 503 Slow Down (not billed: assumption, AWS does not bill 5xx it caused). */
  throttled: number;
  /** Bytes pushed into the store by releases. */
  pushedBytes: number;
}

export class PrivateRuntime implements DistributionRuntime {
  readonly needsToken: boolean;
  readonly tokenTtlS: number;
  private readonly tokens: TokenService;
  /** The instances' NICs out (every byte the registry serves leaves through one of them). */
  readonly registryLinks: readonly number[];
  /** The store's egress and ingress links (shared stores); -1 for local disks. */
  readonly storeOut: number;
  readonly storeIn: number;
  /** Per instance: its NIC out (what proxying loads). */
  readonly instanceNicUp: Int32Array;
  readonly stats: StorageStats = { gets: 0, puts: 0, throttled: 0, pushedBytes: 0 };
  private readonly spec: StorageSpec;
  private readonly instanceZone: Int32Array;
  private readonly instanceLinks: number[][];
  /** Per-instance time its request processor becomes free (a deterministic FIFO server, no events needed). */
  private readonly freeAt: Float64Array;
  /** Per instance, digests its blob-descriptor cache already knows. */
  private readonly statCache: Set<number>[];
  private readonly byZone: number[][];
  private readonly getLimiter: RequestRateLimiter;
  private readonly putLimiter: RequestRateLimiter;
  private rr = 0;
  private readonly lbRng;
  /** Per instance, by client: the Routes built so far, by class and round trips (see route()). */
  private readonly routesFrom = objectArray<(Route[] | undefined)[]>();
  /** By client: the path of a redirected blob from the store. */
  private readonly storePaths = holeyArray<readonly number[] | undefined>();

  constructor(
    private readonly world: World,
    private readonly cfg: PrivateConfig,
  ) {
    const net = world.net;
    const zones = world.cluster.zones;
    const placement = cfg.zones ?? zones;
    for (const z of placement) {
      if (!zones.includes(z)) throw new Error(`internal: private registry zone ${z} passed validation but is not a cluster zone`);
    }
    this.spec = cfg.storage;
    this.needsToken = cfg.auth.scheme === 'bearer';
    this.tokenTtlS = tokenReuseS(cfg.auth);
    this.tokens = new TokenService(cfg.auth.rate, cfg.auth.processingS);
    this.storeOut = this.spec.shared ? net.addLink(`store:${this.spec.kind}:egress`, this.spec.aggregateBps, 0) : -1;
    this.storeIn = this.spec.shared ? net.addLink(`store:${this.spec.kind}:ingress`, this.spec.aggregateBps, 0) : -1;
    this.instanceZone = new Int32Array(cfg.instances);
    this.instanceNicUp = new Int32Array(cfg.instances);
    this.instanceLinks = [];
    this.byZone = zones.map(() => []);
    this.statCache = [];
    for (let k = 0; k < cfg.instances; k++) {
      const z = zones.indexOf(placement[k % placement.length]);
      this.instanceZone[k] = z;
      this.byZone[z].push(k);
      const nic = net.addLink(`registry${k}:nic-up`, cfg.nic, world.cluster.latency.nicS);
      this.instanceNicUp[k] = nic;
      if (this.spec.shared) {
        // Proxied bytes enter the instance from the store before they leave it: both NIC directions carry them.
        const nicDown = net.addLink(`registry${k}:nic-down`, cfg.nic, 0);
        this.instanceLinks.push([this.storeOut, nicDown, nic]);
      } else {
        const disk = net.addLink(`registry${k}:disk`, this.spec.aggregateBps, 0);
        this.instanceLinks.push([disk, nic]);
      }
      this.statCache.push(new Set());
      this.routesFrom.push(holeyArray<Route[] | undefined>());
    }
    this.registryLinks = Array.from(this.instanceNicUp);
    this.freeAt = new Float64Array(cfg.instances);
    this.lbRng = world.rng.stream('private:load-balancer');
    // The registry's storage driver retries a 503 as the AWS SDK's standard mode does (full jitter, 3
    // attempts); then the pull's request fails and kubelet's back-off takes over. CI pushes retry until done.
    const retryRng = world.rng.stream('storage:retry');
    const sdk = { ...AWS_SDK_THROTTLE_BACKOFF, initialS: this.spec.retryBaseS };
    this.getLimiter = new RequestRateLimiter(this.spec.getRate, this.spec.firstByteS, (a) => backoffDelay(sdk, a, retryRng), sdk.attempts);
    this.putLimiter = new RequestRateLimiter(this.spec.putRate, this.spec.firstByteS, throttleBackoff(this.spec.retryBaseS));
  }

  /**
   * Performance: the racks and zone links between the instances and the nodes are covered by the
   * instances (Topology.coverServerRoutes), and so is a shared store they proxy from (HDFS's 40 Gbit/s
   * behind two 10 Gbit/s instances); redirected blobs cross the store past the instances, so it is
   * covered only when proxying. A rack the instances could overfill, a redirected blob or a capacity
   * fault makes a link share again while it carries flows. Whatever the caches: the instances' disks fill
   * with big deltas too, and the warm seed costs no more (6.95 G instructions with the old shared
   * aggregate link, 6.88 G with covers).
   */
  coverEgress(): undefined {
    const net = this.world.net;
    const own = this.instanceLinks.map((links) => links.filter((l) => l !== this.storeOut));
    const covers = this.world.topo.coverServerRoutes(own, this.instanceZone);
    if (this.spec.shared && !this.spec.redirect) net.declareCovered(this.storeOut, covers);
    return undefined;
  }

  private pick(node: number): number {
    switch (this.cfg.loadBalancing) {
      case 'random':
        return this.lbRng.int(this.cfg.instances);
      case 'round-robin':
        return this.rr++ % this.cfg.instances;
      case 'zone-aware': {
        const local = this.byZone[this.world.topo.nodeZone[node]];
        return local.length > 0 ? local[this.rr++ % local.length] : this.rr++ % this.cfg.instances;
      }
    }
  }

  /**
   * One storage GET issued at `t`: passes the rate limiter, then waits for the first byte. Returns that
   * time, or Infinity when the store refused every attempt (the limiter's gaveUpAt says when).
   */
  private storageGet(t: number, req: FetchRequest): number {
    if (t === Infinity) return t;
    const before = this.getLimiter.throttled;
    const admitted = this.getLimiter.admit(t, this.world.sim.now);
    if (admitted !== Infinity) this.stats.gets++;
    // Each 503 Slow Down is a refused request the metrics count (issue 4's throttled_requests).
    for (let i = before; i < this.getLimiter.throttled; i++) this.world.events.requestThrottled(req.node, req.kind, this.spec.kind);
    this.stats.throttled = this.getLimiter.throttled + this.putLimiter.throttled;
    return admitted + this.spec.firstByteS;
  }

  fetch(req: FetchRequest, done: FetchDone): void {
    const w = this.world;
    // An L4 load balancer pins the pull's keep-alive connection, so every request of a pull meets one instance.
    if (req.session.server < 0) req.session.server = this.pick(req.node);
    const k = req.session.server;
    const isBlob = req.kind === 'config' || req.kind === 'layer';
    let extraRtts = connect(req.session, REGISTRY_HOST);
    const api = this.route(k, req.node, API, extraRtts);
    // The request reaches the instance after the handshakes and one way; it then waits its turn in a
    // FIFO of `requestRate` requests/s (a deterministic server: its state is one number, no events).
    const arrival = w.sim.now + w.oneWay(api) * (1 + 2 * extraRtts);
    if (req.kind === 'token' || req.kind === 'challenge') {
      // The token server (beside the instances) has a FIFO of its own; a 401 challenge needs no storage.
      let serviceS: number;
      if (req.kind === 'token') serviceS = this.tokens.serve(arrival);
      else {
        const start = Math.max(arrival, this.freeAt[k]);
        this.freeAt[k] = start + 1 / this.cfg.requestRate;
        serviceS = start - arrival + this.cfg.processing;
      }
      w.get(req, api, done, serviceS);
      return;
    }
    const start = Math.max(arrival, this.freeAt[k]);
    this.freeAt[k] = start + 1 / this.cfg.requestRate;
    let t = start + this.cfg.processing;
    const key = contentKey(req);
    if (req.kind !== 'resolve' && !this.statCache[k].has(key)) {
      this.statCache[k].add(key);
      for (let i = 0; i < FIRST_SIGHT_READS; i++) t = this.storageGet(t, req);
    }
    const redirected = isBlob && this.spec.redirect;
    // The content read: by the instance, or (redirected) by the node after the 307. Its admission is
    // decided at the instance's answer time; the node's extra round trips are in extraRtts.
    t = this.storageGet(t, req);
    if (t === Infinity) {
      // The driver gave up: the instance answers the node 503 once the last Slow Down has come back.
      const route: Route = {
        path: api.path,
        source: 'private-registry',
        extraRtts,
        serviceS: this.getLimiter.gaveUpAt - arrival,
        capBps: Infinity,
        internet: false,
        viaNat: false,
        crossZone: api.crossZone,
      };
      w.get({ ...req, bytes: ERROR_BYTES }, route, () => done(false, 'storage-throttled'));
      return;
    }
    if (redirected) extraRtts += 1 + connect(req.session, STORE_HOST);
    w.get(req, redirected || isBlob ? this.route(k, req.node, redirected ? REDIRECTED_BLOB : BLOB, extraRtts) : api, done, t - arrival);
  }

  /**
   * The route of a request of class `cls` from instance k to `node` with `extraRtts` round trips; its
   * server time is passed to World.get per request. Performance: one Route per (instance, node, class,
   * round trips), built on first use, instead of an object per request.
   */
  private route(k: number, node: number, cls: number, extraRtts: number): Route {
    const slot = cls * ROUTE_RTT_SLOTS + extraRtts;
    const cache = (this.routesFrom[k][node] ??= holeyArray<Route>());
    const cached = extraRtts < ROUTE_RTT_SLOTS ? cache[slot] : undefined;
    if (cached !== undefined) return cached;
    const w = this.world;
    const redirected = cls === REDIRECTED_BLOB;
    const route: Route = {
      path: redirected
        ? (this.storePaths[node] ??= w.topo.pathFromZone([this.storeOut], w.topo.nodeZone[node], node))
        : w.topo.pathFromZone(this.instanceLinks[k], this.instanceZone[k], node),
      source: redirected ? this.spec.kind : 'private-registry',
      extraRtts,
      serviceS: 0,
      capBps: cls === API ? Infinity : this.spec.perStreamBps,
      internet: false,
      viaNat: false,
      crossZone: !redirected && this.instanceZone[k] !== w.topo.nodeZone[node],
      gate: w.faults.gate(redirected ? 'storage' : 'registry'),
    };
    if (extraRtts < ROUTE_RTT_SLOTS) cache[slot] = route;
    return route;
  }

  /**
   * CI pushes a release's new layer into the store: a multipart upload (FACTS.md §3a), its PUT-class
   * requests through the PUT limiter and its bytes on the store's ingress link. The push is assumed to
   * finish before the rollout pulls the layer, so it does not delay pulls.
   */
  layerPublished(_layer: number, bytes: number): void {
    const now = this.world.sim.now;
    const n = uploadRequests(this.spec, bytes);
    for (let i = 0; i < n; i++) this.putLimiter.admit(now, now);
    this.stats.puts += n;
    this.stats.pushedBytes += bytes;
    this.stats.throttled = this.getLimiter.throttled + this.putLimiter.throttled;
    if (this.storeIn >= 0) this.world.net.startFlow([this.storeIn], bytes, () => {});
  }

  addCosts(ledger: CostLedger): void {
    const prices = this.world.prices;
    ledger.addHours('registry_instances', price(prices, 'registry_instance_hour'), this.cfg.instances);
    // Local disks hold one copy per instance; shared stores hold the backend's replication.
    const copies = this.spec.shared ? this.spec.copies : this.cfg.instances;
    ledger.addStorage('registry_storage', price(prices, this.spec.storagePrice), copies);
    let requests = 0;
    if (this.spec.getPrice) requests += this.stats.gets * price(prices, this.spec.getPrice);
    if (this.spec.putPrice) requests += this.stats.puts * price(prices, this.spec.putPrice);
    if (requests > 0) ledger.add('storage_requests', requests);
  }
}

export const privateRegistry: DistributionModule<PrivateConfig> = {
  kind: 'private',
  schema: PrivateConfig,
  describe: (c) =>
    `private: ${c.instances} instance${c.instances === 1 ? '' : 's'} × ${(c.nic * 8) / 1e9} Gbit/s, ${c.storage.kind} storage${
      c.storage.shared ? (c.storage.redirect ? ' (redirect)' : ' (proxy)') : ''
    }, ${c.loadBalancing}`,
  // Everything the registry serves lives in its storage: a storage outage refuses every request too.
  create: (world, c) => gated(gated(new PrivateRuntime(world, c), world, 'storage'), world, 'registry'),
};
