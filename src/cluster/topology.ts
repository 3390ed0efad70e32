/**
 * The cluster's platform: region → zones → racks → nodes, as directional links in the flow network
 * (SimGrid style: the platform is kept apart from the application). Paths are link-id lists in the
 * direction the bytes flow; distribution strategies build their routes from these pieces.
 */
import type { Network } from '../network/index.ts';
import type { ClusterConfig } from './config.ts';

export class Topology {
  readonly nodeZone: Int32Array;
  readonly nodeRack: Int32Array;
  readonly rackZone: Int32Array;
  readonly nicUp: Int32Array;
  readonly nicDown: Int32Array;
  readonly rackUp: Int32Array;
  readonly rackDown: Int32Array;
  readonly zoneUp: Int32Array;
  readonly zoneDown: Int32Array;
  /** NAT gateway per zone index (the same gateway for every zone when there is a single one). */
  readonly natDownOfZone: Int32Array;
  readonly natZoneOfZone: Int32Array;
  readonly natGatewayCount: number;

  constructor(
    readonly net: Network,
    readonly cfg: ClusterConfig,
  ) {
    const n = cfg.nodes;
    const zones = cfg.zones.length;
    this.nodeZone = new Int32Array(n);
    this.nodeRack = new Int32Array(n);
    this.nicUp = new Int32Array(n);
    this.nicDown = new Int32Array(n);
    // Nodes are spread round-robin over zones; within a zone they fill racks of nodesPerRack.
    const perZone = new Int32Array(zones);
    for (let i = 0; i < n; i++) perZone[i % zones]++;
    const rackZone: number[] = [];
    const firstRackOfZone = new Int32Array(zones);
    for (let z = 0; z < zones; z++) {
      firstRackOfZone[z] = rackZone.length;
      const racks = Math.ceil(perZone[z] / cfg.nodesPerRack);
      for (let r = 0; r < racks; r++) rackZone.push(z);
    }
    this.rackZone = Int32Array.from(rackZone);
    const nodesInRack = new Int32Array(rackZone.length);
    for (let i = 0; i < n; i++) {
      const z = i % zones;
      const indexInZone = Math.floor(i / zones);
      const r = firstRackOfZone[z] + Math.floor(indexInZone / cfg.nodesPerRack);
      this.nodeZone[i] = z;
      this.nodeRack[i] = r;
      nodesInRack[r]++;
    }
    for (let i = 0; i < n; i++) {
      this.nicUp[i] = net.addLink(`node${i}:nic-up`, cfg.nicBps, cfg.latency.nicS);
      this.nicDown[i] = net.addLink(`node${i}:nic-down`, cfg.nicBps, cfg.latency.nicS);
    }
    this.rackUp = new Int32Array(rackZone.length);
    this.rackDown = new Int32Array(rackZone.length);
    for (let r = 0; r < rackZone.length; r++) {
      const cap = (nodesInRack[r] * cfg.nicBps) / cfg.rackOversubscription;
      this.rackUp[r] = net.addLink(`rack${r}:up`, cap, cfg.latency.rackS);
      this.rackDown[r] = net.addLink(`rack${r}:down`, cap, cfg.latency.rackS);
    }
    this.zoneUp = new Int32Array(zones);
    this.zoneDown = new Int32Array(zones);
    for (let z = 0; z < zones; z++) {
      this.zoneUp[z] = net.addLink(`zone:${cfg.zones[z]}:up`, cfg.zoneBps, cfg.latency.crossZoneS / 2);
      this.zoneDown[z] = net.addLink(`zone:${cfg.zones[z]}:down`, cfg.zoneBps, cfg.latency.crossZoneS / 2);
    }
    this.natDownOfZone = new Int32Array(zones);
    this.natZoneOfZone = new Int32Array(zones);
    if (cfg.natGateways === 'single') {
      const nat = net.addLink('nat-gateway:down', cfg.natBps, cfg.latency.natS);
      this.natDownOfZone.fill(nat);
      this.natZoneOfZone.fill(0);
      this.natGatewayCount = 1;
    } else {
      for (let z = 0; z < zones; z++) {
        this.natDownOfZone[z] = net.addLink(`nat-gateway:${cfg.zones[z]}:down`, cfg.natBps, cfg.latency.natS);
        this.natZoneOfZone[z] = z;
      }
      this.natGatewayCount = zones;
    }
  }

  /**
   * The address a node's internet traffic comes from, as a number: its NAT gateway (0 … gateways−1)
   * when egress is 'nat', else its own public IP (gateways + node). Registries key quotas on it.
   */
  egressAddress(node: number): number {
    if (this.cfg.egress === 'public-ip') return this.natGatewayCount + node;
    return this.cfg.natGateways === 'single' ? 0 : this.nodeZone[node];
  }

  get zoneCount(): number {
    return this.cfg.zones.length;
  }

  /**
   * Links from a service sitting in `srcZone` (its own links first) down to `node`. The array is shared
   * by every caller asking for the same route: read-only (not frozen: V8 iterates frozen arrays about
   * three times slower, and every request sums its path).
   *
   * Performance: routes are built once per (source links, zone, node) and then looked up (every request
   * of a pull used to build its path afresh, a few arrays per request).
   */
  pathFromZone(srcLinks: readonly number[], srcZone: number, node: number): readonly number[] {
    const routes = this.routesFrom(srcLinks, srcZone);
    let path = routes.toNode[node];
    if (path === undefined) {
      const z = this.nodeZone[node];
      const p = srcLinks.slice();
      if (srcZone !== z) p.push(this.zoneUp[srcZone], this.zoneDown[z]);
      p.push(this.rackDown[this.nodeRack[node]], this.nicDown[node]);
      path = routes.toNode[node] = p;
    }
    return path;
  }

  /**
   * Performance, for a service of several servers reaching the nodes by pathFromZone (a private
   * registry's or a mirror's instances, each with its own links `serverLinks[k]` in zone
   * `serverZones[k]`): the racks' and zones' links on those routes are declared covered by the servers'
   * narrowest links (Network.declareCovered). Each server's links limit its own flows; links the servers
   * share on the way to the nodes join their flows into one sharing component with several bottlenecks,
   * which share groups do not carry, so every event re-solved every flow (a private registry's cold seed
   * at 500 nodes: 14.7 s, 0.53 s with covers). While the servers sending through such a link cannot
   * overfill it, its flows are left out of its sharing (the same max-min allocation) and each server's
   * flows are a component of their own. The nodes' own NICs are left alone: fed by one server at a time
   * they join nothing, and covering them costs bookkeeping on every flow (warm seed: +8 % instructions).
   * Returns each server's cover, for links of the service's own to cover too.
   */
  coverServerRoutes(serverLinks: readonly (readonly number[])[], serverZones: ArrayLike<number>): number[] {
    const net = this.net;
    const covers = serverLinks.map((links) => {
      let narrowest = links[0];
      for (const l of links) if (net.linkCapacity(l) < net.linkCapacity(narrowest)) narrowest = l;
      return narrowest;
    });
    const cover = (l: number): void => void net.declareCovered(l, covers);
    const racks = new Set<number>();
    for (let node = 0; node < this.nicDown.length; node++) racks.add(this.rackDown[this.nodeRack[node]]);
    for (const r of racks) cover(r);
    for (let z = 0; z < this.zoneDown.length; z++) cover(this.zoneDown[z]);
    for (const z of new Set(Array.from(serverZones))) cover(this.zoneUp[z]);
    return covers;
  }

  /**
   * This topology as seen by a component whose clients are other hosts (a mirror's or a P2P tier's
   * upstream: upstream.ts): the overridden arrays, everything else inherited. The view gets route caches
   * of its own, since its client ids name other hosts than this topology's nodes.
   */
  view(overrides: Partial<Topology>): Topology {
    const v = Object.assign(Object.create(this) as Topology, overrides);
    (v as unknown as { routeCaches: Map<number, RouteCache[]> }).routeCaches = new Map();
    (v as unknown as { internetRoutes: Map<number, InternetRoute[]> }).internetRoutes = new Map();
    return v;
  }

  /** The route cache of one source: keyed by its first link and zone, then compared link by link. */
  private routesFrom(srcLinks: readonly number[], srcZone: number): RouteCache {
    const key = srcLinks.length === 0 ? -1 - srcZone : srcLinks[0] * this.cfg.zones.length + srcZone;
    let caches = this.routeCaches.get(key);
    if (caches === undefined) this.routeCaches.set(key, (caches = []));
    for (const c of caches) if (c.zone === srcZone && sameLinks(c.src, srcLinks)) return c;
    const c: RouteCache = { src: srcLinks.slice(), zone: srcZone, toNode: [] };
    caches.push(c);
    return c;
  }
  private readonly routeCaches = new Map<number, RouteCache[]>();
  private readonly internetRoutes = new Map<number, InternetRoute[]>();

  /**
   * Links from an internet endpoint (its own links first) down to `node`, through the node's NAT
   * gateway when egress is 'nat'. Returns whether the bytes crossed a zone on the way (single NAT).
   */
  pathFromInternet(endpointLinks: readonly number[], node: number): InternetRoute {
    // One endpoint link is the common case (a registry's egress); it gets the cache, like pathFromZone.
    if (endpointLinks.length !== 1) return this.buildInternetRoute(endpointLinks, node);
    let routes = this.internetRoutes.get(endpointLinks[0]);
    if (routes === undefined) this.internetRoutes.set(endpointLinks[0], (routes = []));
    return (routes[node] ??= this.buildInternetRoute(endpointLinks, node));
  }

  private buildInternetRoute(endpointLinks: readonly number[], node: number): InternetRoute {
    const z = this.nodeZone[node];
    if (this.cfg.egress === 'public-ip') {
      return { path: [...endpointLinks, this.rackDown[this.nodeRack[node]], this.nicDown[node]], viaNat: false, crossZone: false };
    }
    const natZone = this.natZoneOfZone[z];
    const path = this.pathFromZone([...endpointLinks, this.natDownOfZone[z]], natZone, node);
    return { path, viaNat: true, crossZone: natZone !== z };
  }

  /** One-way latency of a path, seconds (before the network's latency factor). */
  latencyOf(path: readonly number[]): number {
    return this.net.pathLatency(path);
  }
}

/** A route from the internet to a node (shared, read-only: see pathFromZone). */
export interface InternetRoute {
  readonly path: readonly number[];
  readonly viaNat: boolean;
  readonly crossZone: boolean;
}

interface RouteCache {
  src: readonly number[];
  zone: number;
  toNode: (readonly number[] | undefined)[];
}

function sameLinks(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
