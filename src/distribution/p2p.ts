/**
 * `kind: p2p` — BitTorrent-style distribution as Kraken and Dragonfly run it (DESIGN §6, FACTS.md §1a/§1b).
 *
 * - An origin tier (Kraken origins / Dragonfly seed peers) with its own NICs, spread over the zones. Each
 *   blob is seeded by `replicas` origins chosen by digest; each of them pulls the blob once from the
 *   upstream when the first node asks (retrying with a back-off; if every replica gives up, the blob's
 *   downloads fail with the upstream's reason). The upstream is any registry strategy (hosted, private,
 *   mirror) or plain file servers, built by its own module in an upstream world where origin k is client
 *   nodes + k (upstream.ts). With `preheat` a release's new layers go to their origins when published
 *   (Dragonfly preheat / Kraken's push path), and the origins are taken to hold them when the rollout asks:
 *   the upstream copy is counted (registry egress, internet bytes) but assumed done before the rollout.
 * - Metadata (tag resolve, index, manifest, config), by preset (`metadata`): Kraken's tier answers it from
 *   the origin in the node's zone, which fetches each object from the upstream once (nothing when
 *   preheated); Dragonfly's dfdaemon passes it through to the upstream, auth dance and quotas included.
 * - Layer blobs go through the swarm (p2p-swarm.ts): pieces are flows along real topology paths.
 * - Churn: nodeLeft(node) takes a leaving node out of every swarm; its downloaders re-source.
 * - Seeder idle time (`seederIdleS`, Kraken's seeder TTI): a swarm with no download and nothing in flight
 *   for that long is dropped, so per-peer state lives as long as a rollout, not as long as the run. What
 *   outlives it is per blob: which origins hold it (they never fetch it twice) and which nodes hold it (a
 *   re-pull by one of them is answered from its own store, as while the swarm lived). A later downloader
 *   gets a fresh swarm whose seeds are the origins and the other new downloaders.
 *
 * Sources in ingress_by_source_bytes: "origin" (pieces from origins and metadata), "peer" (pieces from other
 * nodes), and the upstream's names for back-to-source fetches and proxied metadata. registry_egress_bytes
 * is the upstream's egress.
 */
import { price } from '../cost/catalog.ts';
import type { CostLedger } from '../cost/ledger.ts';
import type { Route, World } from '../cluster/world.ts';
import type { DistributionModule, DistributionRuntime, FetchDone, FetchRequest } from './types.ts';
import { P2PConfig, type P2PSettings, type Upstream } from './p2p-config.ts';
import { P2PHosts } from './p2p-hosts.ts';
import { PieceLayout, pieceBytesFor } from './p2p-pieces.ts';
import { ChannelTimers, UploadSlots } from './p2p-peers.ts';
import { Swarm, type SwarmEnv } from './p2p-swarm.ts';
import { ExactTransport, LocalFairShareTransport } from './p2p-transport.ts';
import { contentKey } from './private.ts';
import { createRegistryUpstream } from './mirror.ts';
import { FileSource, UpstreamClient, upstreamWorld } from './upstream.ts';

export { P2PConfig } from './p2p-config.ts';

/** Server time of an origin / tracker answering a metadata request, seconds (assumption). */
const ORIGIN_PROCESSING_S = 0.001;
/** An origin whose upstream fetch failed tries again after this, doubling, at most this often (assumption). */
const ORIGIN_RETRY_S = 1;
const ORIGIN_RETRY_MAX_S = 30;
const ORIGIN_ATTEMPTS = 8;

function createUpstream(upWorld: World, up: Upstream): DistributionRuntime {
  return up.kind === 'source' ? new FileSource(upWorld, up) : createRegistryUpstream(upWorld, up);
}

export class P2PRuntime implements DistributionRuntime {
  /** Kraken's agent authenticates to the upstream itself; Dragonfly passes the node's own auth dance through. */
  readonly needsToken: boolean;
  readonly registryLinks: readonly number[];
  readonly hosts: P2PHosts;
  /** The upstream, built in a world where origin k is client nodes + k (upstream.ts). */
  readonly upstream: DistributionRuntime;
  private readonly client: UpstreamClient;
  private readonly swarms = new Map<number, Swarm>();
  /** Per blob, what outlives its swarm (see the module comment). */
  private readonly blobs = new Map<number, BlobCopies>();
  /** Swarms in the order they became quiet, with that time: the candidates to drop (stale entries skipped). */
  private readonly quiet: Swarm[] = [];
  private readonly quietAt: number[] = [];
  private quietHead = 0;
  private readonly onQuiet = (swarm: Swarm): void => {
    this.quiet.push(swarm);
    this.quietAt.push(swarm.quietAt);
  };
  private readonly env: SwarmEnv;
  /** Per origin: metadata objects it holds (true) or is fetching (waiters), for metadata: origin. */
  private readonly originMeta: Map<number, true | ((ok: boolean, reason?: string) => void)[]>[];

  constructor(
    private readonly world: World,
    private readonly s: P2PSettings,
  ) {
    const exact = s.bandwidthModel === 'exact';
    this.hosts = new P2PHosts(
      world,
      { uploadBps: s.uploadBps, downloadBps: s.downloadBps },
      { count: s.origins, nicBps: s.originNicBps, uploadBps: s.originUploadBps },
      exact,
    );
    const net = world.net;
    const nodes = this.hosts.nodes;
    const torDown = Int32Array.from({ length: s.origins }, (_, k) => net.addLink(`origin${k}:tor-down`, 1e18, world.cluster.latency.rackS));
    const upWorld = upstreamWorld(world, { zone: this.hosts.zone.subarray(nodes), torDown, nicDown: this.hosts.originNicDown });
    this.upstream = createUpstream(upWorld, s.upstream);
    this.client = new UpstreamClient(upWorld, this.upstream);
    this.registryLinks = this.upstream.registryLinks;
    this.needsToken = s.metadata === 'upstream' && this.upstream.needsToken;
    this.originMeta = Array.from({ length: s.origins }, () => new Map());

    const slotLimit = new Float64Array(this.hosts.count);
    for (let h = 0; h < this.hosts.count; h++) slotLimit[h] = this.hosts.isOrigin(h) ? s.originUploadSlots : s.uploadSlots;
    this.env = {
      sim: world.sim,
      hosts: this.hosts,
      transport: exact ? new ExactTransport(net, this.hosts) : new LocalFairShareTransport(world.sim, this.hosts),
      slots: new UploadSlots(slotLimit),
      timers: new ChannelTimers(world.sim),
      events: world.events,
      peerRng: world.rng.stream('p2p:peer-choice'),
      pieceRng: world.rng.stream('p2p:piece-choice'),
      params: {
        maxConnections: s.maxConnections,
        maxParents: s.maxParents,
        originMaxConnections: s.originMaxConnections,
        pipeline: s.pipeline,
        originPipeline: s.originPipeline,
        concurrentPieces: s.concurrentPieces,
        handout: s.handout,
        announceIntervalS: s.announceIntervalS,
        backToSourceAfterS: s.backToSourceAfterS,
        endgamePieces: s.endgamePieces,
      },
      trackerRtt: (d) => 2 * world.topo.latencyOf(this.originPath(this.localOrigin(d), d)) + ORIGIN_PROCESSING_S,
      backToSource: (d, digest, bytes, blobBytes, done) =>
        // A range of the blob: a caching upstream (a mirror) fetches and keeps the whole blob, a registry
        // just sends the bytes asked for.
        this.client.get(d, 'layer', bytes, digest, done, { offset: 0, blobBytes }),
    };
  }

  /** With preheat, a release's new layer is pulled into its origins when it is published (a push webhook). */
  layerPublished(layer: number, bytes: number): void {
    this.upstream.layerPublished?.(layer, bytes);
    if (this.s.preheat) this.swarmOf(layer, bytes);
  }

  fetch(req: FetchRequest, done: FetchDone): void {
    // Lazy pulling's range reads are served by the origin tier directly: a part of a blob makes nobody a
    // holder of it (types.ts), so it stays out of the swarm.
    if (req.kind === 'layer' && !req.range) {
      this.dropIdleSwarms();
      const held = this.blobs.get(req.digest)?.holders;
      if (held !== undefined && held[req.node] === 1) {
        // The node's agent still has the blob from a swarm that was dropped: answered locally, as a
        // complete member of a live swarm is (Swarm.join).
        this.world.sim.call(0, () => done(true));
        return;
      }
      this.swarmOf(req.digest, req.bytes).join(req.node, done);
      return;
    }
    if (this.s.metadata === 'upstream' && req.kind !== 'layer') {
      this.upstream.fetch(req, done);
      return;
    }
    const k = this.localOrigin(req.node);
    const serve = (ok: boolean, reason?: string): void => {
      if (!ok) return done(false, reason);
      const route: Route = {
        path: this.originPath(k, req.node),
        source: 'origin',
        extraRtts: 0,
        serviceS: ORIGIN_PROCESSING_S,
        capBps: Infinity,
        internet: false,
        viaNat: false,
        crossZone: this.hosts.zone[this.hosts.nodes + k] !== this.hosts.zone[req.node],
      };
      this.world.get(req, route, done);
    };
    // Preheated (Kraken: images are pushed through its proxy into the origins and build-index), the tier
    // holds the metadata too; otherwise it fetches each object from the upstream on first demand.
    if (req.kind === 'layer' || this.s.preheat) serve(true);
    else this.originMetadata(k, req, serve);
  }

  /**
   * A node left the cluster (churn, scale-in, a crash): it stops uploading and downloading in every swarm
   * at once, and the peers that were downloading from it re-source their pieces from the rest of the
   * swarm (Swarm.removePeer). Its own blob downloads are abandoned: their `done` callbacks never run (the
   * node runtime that issued them owns counting its abandoned pulls). The same node id asking again later
   * (a node that rejoined) starts as an empty peer.
   */
  nodeLeft(node: number): void {
    if (node < 0 || node >= this.hosts.nodes) throw new Error(`internal: nodeLeft(${node}) is not a node id`);
    for (const swarm of this.swarms.values()) swarm.removePeer(node);
    for (const b of this.blobs.values()) if (b.holders !== undefined) b.holders[node] = 0;
  }

  /** Drops the swarms that have been quiet for the seeder idle time; their holders are remembered per blob. */
  private dropIdleSwarms(): void {
    const now = this.world.sim.now;
    const idle = this.s.seederIdleS;
    const q = this.quiet;
    while (this.quietHead < q.length && this.quietAt[this.quietHead] + idle <= now) {
      const swarm = q[this.quietHead];
      const at = this.quietAt[this.quietHead++];
      // Stale entries: the swarm was busy again since (a later entry stands for it), or is gone already.
      if (swarm.quietAt !== at || this.swarms.get(swarm.digest) !== swarm) continue;
      this.swarms.delete(swarm.digest);
      const b = this.blobs.get(swarm.digest) as BlobCopies;
      b.holders ??= new Uint8Array(this.hosts.nodes);
      for (const h of swarm.holders()) b.holders[h] = 1;
    }
    if (this.quietHead === q.length) {
      q.length = 0;
      this.quietAt.length = 0;
      this.quietHead = 0;
    } else if (this.quietHead > 1024 && this.quietHead * 2 > q.length) {
      q.splice(0, this.quietHead);
      this.quietAt.splice(0, this.quietHead);
      this.quietHead = 0;
    }
  }

  /** Serves metadata from origin k, which fetches each object from the upstream once (coalesced). */
  private originMetadata(k: number, req: FetchRequest, then: (ok: boolean, reason?: string) => void): void {
    const held = this.originMeta[k];
    const key = contentKey(req);
    const entry = held.get(key);
    if (entry === true) return then(true);
    if (entry) {
      entry.push(then);
      return;
    }
    const waiters = [then];
    held.set(key, waiters);
    this.client.get(this.hosts.nodes + k, req.kind, req.bytes, req.digest, (ok, reason) => {
      if (ok) held.set(key, true);
      else held.delete(key);
      for (const w of waiters) w(ok, reason);
    });
  }

  /**
   * The blob's swarm, created on demand: on the first, its origins start pulling it from upstream (or hold
   * it, preheated); a swarm created again after one was dropped starts with the origins that hold it.
   */
  private swarmOf(digest: number, bytes: number): Swarm {
    let swarm = this.swarms.get(digest);
    if (swarm) return swarm;
    const s = this.s;
    const layout = new PieceLayout(bytes, pieceBytesFor(s.piecePolicy, bytes));
    const originHosts: number[] = [];
    for (let r = 0; r < s.replicas; r++) originHosts.push(this.hosts.nodes + ((digest + r) % s.origins));
    const created = new Swarm(this.env, layout, originHosts, digest, this.onQuiet);
    swarm = created;
    this.swarms.set(digest, created);
    let b = this.blobs.get(digest);
    if (b === undefined) {
      b = { origin: new Uint8Array(originHosts.length), failure: null };
      this.blobs.set(digest, b);
    }
    const copies = b;
    originHosts.forEach((h, r) => {
      const k = h - this.hosts.nodes;
      if (copies.origin[r] === ORIGIN_HELD) created.originReady(h);
      else if (copies.origin[r] === ORIGIN_NONE) {
        if (s.preheat) {
          copies.origin[r] = ORIGIN_HELD;
          created.originReady(h);
          this.pullToOrigin(k, digest, bytes, () => {});
          return;
        }
        copies.origin[r] = ORIGIN_PULLING;
        this.pullToOrigin(k, digest, bytes, (ok, reason) => {
          copies.origin[r] = ok ? ORIGIN_HELD : ORIGIN_FAILED;
          // The blob's swarm now (a swarm quiet long enough to be dropped is never a failed one).
          const current = this.swarms.get(digest);
          if (ok) return current?.originReady(h);
          // Every replica gave up: nobody can seed the blob; its downloads fail with the upstream's reason.
          if (copies.origin.every((st) => st === ORIGIN_FAILED)) {
            copies.failure = reason ?? 'origin-fetch-failed';
            current?.fail(copies.failure);
          }
        });
      }
    });
    if (copies.failure !== null) created.fail(copies.failure);
    return created;
  }

  /** Origin k pulls a whole blob from the upstream, retrying with a doubling back-off when it fails. */
  private pullToOrigin(k: number, digest: number, bytes: number, done: FetchDone, attempt = 0): void {
    this.client.get(this.hosts.nodes + k, 'layer', bytes, digest, (ok, reason) => {
      if (ok || attempt + 1 >= ORIGIN_ATTEMPTS) return done(ok, reason);
      const wait = Math.min(ORIGIN_RETRY_MAX_S, ORIGIN_RETRY_S * 2 ** attempt);
      this.world.sim.call(wait, () => this.pullToOrigin(k, digest, bytes, done, attempt + 1));
    });
  }

  /** An origin in the node's zone when there is one (the agent's zone-local origin / tracker). */
  private localOrigin(node: number): number {
    const z = this.hosts.zone[node];
    // Origin k sits in zone k % zones, so origin z (if it exists) is the first one in zone z.
    return z < this.s.origins ? z : node % this.s.origins;
  }

  private originPath(k: number, node: number): readonly number[] {
    const h = this.hosts.nodes + k;
    return this.world.topo.pathFromZone([this.hosts.originNicUp[k]], this.hosts.zone[h], node);
  }

  addCosts(ledger: CostLedger): void {
    const s = this.s;
    const hour = price(this.world.prices, 'registry_instance_hour');
    ledger.addHours('p2p_origins', hour, s.origins);
    ledger.addHours('p2p_trackers', hour, s.trackers);
    // Each blob is stored on its origin replicas' disks.
    ledger.addStorage('p2p_origin_storage', price(this.world.prices, 'block_storage'), s.replicas);
    this.upstream.addCosts(ledger);
  }
}

/** What a blob's origin replica holds (BlobCopies.origin). */
const ORIGIN_NONE = 0;
const ORIGIN_PULLING = 1;
const ORIGIN_HELD = 2;
const ORIGIN_FAILED = 3;

/** Per blob, what outlives its swarm: the origin replicas' copies and the nodes that hold it. */
interface BlobCopies {
  /** Per replica (in swarmOf's order): ORIGIN_*. */
  origin: Uint8Array;
  /** Every replica gave up (the upstream's reason): downloads fail. */
  failure: string | null;
  /** Per node: 1 if it held the blob when a swarm of it was dropped (cleared when the node leaves). */
  holders?: Uint8Array;
}

function describePieces(s: P2PSettings): string {
  switch (s.piecePolicy.kind) {
    case 'kraken':
      return '4 MiB pieces';
    case 'dragonfly':
      return 'size/500 pieces in [4, 64] MiB';
    case 'fixed':
      return `${+(s.piecePolicy.bytes / 2 ** 20).toPrecision(4)} MiB pieces`;
  }
}

export const p2p: DistributionModule<P2PConfig> = {
  kind: 'p2p',
  schema: P2PConfig,
  describe: (c) => {
    const s = c.settings;
    const u = s.upstream;
    const up = u.kind === 'source' ? `${u.instances} source(s)` : u.kind === 'hosted' ? u.preset.label : u.kind === 'private' ? 'a private registry' : `a ${u.preset.label}`;
    return `p2p: ${s.label}, ${s.origins} origin${s.origins === 1 ? '' : 's'}, ${describePieces(s)}, from ${up}${s.preheat ? ', preheat' : ''}${s.bandwidthModel === 'exact' ? '' : `, ${s.bandwidthModel}`}`;
  },
  create: (world, c) => new P2PRuntime(world, c.settings),
};
