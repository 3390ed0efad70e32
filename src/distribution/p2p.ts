/**
 * `kind: p2p` — BitTorrent-style distribution as Kraken and Dragonfly run it (DESIGN §6, FACTS.md §1a/§1b).
 *
 * - An origin tier (Kraken origins / Dragonfly seed peers) with its own NICs, spread over the zones. Each
 *   blob is seeded by `replicas` origins chosen by digest; each of them pulls the blob once from the
 *   upstream registry (a hosted preset, or a plain source) when the first node asks. With `preheat` a
 *   release's new layers go to their origins when published (Dragonfly preheat / a registry push webhook),
 *   and the origins are taken to hold them when the rollout asks: the upstream copy is counted (registry
 *   egress, internet bytes) but assumed done before the rollout starts.
 * - Metadata (tag resolve, index, manifest, config) goes through the node's local agent (Kraken agent /
 *   dfdaemon on localhost, kept-alive connections) to the origin tier in the node's zone: small GETs.
 * - Layer blobs go through the swarm (p2p-swarm.ts): pieces are flows along real topology paths.
 *
 * Sources in ingress_by_source_bytes: "origin" (pieces from origins and metadata), "peer" (pieces from other
 * nodes), and the upstream's name for back-to-source fetches. registry_egress_bytes is the upstream's egress.
 */
import { price } from '../cost/catalog.ts';
import type { CostLedger } from '../cost/ledger.ts';
import type { Route, World } from '../cluster/world.ts';
import { HANDSHAKE_RTTS, type DistributionModule, type DistributionRuntime, type FetchDone, type FetchRequest } from './types.ts';
import { P2PConfig, type P2PSettings } from './p2p-config.ts';
import { P2PHosts } from './p2p-hosts.ts';
import { PieceLayout, pieceBytesFor } from './p2p-pieces.ts';
import { UploadSlots } from './p2p-peers.ts';
import { Swarm, type SwarmEnv } from './p2p-swarm.ts';
import { ExactTransport, LocalFairShareTransport } from './p2p-transport.ts';

export { P2PConfig } from './p2p-config.ts';

/** Server time of an origin / tracker answering a metadata request, seconds (assumption). */
const ORIGIN_PROCESSING_S = 0.001;

class P2PRuntime implements DistributionRuntime {
  /** The local agent authenticates to the upstream itself; the node's client sees no token dance. */
  readonly needsToken = false;
  readonly registryLinks: readonly number[];
  readonly hosts: P2PHosts;
  private readonly upstreamLinks: number[] = [];
  private readonly swarms = new Map<number, Swarm>();
  private readonly env: SwarmEnv;

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
    const up = s.upstream;
    if (up.kind === 'hosted') this.upstreamLinks.push(net.addLink(`${up.preset.id}:egress`, up.preset.endpointBps, up.preset.rttS / 2));
    else for (let k = 0; k < up.instances; k++) this.upstreamLinks.push(net.addLink(`source${k}:nic-up`, up.nicBps, up.rttS / 2));
    this.registryLinks = this.upstreamLinks;

    const slotLimit = new Float64Array(this.hosts.count);
    for (let h = 0; h < this.hosts.count; h++) slotLimit[h] = this.hosts.isOrigin(h) ? s.originUploadSlots : s.uploadSlots;
    this.env = {
      sim: world.sim,
      hosts: this.hosts,
      transport: exact ? new ExactTransport(net, this.hosts) : new LocalFairShareTransport(world.sim, this.hosts),
      slots: new UploadSlots(slotLimit),
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
      backToSource: (d, bytes, done) => this.backToSource(d, bytes, done),
    };
  }

  /** With preheat, a release's new layer is pulled into its origins when it is published (a push webhook). */
  layerPublished(layer: number, bytes: number): void {
    if (this.s.preheat) this.swarmOf(layer, bytes);
  }

  fetch(req: FetchRequest, done: FetchDone): void {
    // Lazy pulling's range reads are served by the origin tier directly: a part of a blob makes nobody a
    // holder of it (types.ts), so it stays out of the swarm.
    if (req.kind === 'layer' && !req.range) {
      this.swarmOf(req.digest, req.bytes).join(req.node, () => done(true));
      return;
    }
    const k = this.localOrigin(req.node);
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
  }

  /** The blob's swarm, created on first demand: its origins start pulling it from upstream (or hold it). */
  private swarmOf(digest: number, bytes: number): Swarm {
    let swarm = this.swarms.get(digest);
    if (swarm) return swarm;
    const s = this.s;
    const layout = new PieceLayout(bytes, pieceBytesFor(s.piecePolicy, bytes));
    const originHosts: number[] = [];
    for (let r = 0; r < s.replicas; r++) originHosts.push(this.hosts.nodes + ((digest + r) % s.origins));
    const created = new Swarm(this.env, layout, originHosts);
    swarm = created;
    this.swarms.set(digest, created);
    for (const h of originHosts) {
      const k = h - this.hosts.nodes;
      if (s.preheat) {
        created.originReady(h);
        this.pullToOrigin(k, digest, bytes, () => {});
      } else this.pullToOrigin(k, digest, bytes, () => created.originReady(h));
    }
    return created;
  }

  /** Origin k pulls a whole blob from the upstream (one GET on a fresh connection). */
  private pullToOrigin(k: number, digest: number, bytes: number, done: () => void): void {
    const w = this.world;
    const up = this.s.upstream;
    const nicDown = this.hosts.originNicDown[k];
    const src = this.upstreamLinks[up.kind === 'hosted' ? 0 : digest % this.upstreamLinks.length];
    const path = [src, nicDown];
    const extraRtts = HANDSHAKE_RTTS + (up.kind === 'hosted' && up.preset.blobRedirect ? 1 : 0);
    const cap = up.kind === 'hosted' ? up.preset.perConnectionBps : Infinity;
    const before = w.topo.latencyOf(path) * (1 + 2 * extraRtts);
    const originZone = this.hosts.zone[this.hosts.nodes + k];
    const srcZone = up.kind === 'hosted' ? originZone : (digest % this.upstreamLinks.length) % w.cluster.zones.length;
    const landed = (): void => {
      // The bytes land on an origin, not a node: counted in internet / cross-zone bytes, not node ingress.
      w.events.transferDone({
        node: -1,
        kind: 'layer',
        source: up.kind === 'hosted' ? up.preset.id : 'source',
        bytes,
        internet: up.kind === 'hosted',
        viaNat: false,
        crossZone: srcZone !== originZone,
        cacheFill: true,
      });
      done();
    };
    w.sim.call(before, () => w.net.startFlow(path, bytes, landed, cap));
  }

  /** Node d fetches `bytes` straight from the upstream (Dragonfly back-to-source). */
  private backToSource(d: number, bytes: number, done: () => void): void {
    const w = this.world;
    const up = this.s.upstream;
    let route: Route;
    if (up.kind === 'hosted') {
      const { path, viaNat, crossZone } = w.topo.pathFromInternet([this.upstreamLinks[0]], d);
      route = {
        path,
        source: up.preset.id,
        extraRtts: HANDSHAKE_RTTS + (up.preset.blobRedirect ? 1 : 0),
        serviceS: 0,
        capBps: Math.min(up.preset.perConnectionBps, w.cluster.internetFlowCapBps),
        internet: true,
        viaNat,
        crossZone,
      };
    } else {
      const k = d % this.upstreamLinks.length;
      const zone = k % w.cluster.zones.length;
      route = {
        path: w.topo.pathFromZone([this.upstreamLinks[k]], zone, d),
        source: 'source',
        extraRtts: HANDSHAKE_RTTS,
        serviceS: 0,
        capBps: Infinity,
        internet: false,
        viaNat: false,
        crossZone: zone !== w.topo.nodeZone[d],
      };
    }
    const req: FetchRequest = { kind: 'layer', node: d, bytes, digest: -1, session: { hosts: 0, server: -1 } };
    w.get(req, route, () => done());
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
    if (s.upstream.kind === 'hosted') {
      const p = s.upstream.preset;
      if (p.storagePrice) ledger.addStorage('registry_storage', price(this.world.prices, p.storagePrice));
      if (p.transferPrice) ledger.addPerByte('registry_transfer', price(this.world.prices, p.transferPrice), 'registry-egress');
    }
  }
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
    const up = s.upstream.kind === 'hosted' ? s.upstream.preset.label : `${s.upstream.instances} source(s)`;
    return `p2p: ${s.label}, ${s.origins} origin${s.origins === 1 ? '' : 's'}, ${describePieces(s)}, from ${up}${s.preheat ? ', preheat' : ''}${s.bandwidthModel === 'exact' ? '' : `, ${s.bandwidthModel}`}`;
  },
  create: (world, c) => new P2PRuntime(world, c.settings),
};
