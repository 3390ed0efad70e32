/**
 * The hosts of a P2P deployment — the cluster's nodes (agents / dfdaemons) and the origin tier (Kraken
 * origins, Dragonfly seed peers) — and the links a piece crosses between two of them. Host ids: nodes are
 * 0 … nodes−1 (the node ids), origins follow.
 *
 * A per-host P2P rate limit (Kraken's token bucket, Dragonfly's upload/download rateLimit) is modelled as
 * an extra link on every piece flow's path (`node{i}:p2p-up-limit`, `node{i}:p2p-down-limit`): max-min
 * sharing then caps the aggregate of a host's piece transfers honestly, while its NIC stays shared with
 * everything else (registry pulls, other blobs).
 */
import type { World } from '../cluster/world.ts';

export interface HostLimits {
  /** Per-host P2P upload limit, bytes/s. */
  uploadBps: number;
  /** Per-host P2P download limit, bytes/s. */
  downloadBps: number;
}

export interface OriginTier {
  count: number;
  nicBps: number;
  uploadBps: number;
}

const NONE = -1;

export class P2PHosts {
  readonly nodes: number;
  readonly count: number;
  readonly zone: Int32Array;
  /** Rack of a node; −1 for an origin (origins sit in a zone, outside the nodes' racks). */
  readonly rack: Int32Array;
  /** Effective P2P upload / download capacity of each host (NIC and limit), for the local bandwidth model. */
  readonly upBps: Float64Array;
  readonly downBps: Float64Array;
  readonly originNicUp: Int32Array;
  readonly originNicDown: Int32Array;
  private readonly upLimit: Int32Array;
  private readonly downLimit: Int32Array;
  private readonly scratch: number[] = [];

  constructor(
    private readonly world: World,
    limits: HostLimits,
    origins: OriginTier,
    /** Whether to create the limiter links (the exact model needs them; the local model reads upBps). */
    withLimiterLinks: boolean,
  ) {
    const { net, topo, cluster } = world;
    this.nodes = cluster.nodes;
    this.count = cluster.nodes + origins.count;
    this.zone = new Int32Array(this.count);
    this.rack = new Int32Array(this.count);
    this.upBps = new Float64Array(this.count);
    this.downBps = new Float64Array(this.count);
    this.upLimit = new Int32Array(this.count).fill(NONE);
    this.downLimit = new Int32Array(this.count).fill(NONE);
    for (let i = 0; i < this.nodes; i++) {
      this.zone[i] = topo.nodeZone[i];
      this.rack[i] = topo.nodeRack[i];
      this.upBps[i] = Math.min(cluster.nicBps, limits.uploadBps);
      this.downBps[i] = Math.min(cluster.nicBps, limits.downloadBps);
      // A limit at or above the NIC can never bind on P2P traffic alone: no link, fewer links per flow.
      if (withLimiterLinks && limits.uploadBps < cluster.nicBps) this.upLimit[i] = net.addLink(`node${i}:p2p-up-limit`, limits.uploadBps, 0);
      if (withLimiterLinks && limits.downloadBps < cluster.nicBps)
        this.downLimit[i] = net.addLink(`node${i}:p2p-down-limit`, limits.downloadBps, 0);
    }
    this.originNicUp = new Int32Array(origins.count);
    this.originNicDown = new Int32Array(origins.count);
    const zones = cluster.zones.length;
    for (let k = 0; k < origins.count; k++) {
      const h = this.nodes + k;
      this.zone[h] = k % zones;
      this.rack[h] = NONE;
      this.upBps[h] = Math.min(origins.nicBps, origins.uploadBps);
      this.downBps[h] = origins.nicBps;
      this.originNicUp[k] = net.addLink(`origin${k}:nic-up`, origins.nicBps, cluster.latency.nicS);
      this.originNicDown[k] = net.addLink(`origin${k}:nic-down`, origins.nicBps, cluster.latency.nicS);
      if (withLimiterLinks && origins.uploadBps < origins.nicBps) this.upLimit[h] = net.addLink(`origin${k}:p2p-up-limit`, origins.uploadBps, 0);
    }
    if (withLimiterLinks) this.declareCovers();
  }

  /**
   * Performance (exact model): a piece crosses its uploader's up-limit and its downloader's down-limit,
   * far below the NICs, and the limits of the hosts using a rack or zone link at a time rarely sum to its
   * capacity. So the NICs, rack links and zone links are covered by those limits (Network.declareCovered):
   * the network leaves pieces out of their sharing while the limits in use fit — the same max-min
   * answers, and a solve no longer walks the hundreds of pieces on a rack or zone link. A registry pull
   * through a NIC, or a burst of pieces whose limits outgrow a link, makes it share as before while it lasts.
   */
  private declareCovers(): void {
    const { net, topo } = this.world;
    // Every node has the same limits (or none), so a rack's or zone's pieces all cross its nodes' limits.
    const up = this.nodes > 0 && this.upLimit[0] !== NONE;
    const down = this.nodes > 0 && this.downLimit[0] !== NONE;
    for (let i = 0; i < this.nodes; i++) {
      if (up) net.declareCovered(topo.nicUp[i], [this.upLimit[i]]);
      if (down) net.declareCovered(topo.nicDown[i], [this.downLimit[i]]);
    }
    // Origins upload into other zones through their up-limit, or their NIC where they have none.
    const originUpByZone: number[][] = Array.from({ length: topo.zoneUp.length }, () => []);
    for (let k = 0; k < this.count - this.nodes; k++) {
      const h = this.nodes + k;
      if (this.upLimit[h] !== NONE) net.declareCovered(this.originNicUp[k], [this.upLimit[h]]);
      originUpByZone[this.zone[h]].push(this.upLimit[h] !== NONE ? this.upLimit[h] : this.originNicUp[k]);
    }
    const cover = (links: Int32Array, byGroup: number[][], extra?: number[][]): void => {
      for (let g = 0; g < links.length; g++) if (byGroup[g].length > 0) net.declareCovered(links[g], extra ? [...byGroup[g], ...extra[g]] : byGroup[g]);
    };
    if (up) {
      cover(topo.rackUp, this.limitsBy(topo.rackUp.length, this.rack, this.upLimit));
      cover(topo.zoneUp, this.limitsBy(topo.zoneUp.length, this.zone, this.upLimit), originUpByZone);
    }
    if (down) {
      cover(topo.rackDown, this.limitsBy(topo.rackDown.length, this.rack, this.downLimit));
      cover(topo.zoneDown, this.limitsBy(topo.zoneDown.length, this.zone, this.downLimit));
    }
  }

  /** Per group (rack or zone, by `groupOf`), the `limit` links of its nodes. */
  private limitsBy(groups: number, groupOf: Int32Array, limit: Int32Array): number[][] {
    const out: number[][] = Array.from({ length: groups }, () => []);
    for (let i = 0; i < this.nodes; i++) out[groupOf[i]].push(limit[i]);
    return out;
  }

  isOrigin(h: number): boolean {
    return h >= this.nodes;
  }

  /** The links a piece crosses from host `u` to node `d`, in the direction the bytes flow. */
  path(u: number, d: number): number[] {
    return this.pathInto(u, d, []);
  }

  private pathInto(u: number, d: number, path: number[]): number[] {
    const topo = this.world.topo;
    if (this.upLimit[u] !== NONE) path.push(this.upLimit[u]);
    if (this.isOrigin(u)) {
      path.push(this.originNicUp[u - this.nodes]);
      const zu = this.zone[u];
      const zd = this.zone[d];
      if (zu !== zd) path.push(topo.zoneUp[zu], topo.zoneDown[zd]);
      path.push(topo.rackDown[this.rack[d]]);
    } else {
      path.push(topo.nicUp[u]);
      const ru = this.rack[u];
      const rd = this.rack[d];
      if (ru !== rd) {
        path.push(topo.rackUp[ru]);
        const zu = this.zone[u];
        const zd = this.zone[d];
        if (zu !== zd) path.push(topo.zoneUp[zu], topo.zoneDown[zd]);
        path.push(topo.rackDown[rd]);
      }
    }
    path.push(topo.nicDown[d]);
    if (this.downLimit[d] !== NONE) path.push(this.downLimit[d]);
    return path;
  }

  /** One-way latency between two hosts, seconds (a request travels the reverse of the piece's path). */
  oneWay(u: number, d: number): number {
    // Every piece asks this once: the path goes into one reused array instead of a new one each time.
    const path = this.scratch;
    path.length = 0;
    return this.world.topo.latencyOf(this.pathInto(u, d, path)) * this.world.net.latencyFactor;
  }

  /** Locality tier of `other` as seen from node `d`: 0 same rack, 1 same zone, 2 elsewhere. */
  tier(d: number, other: number): number {
    if (this.rack[other] === this.rack[d] && this.rack[d] !== NONE) return 0;
    return this.zone[other] === this.zone[d] ? 1 : 2;
  }
}
