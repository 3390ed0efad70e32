/**
 * A bare world for driving one distribution runtime request by request (no pull pipeline), so tests can
 * issue N simultaneous requests and read link counters exactly. Not a test file itself.
 */
import { Simulator, RngStreams } from '../src/kernel/index.ts';
import { Network } from '../src/network/index.ts';
import { Topology } from '../src/cluster/topology.ts';
import { World } from '../src/cluster/world.ts';
import type { ClusterConfig } from '../src/cluster/config.ts';
import type { ModelEvents, TransferEvent } from '../src/cluster/events.ts';
import { buildCatalog } from '../src/cost/catalog.ts';
import { Distribution, moduleFor } from '../src/distribution/registry.ts';
import type { DistributionRuntime, RequestKind } from '../src/distribution/types.ts';

export interface Harness {
  sim: Simulator;
  net: Network;
  world: World;
  dist: DistributionRuntime;
  transfers: TransferEvent[];
  throttled: number;
  /** Issues one request from `node` on a fresh pull session; `at` records when it finished. */
  get(node: number, kind: RequestKind, bytes: number, digest: number, at?: (t: number) => void): void;
}

export function harness(distribution: unknown, over: Partial<ClusterConfig> = {}): Harness {
  const sim = new Simulator();
  const net = new Network(sim, {});
  const cluster: ClusterConfig = {
    nodes: 10,
    region: 'us-east-1',
    zones: ['us-east-1a'],
    nodesPerRack: 40,
    nicBps: 10e9 / 8,
    rackOversubscription: 1,
    zoneBps: 400e9 / 8,
    latency: { nicS: 0.00005, rackS: 0.00005, crossZoneS: 0.00045, natS: 0.0001 },
    egress: 'nat',
    natGateways: 'per-zone',
    natBps: 100e9 / 8,
    internetFlowCapBps: 5e9 / 8,
    maxConcurrentDownloads: 3,
    serializeImagePulls: true,
    unpackBps: 100e6,
    cache: 'warm',
    ...over,
  } as ClusterConfig;
  const topo = new Topology(net, cluster);
  const transfers: TransferEvent[] = [];
  const h = { throttled: 0 } as Harness;
  const events = {
    releasePublished: () => {},
    transferDone: (e: TransferEvent) => transfers.push(e),
    pullDone: () => {},
    nodeReady: () => {},
    requestThrottled: () => {
      h.throttled++;
    },
    pullRetried: () => {},
  } as unknown as ModelEvents;
  const world = new World(sim, net, topo, new RngStreams(1), events, cluster, buildCatalog());
  const cfg = Distribution.parse(distribution);
  const dist = moduleFor(cfg.kind).create(world, cfg);
  return Object.assign(h, {
    sim,
    net,
    world,
    dist,
    transfers,
    get(node: number, kind: RequestKind, bytes: number, digest: number, at?: (t: number) => void) {
      dist.fetch({ kind, node, bytes, digest, session: { hosts: 0, server: -1 } }, () => at?.(sim.now));
    },
  });
}
