/**
 * `kind: private` — your own registry (CNCF distribution / registry:2 style): N instances in chosen zones
 * behind a load balancer, each with a NIC, a request-processing capacity and local-disk storage. Bytes
 * come off the instance's disk and out of its NIC; a node in another zone pays cross-zone transfer.
 * Object-store backends (S3, GCS, Azure Blob…) and redirects come with the strategies issue.
 */
import { z } from 'zod';
import { zDuration, zRate } from '../scenario/units.ts';
import { price } from '../cost/catalog.ts';
import type { World, Route } from '../cluster/world.ts';
import type { CostLedger } from '../cost/ledger.ts';
import { connect, type DistributionModule, type DistributionRuntime, type FetchDone, type FetchRequest } from './types.ts';

const LocalStorage = z.strictObject({
  kind: z.literal('local'),
  read: zRate.prefault('1 GB/s').describe('disk read throughput per instance'),
  firstByte: zDuration.prefault('0.2ms').describe('disk latency to the first byte of a blob'),
});

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
  storage: LocalStorage.prefault({ kind: 'local' }),
});
export type PrivateConfig = z.output<typeof PrivateConfig>;

/** The registry's load-balanced address: one keep-alive connection per pull. */
const REGISTRY_HOST = 1;

class PrivateRuntime implements DistributionRuntime {
  readonly needsToken = false;
  readonly registryLinks: readonly number[];
  private readonly instanceZone: Int32Array;
  private readonly instanceLinks: number[][];
  /** Per-instance time its request processor becomes free (a deterministic FIFO server, no events needed). */
  private readonly freeAt: Float64Array;
  private readonly byZone: number[][];
  private rr = 0;
  private readonly lbRng;

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
    // A zero-cost aggregate link on every registry path measures the registry's total egress and peak.
    const aggregate = net.addLink('private-registry:aggregate', 1e18, 0);
    this.registryLinks = [aggregate];
    this.instanceZone = new Int32Array(cfg.instances);
    this.instanceLinks = [];
    this.byZone = zones.map(() => []);
    for (let k = 0; k < cfg.instances; k++) {
      const z = zones.indexOf(placement[k % placement.length]);
      this.instanceZone[k] = z;
      this.byZone[z].push(k);
      const disk = net.addLink(`registry${k}:disk`, cfg.storage.read, 0);
      const nic = net.addLink(`registry${k}:nic-up`, cfg.nic, world.cluster.latency.nicS);
      this.instanceLinks.push([disk, nic, aggregate]);
    }
    this.freeAt = new Float64Array(cfg.instances);
    this.lbRng = world.rng.stream('private:load-balancer');
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

  fetch(req: FetchRequest, done: FetchDone): void {
    const w = this.world;
    // An L4 load balancer pins the pull's keep-alive connection, so every request of a pull meets one instance.
    if (req.session.server < 0) req.session.server = this.pick(req.node);
    const k = req.session.server;
    const isBlob = req.kind === 'config' || req.kind === 'layer';
    const zone = this.instanceZone[k];
    const path = w.topo.pathFromZone(this.instanceLinks[k], zone, req.node);
    const extraRtts = connect(req.session, REGISTRY_HOST);
    // The request reaches the instance after the handshakes and one way; it then waits its turn in a
    // FIFO of `requestRate` requests/s (a deterministic server: its state is one number, no events).
    const arrival = w.sim.now + w.topo.latencyOf(path) * (1 + 2 * extraRtts);
    const start = Math.max(arrival, this.freeAt[k]);
    this.freeAt[k] = start + 1 / this.cfg.requestRate;
    const route: Route = {
      path,
      source: 'private-registry',
      extraRtts,
      serviceS: start - arrival + this.cfg.processing + (isBlob ? this.cfg.storage.firstByte : 0),
      capBps: Infinity,
      internet: false,
      viaNat: false,
      crossZone: zone !== w.topo.nodeZone[req.node],
    };
    w.get(req, route, done);
  }

  addCosts(ledger: CostLedger): void {
    ledger.addHours('registry_instances', price(this.world.prices, 'registry_instance_hour'), this.cfg.instances);
    // Every instance keeps its own copy of every blob on local disk.
    ledger.addStorage('registry_storage', price(this.world.prices, 'block_storage'), this.cfg.instances);
  }
}

export const privateRegistry: DistributionModule<PrivateConfig> = {
  kind: 'private',
  schema: PrivateConfig,
  describe: (c) =>
    `private: ${c.instances} instance${c.instances === 1 ? '' : 's'} × ${(c.nic * 8) / 1e9} Gbit/s, local disk, ${c.loadBalancing}`,
  create: (world, c) => new PrivateRuntime(world, c),
};
