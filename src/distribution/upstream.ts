/**
 * A strategy behind a strategy: the registry a mirror pulls through, the registry (or file source) P2P
 * origins and back-to-source fetches use. To its upstream a mirror instance or a P2P origin is a client
 * like a node, so the upstream is the unmodified module (hosted, private, mirror, a plain source) built
 * on a view of the topology in which those extra clients are nodes too:
 *
 * - client ids 0 … nodes−1 are the cluster's nodes (P2P back-to-source, Dragonfly's proxied metadata),
 *   ids nodes … nodes+extras−1 the extra clients, each with its zone, its top-of-rack downlink and its
 *   NIC-down link, so the upstream's paths end on the client's own links;
 * - with public IPs every extra client has its own address (after every node's), for per-IP quotas;
 * - the upstream's transfers to an extra client land in a cache, not on a node: they are re-emitted as
 *   cache fills (internet, NAT and cross-zone bytes and their cost, never node ingress).
 */
import { World } from '../cluster/world.ts';
import type { ModelEvents, TransferEvent } from '../cluster/events.ts';
import type { Topology } from '../cluster/topology.ts';
import type { CostLedger } from '../cost/ledger.ts';
import { price } from '../cost/catalog.ts';
import { connect, type DistributionRuntime, type FetchDone, type FetchRequest, type PullSession, type RequestKind } from './types.ts';

export interface ExtraClients {
  zone: ArrayLike<number>;
  /** Each client's top-of-rack downlink (a client outside the node racks gets a link of its own). */
  torDown: ArrayLike<number>;
  nicDown: ArrayLike<number>;
}

function concat(a: ArrayLike<number>, b: ArrayLike<number>): Int32Array {
  const out = new Int32Array(a.length + b.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i];
  for (let i = 0; i < b.length; i++) out[a.length + i] = b[i];
  return out;
}

/** The world an upstream runs in: the real one, with `extra` clients appended after the nodes. */
export function upstreamWorld(world: World, extra: ExtraClients): World {
  const topo = world.topo;
  const nodes = world.cluster.nodes;
  const racks = topo.rackDown.length;
  const view: Partial<Topology> = {
    nodeZone: concat(topo.nodeZone, extra.zone),
    nodeRack: concat(topo.nodeRack, Int32Array.from({ length: extra.zone.length }, (_, k) => racks + k)),
    rackDown: concat(topo.rackDown, extra.torDown),
    nicDown: concat(topo.nicDown, extra.nicDown),
  };
  if (world.cluster.egress === 'public-ip') view.egressAddress = (c) => topo.natGatewayCount + c;
  const viewTopo: Topology = topo.view(view);
  const real = world.events;
  const transferDone = (e: TransferEvent): void => real.transferDone(e.node >= nodes ? { ...e, cacheFill: true } : e);
  const bound = new Map<PropertyKey, unknown>();
  const events = new Proxy(real, {
    get: (target, prop) => {
      if (prop === 'transferDone') return transferDone;
      let v = bound.get(prop);
      if (v === undefined) {
        v = Reflect.get(target, prop);
        if (typeof v === 'function') v = (v as (...a: unknown[]) => unknown).bind(target);
        bound.set(prop, v);
      }
      return v;
    },
  }) as ModelEvents;
  return new World(world.sim, world.net, viewTopo, world.rng, events, world.cluster, world.prices, world.faults);
}

/** Response bodies of a token-auth registry's auth dance (as a node's, see cluster/pull.ts). */
const CHALLENGE_BYTES = 150;
const TOKEN_BYTES = 1500;
/** Docker Hub bearer tokens live 300 s (assumption, as we remember the token's expires_in). */
const TOKEN_TTL_S = 300;

export type RequestCounts = Record<RequestKind, number>;

export function zeroCounts(): RequestCounts {
  return { challenge: 0, token: 0, resolve: 0, index: 0, manifest: 0, config: 0, layer: 0 };
}

/**
 * A cache's side of talking to its upstream: one keep-alive session per client and, for token-auth
 * registries, a bearer token per client that is fetched again once it is older than its lifetime.
 */
export class UpstreamClient {
  readonly requests: RequestCounts = zeroCounts();
  private readonly sessions = new Map<number, PullSession>();
  private readonly tokenAt = new Map<number, number>();

  constructor(
    private readonly world: World,
    readonly upstream: DistributionRuntime,
  ) {}

  /** One request from client `c` (a node id or an extra client's id), with the auth dance when due. */
  get(c: number, kind: RequestKind, bytes: number, digest: number, done: FetchDone, range?: FetchRequest['range']): void {
    let session = this.sessions.get(c);
    if (!session) {
      session = { hosts: 0, server: -1 };
      this.sessions.set(c, session);
    }
    const s = session;
    const ask = (kind: RequestKind, bytes: number, then: FetchDone, r?: FetchRequest['range']): void => {
      this.requests[kind]++;
      const req: FetchRequest = { kind, node: c, bytes, digest, session: s };
      if (r) req.range = r;
      this.upstream.fetch(req, then);
    };
    const now = this.world.sim.now;
    if (this.upstream.needsToken && now - (this.tokenAt.get(c) ?? -Infinity) > TOKEN_TTL_S) {
      // Marked fresh when asked for, so concurrent requests of this client share the one token request.
      this.tokenAt.set(c, now);
      ask('challenge', CHALLENGE_BYTES, (ok, reason) => {
        if (!ok) return done(false, reason);
        ask('token', TOKEN_BYTES, (ok2, reason2) => (ok2 ? ask(kind, bytes, done, range) : done(false, reason2)));
      });
      return;
    }
    if (this.upstream.basicAuth && now - (this.tokenAt.get(c) ?? -Infinity) > TOKEN_TTL_S) {
      // Basic auth (ECR): the 401 challenge, then the request with the client's credentials.
      this.tokenAt.set(c, now);
      ask('challenge', CHALLENGE_BYTES, (ok, reason) => (ok ? ask(kind, bytes, done, range) : done(false, reason)));
      return;
    }
    ask(kind, bytes, done, range);
  }
}

/** `upstream: { kind: source }` resolved: plain file servers (Dragonfly 2016's file source, a web server). */
export interface FileSourceConfig {
  kind: 'source';
  instances: number;
  nicBps: number;
  rttS: number;
}

const SOURCE_HOST = 1;

/**
 * Plain HTTP file servers with a NIC each, `rtt` away from every client: no auth, no registry protocol
 * beyond a GET, no request capacity limit. Server k sits in zone k mod zones; a blob is on server
 * digest mod instances (metadata too).
 */
export class FileSource implements DistributionRuntime {
  readonly needsToken = false;
  readonly registryLinks: readonly number[];

  constructor(
    private readonly world: World,
    private readonly cfg: FileSourceConfig,
  ) {
    const links: number[] = [];
    for (let k = 0; k < cfg.instances; k++) links.push(world.net.addLink(`source${k}:nic-up`, cfg.nicBps, cfg.rttS / 2));
    this.registryLinks = links;
  }

  fetch(req: FetchRequest, done: FetchDone): void {
    const w = this.world;
    const k = ((req.digest % this.cfg.instances) + this.cfg.instances) % this.cfg.instances;
    const zone = k % w.cluster.zones.length;
    w.get(
      req,
      {
        path: w.topo.pathFromZone([this.registryLinks[k]], zone, req.node),
        source: 'source',
        extraRtts: connect(req.session, SOURCE_HOST),
        serviceS: 0,
        capBps: Infinity,
        internet: false,
        viaNat: false,
        crossZone: zone !== w.topo.nodeZone[req.node],
      },
      done,
    );
  }

  addCosts(ledger: CostLedger): void {
    ledger.addHours('source_instances', price(this.world.prices, 'registry_instance_hour'), this.cfg.instances);
  }
}

/** A resolved distribution block, as far as its upstream chain goes (mirror: `upstream`, p2p: `settings.upstream`). */
interface Chained {
  kind: string;
  upstream?: Chained;
  settings?: { upstream?: Chained };
}

/**
 * The distribution block and every upstream nested in it, each with its path in the scenario's
 * `distribution:` input (for checks that apply to a registry wherever it sits, e.g. a private registry's
 * zones).
 */
export function upstreamChain<T extends Chained>(d: T): { path: string[]; block: Chained }[] {
  const out: { path: string[]; block: Chained }[] = [];
  let path: string[] = [];
  for (let b: Chained | undefined = d; b; b = b.upstream ?? b.settings?.upstream) {
    out.push({ path, block: b });
    path = [...path, 'upstream'];
  }
  return out;
}
